"""gunicorn's settings for this app.

gunicorn reads ./gunicorn.conf.py by itself, so `gunicorn betterway.wsgi:application` started in
the repository's folder runs with these: the Docker image, docker-compose and the benchmark's load
test (bench/loadtest.py) alike.
"""

import os


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


# Sync workers: one per core, and one more for the moments a worker waits for PostgreSQL; each
# holds a connection to PostgreSQL. On 2 cores, where PostgreSQL shares them, 4 workers were
# never steadily better than 3 (docs/PERFORMANCE.md). WEB_CONCURRENCY sets the number, as it
# does for gunicorn's own default; the Docker image sets it, since a container sees every core
# of its host rather than its CPU limit.
workers = int(os.environ.get("WEB_CONCURRENCY") or _cores() + 1)
