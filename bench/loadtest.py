"""The load test: gunicorn on 127.0.0.1 and a load generator in a second process, bounded in time.

gunicorn serves the app with bench.settings (production mode plus the reference views) on a free
loopback port; wrk (Debian's `wrk` package) sends requests to one path for a fixed number of
seconds. Without wrk, a small Python load generator runs in a second process instead. Nothing is
ever sent anywhere but 127.0.0.1, and every run stops by itself.
"""

from __future__ import annotations

import os
import re
import runpy
import shutil
import socket
import subprocess  # noqa: S404 (starts gunicorn and wrk, both on loopback only)
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from django.conf import settings
from django.db import connection

from bench.urls import MINIMAL_PATH

HOST = "127.0.0.1"
BASE_DIR = Path(__file__).resolve().parent.parent
READY_TIMEOUT = 30  # seconds for gunicorn to answer
MINIMAL = "minimal Django view"
QUESTIONNAIRE = "questionnaire page"


@dataclass(frozen=True)
class LoadResult:
    name: str
    seconds: float
    requests: int
    errors: int  # responses other than 2xx/3xx, and socket errors
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    tool: str
    # CPU time per request of the gunicorn workers and of the PostgreSQL backends serving them,
    # read from /proc: unlike requests per second, it hardly depends on what else the machine
    # is running. None where it could not be read.
    app_cpu_ms: float | None = None
    db_cpu_ms: float | None = None
    # Requests per second of each window, in the order taken (one entry for a single window):
    # the report pairs them with the minimal view's windows to show how much a ratio moves
    # within one run.
    window_rps: tuple[float, ...] = ()

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float | None:
        if self.app_cpu_ms is None:
            return None
        return self.app_cpu_ms + (self.db_cpu_ms or 0.0)


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (Linux /proc)."""
    return sum(cpu_by_process(pids).values())


def cpu_by_process(pids: list[int]) -> dict[int, float]:
    """Each of these processes' user and system CPU time so far; those gone are left out."""
    times = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone, or not on this machine
        times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU time used between two readings. A process that appeared meanwhile used all of its
    time then; one that ended meanwhile (a database connection closed after CONN_MAX_AGE) is
    counted up to the first reading only, an undercount rather than a negative figure."""
    return sum(time - before.get(pid, 0.0) for pid, time in after.items())


def database_pids() -> list[int]:
    """The PostgreSQL backends connected to this database, other than this process's."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_conf() -> dict:
    """The app's gunicorn.conf.py, as gunicorn reads it."""
    return runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))


def configured_workers() -> int:
    """The number of workers gunicorn.conf.py gives the server (WEB_CONCURRENCY, or one per core
    and one more): what the load test runs with unless told otherwise."""
    return gunicorn_conf()["workers"]


@contextmanager
def gunicorn(workers: int | None = None, port: int | None = None) -> Iterator[Server]:
    """A gunicorn server of the app on loopback for the duration of the block, with the app's
    gunicorn.conf.py (read from the folder it starts in) and `workers` if given."""
    port = port or free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        # The same key as this process, so the links it made open there too.
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "false",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "betterway.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        *(["--workers", str(workers)] if workers else []),
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=BASE_DIR, env=env)  # noqa: S603
    url = f"http://{HOST}:{port}"
    try:
        _wait_until_ready(url + MINIMAL_PATH, server)
        yield Server(url, server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_until_ready(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped with exit code {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or still starting up (URLError is one too)
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {READY_TIMEOUT} s")


def load(
    name: str,
    url: str,
    seconds: int,
    connections: int,
    threads: int = 2,
    warmup: int = 2,
    server: Server | None = None,
) -> LoadResult:
    """Send requests to `url` for `seconds` (after `warmup` seconds unmeasured)."""
    if not url.startswith(f"http://{HOST}:"):
        raise ValueError("The load test only ever targets 127.0.0.1.")
    wrk = shutil.which("wrk")
    if warmup:
        if wrk:
            _wrk(wrk, url, warmup, connections, threads)
        else:
            _python_load(url, warmup, connections)
    app = server.worker_pids() if server else []
    db = database_pids() if server else []
    app_before, db_before = cpu_seconds(app), cpu_by_process(db)
    if wrk:
        result = parse_wrk(name, _wrk(wrk, url, seconds, connections, threads))
    else:
        result = _python_load(url, seconds, connections, name)
    if app and result.requests:
        per_request = 1000 / result.requests
        db_after = cpu_by_process(database_pids()) if db else {}
        result = replace(
            result,
            app_cpu_ms=(cpu_seconds(app) - app_before) * per_request,
            db_cpu_ms=cpu_used(db_before, db_after) * per_request if db else None,
        )
    return result


def _wrk(wrk: str, url: str, seconds: int, connections: int, threads: int) -> str:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    return done.stdout


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(name: str, output: str) -> LoadResult:
    """Requests, seconds, errors and latency from wrk's report."""
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    requests, duration, unit = int(total.group(1)), float(total.group(2)), total.group(3)
    seconds = duration * {"ms": 0.001, "s": 1.0, "m": 60.0}[unit]
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if sockets:
        errors += sum(int(value) for value in sockets.groups())
    p50 = re.search(r"^\s+50%\s+(\S+)", output, flags=re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, flags=re.M)
    return LoadResult(
        name=name,
        seconds=seconds,
        requests=requests,
        errors=errors,
        latency_p50_ms=_ms(p50.group(1)) if p50 else None,
        latency_p99_ms=_ms(p99.group(1)) if p99 else None,
        tool="wrk",
    )


def _python_load(url: str, seconds: int, connections: int, name: str = "") -> LoadResult:
    """The fallback load generator: threads in a second Python process, one request at a time
    each, until the time is up."""
    script = BASE_DIR / "bench" / "pyload.py"
    command = [sys.executable, str(script), url, str(seconds), str(connections)]
    done = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 30, check=True
    )
    requests, errors, elapsed = (float(x) for x in done.stdout.split())
    return LoadResult(name, elapsed, int(requests), int(errors), None, None, "python threads")


def ratio(result: LoadResult, baseline: LoadResult) -> float:
    return result.rps / baseline.rps if baseline.rps else 0.0


def combine(windows: list[LoadResult]) -> LoadResult:
    """One line's windows as one result: requests, time and errors added up, CPU per request
    weighted by requests, the median window's p50 latency and the worst window's p99, and each
    window's requests per second kept in turn."""
    requests = sum(window.requests for window in windows)

    def per_request(values: list[float | None]) -> float | None:
        if not requests or any(value is None for value in values):
            return None
        return sum(v * w.requests for v, w in zip(values, windows, strict=True)) / requests

    p50s = sorted(w.latency_p50_ms for w in windows if w.latency_p50_ms is not None)
    p99s = [w.latency_p99_ms for w in windows if w.latency_p99_ms is not None]
    return LoadResult(
        name=windows[0].name,
        seconds=sum(window.seconds for window in windows),
        requests=requests,
        errors=sum(window.errors for window in windows),
        latency_p50_ms=p50s[len(p50s) // 2] if p50s else None,
        latency_p99_ms=max(p99s) if p99s else None,
        tool=windows[0].tool,
        app_cpu_ms=per_request([window.app_cpu_ms for window in windows]),
        db_cpu_ms=per_request([window.db_cpu_ms for window in windows]),
        window_rps=tuple(window.rps for window in windows),
    )


def window_ratios(result: LoadResult, baseline: LoadResult) -> list[float]:
    """Each of `result`'s windows against the baseline's window of the same turn, taken
    seconds before it: the spread of these is how far the machine moved the ratio in one run."""
    if len(result.window_rps) != len(baseline.window_rps):
        return []  # not taken in turn: there is nothing to pair
    pairs = zip(result.window_rps, baseline.window_rps, strict=True)
    return [rps / base for rps, base in pairs if base]


def run(
    questionnaire_path: str,
    *,
    seconds: int,
    connections: int,
    workers: int | None = None,
    rounds: int = 10,
) -> list[LoadResult]:
    """Under load: the minimal view (the baseline) and the questionnaire page (last: the
    target is its requests per second).

    Each line gets `seconds` in all, in `rounds` windows taken in turn (after one unmeasured
    warm-up each): this machine's speed can change by a third within minutes, and two lines
    measured one after the other in one long stretch each would carry that change into their
    ratio."""
    with gunicorn(workers) as server:
        lines = [
            (MINIMAL, server.url + MINIMAL_PATH),
            (QUESTIONNAIRE, server.url + questionnaire_path),
        ]
        window = max(1, round(seconds / rounds))
        windows: dict[str, list[LoadResult]] = {name: [] for name, _ in lines}
        for turn in range(rounds):
            for name, target in lines:
                warmup = 2 if turn == 0 else 0
                windows[name].append(
                    load(name, target, window, connections, warmup=warmup, server=server)
                )
        return [combine(windows[name]) for name, _ in lines]
