"""CPU instructions per request, counted by valgrind: a figure that does not move with the machine.

Timings on a shared two-core machine vary by a third from one run to the next, which hides a
change of a few tenths of a millisecond. valgrind's callgrind counts the instructions a process
runs instead: the same code and data give the same count whatever else the machine is doing. So
this runs each page in a child process under callgrind twice, once with no requests and once
with N, and prints the difference divided by N: the instructions of one request, start-up and
warm-up excluded. Requests go through Django's WSGI handler in process, as gunicorn would send
them, with every middleware, the database connection's health check and the garbage collector set
as in betterway/wsgi.py; the database server's own work is not counted.

    DATABASE_URL=postgres://… DJANGO_SETTINGS_MODULE=bench.settings \\
        .venv/bin/python -m bench.instructions --requests 200

It needs generated load data (manage.py generate_load_data) for its fixtures, and valgrind
(Debian's `valgrind` package). Each child takes about a minute.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess  # noqa: S404 (runs this module under valgrind, nothing else)
import sys

WARMUP = 50


def _environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def serve(path: str, requests: int) -> None:
    """WARMUP requests, then `requests` more, through the WSGI handler; each must answer 200."""
    from django.core.handlers.wsgi import WSGIHandler

    from betterway.gc_tuning import tune_for_serving

    handler = WSGIHandler()
    tune_for_serving()  # as betterway/wsgi.py does

    def start_response(status, headers, exc_info=None):
        if not status.startswith("200"):
            raise RuntimeError(f"{path} answered {status}")

    for _ in range(WARMUP + requests):
        body = handler(_environ(path), start_response)
        b"".join(body)
        body.close()


def collected(stderr: str) -> int:
    """The instruction count in callgrind's report."""
    match = re.search(r"Collected\s*:\s*(\d+)", stderr)
    if match is None:
        raise RuntimeError("valgrind printed no instruction count:\n" + stderr[-2000:])
    return int(match.group(1))


def count(path: str, requests: int) -> int:
    """Instructions of one request to `path`, start-up and warm-up excluded."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise RuntimeError("valgrind is not installed (apt-get install -y valgrind).")
    # The same hash seed in both children, so that both do the same start-up work.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    totals = []
    for n in (0, requests):
        command = [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.instructions",
            "--child",
            path,
            str(n),
        ]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)  # noqa: S603
        totals.append(collected(done.stderr))
    return round((totals[1] - totals[0]) / requests)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--child", nargs=2, metavar=("PATH", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    if args.child:
        serve(args.child[0], int(args.child[1]))
        return

    from bench import measure
    from bench.urls import LOOKUP_PATH, MINIMAL_PATH, ONE_QUERY_PATH

    setup = measure.prepare(iterations=0, close_iterations=0, warmup=0)
    token = setup.questionnaire_token
    try:
        paths = {
            "minimal Django view": MINIMAL_PATH,
            "minimal view + one SQL query": f"{ONE_QUERY_PATH}{token}/",
            "minimal view + the link's lookup": f"{LOOKUP_PATH}{token}/",
            "questionnaire page": setup.questionnaire_path,
        }
        print(f"Instructions per request (callgrind, {args.requests} requests after {WARMUP}):")
        for name, path in paths.items():
            print(f"  {name:<34} {count(path, args.requests):>12,}", flush=True)
    finally:
        measure.cleanup()


if __name__ == "__main__":
    main()
