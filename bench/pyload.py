"""Fallback load generator when wrk is not installed: `python bench/pyload.py URL SECONDS N`.

N threads each send one GET at a time to URL (loopback only) until SECONDS have passed, then it
prints "requests errors elapsed". Run as its own process, so it does not share the server's CPU
accounting or Python's lock with anything measured.
"""

import http.client
import sys
import threading
import time
from urllib.parse import urlsplit


def main(url: str, seconds: float, connections: int) -> None:
    parts = urlsplit(url)
    if parts.scheme != "http" or parts.hostname != "127.0.0.1":
        raise SystemExit("only http://127.0.0.1 is allowed")
    path = parts.path or "/"
    counts = {"requests": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        requests = errors = 0
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    errors += 1
            except OSError:
                errors += 1
            finally:
                conn.close()
            requests += 1
        with lock:
            counts["requests"] += requests
            counts["errors"] += errors

    start = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(counts["requests"], counts["errors"], time.monotonic() - start)


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]), int(sys.argv[3]))
