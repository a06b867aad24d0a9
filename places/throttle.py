"""Sign-in throttling: repeated failures for one username from one address are refused for a
cool-off period. The count is per (username, address), so an attacker elsewhere cannot lock the
real user out: from their own address the real user can still sign in."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from places.models import FailedLogin

log = logging.getLogger("betterway.auth")

MAX_FAILURES = 5
COOL_OFF = dt.timedelta(minutes=15)


def client_address(request) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (the ones further left can be forged by the client)."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    # "::" (the unspecified address) stands for a request that came without one.
    return request.META.get("REMOTE_ADDR") or "::"


def is_throttled(username: str, address: str) -> bool:
    since = timezone.now() - COOL_OFF
    return FailedLogin.objects.recent(username, address, since).count() >= MAX_FAILURES


def record_failure(username: str, address: str) -> None:
    FailedLogin.objects.create(username=username.lower()[:150], address=address)
    # Old rows say nothing any more; pruning here keeps the table small without a scheduler.
    FailedLogin.objects.filter(attempted_at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def clear_failures(username: str, address: str) -> None:
    FailedLogin.objects.filter(username=username.lower(), address=address).delete()
