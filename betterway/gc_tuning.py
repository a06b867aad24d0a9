"""The garbage collector's settings for a process that serves requests.

Python's cyclic garbage collector runs after every 700 new container objects (dicts, lists,
instances...) and, every so often, walks every object the process holds. A server process holds
a great many that live as long as it does (Django, the apps, the URLconf, compiled templates), and
a big page such as the comparison of 1,000 places makes hundreds of thousands more: measured, the
collector's walks put about 80 ms on that page's slowest requests (p95 242 ms against a p50 of
156 ms; docs/PERFORMANCE.md). So, once the app is loaded:

* `gc.freeze()` moves everything made while starting up out of the collector's sight for good;
* the first generation is collected after 50,000 new containers rather than 700, so a request's
  short-lived objects are mostly freed by reference counting before any collection looks at them.

Reference cycles are still collected, just in fewer, larger batches: memory may hold a few
megabytes more of cyclic garbage between collections.
"""

from __future__ import annotations

import gc

from django.urls import get_resolver

FIRST_GENERATION_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Call once the app is loaded, before the first request."""
    # Every view module, imported with the URLconf, is part of what is frozen.
    get_resolver().url_patterns  # noqa: B018 (loaded for its side effect)
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)
