"""The garbage collector's settings for a process that serves requests.

Python's cyclic garbage collector runs after every 700 new container objects (dicts, lists,
instances...) and, every so often, walks every object the process holds. A server process holds
a great many that live as long as it does (Django, the apps, the URLconf, compiled templates), and
a big page such as the comparison of 1,000 places makes hundreds of thousands more: measured in
process, those walks made that page's slowest requests (p95 249 and 223 ms in two runs, against
162 and 180 ms with the settings below; docs/PERFORMANCE.md). So, once the app is loaded:

* `gc.freeze()` moves everything made while starting up out of the collector's sight for good;
* the first generation is collected after 50,000 new containers rather than 700, so a request's
  short-lived objects are mostly freed by reference counting before any collection looks at them.

Reference cycles are still collected, in fewer and larger batches: between two collections a
process may hold up to 50,000 unreachable containers, and whatever they refer to, that it would
otherwise have freed sooner. betterway/wsgi.py and asgi.py call this, so `runserver` (which serves
through wsgi.py) has it too; the benchmark calls it before measuring.
"""

from __future__ import annotations

import gc

FIRST_GENERATION_THRESHOLD = 50_000


def tune_for_serving() -> None:
    """Call once the app is loaded, before the first request."""
    from django.urls import get_resolver  # settings are configured by now

    # Every view module, imported with the URLconf, is part of what is frozen.
    get_resolver().url_patterns  # noqa: B018 (loaded for its side effect)
    gc.collect()  # what start-up left as garbage is freed, not frozen
    gc.freeze()
    _, second, third = gc.get_threshold()
    gc.set_threshold(FIRST_GENERATION_THRESHOLD, second, third)
