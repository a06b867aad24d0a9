"""gunicorn's settings for this app.

gunicorn reads ./gunicorn.conf.py by itself, so `gunicorn betterway.wsgi:application` started in
the repository's folder runs with these: the Docker image, docker-compose and the benchmark's load
test (bench/loadtest.py) alike.
"""

import gc
import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


# Sync workers: one per core, and one more for the moments a worker waits for PostgreSQL; each
# holds one connection to PostgreSQL (CONN_MAX_AGE), so a server needs `workers` connections.
# WEB_CONCURRENCY sets the number, as it does for gunicorn's own default; the Docker image sets
# it, since a container sees every core of its host rather than its CPU limit.
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores() + 1)

# The garbage collector's first generation is collected after this many new objects, not 700.
GC_FIRST_GENERATION = 50_000


def post_worker_init(worker) -> None:
    tune_gc()


def tune_gc() -> None:
    """Set the collector for serving, once the app is loaded: what start-up made is frozen out
    of its walks for good, and a request's short-lived objects are mostly freed by reference
    counting before any collection looks at them. Measured on the comparison of 1,000 places,
    the biggest page: it halves the CPU of its slowest requests (docs/PERFORMANCE.md)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view module, to be frozen too)
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(GC_FIRST_GENERATION, second, third)
