"""Performance measurement: benchmark-only settings and URLs, in-process timings, the load test.

Nothing here is imported by the app. Run it with `manage.py benchmark` (docs/PERFORMANCE.md).
"""
