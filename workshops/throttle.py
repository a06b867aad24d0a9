"""Joining a workshop is rate-limited per address: a code is six characters, so guessing one
would take many tries, and each unknown code counts. Only those count: a whole room
often shares one address (the venue's wifi), and everyone in it joins at once with the right
code. Kept in the database, as the sign-in throttle's failures are (places/throttle.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from workshops.models import JoinAttempt

MAX_FAILURES = 10
COOL_OFF = dt.timedelta(minutes=15)

TOO_MANY = (
    "Too many wrong codes have been tried from here. Please wait "
    f"{int(COOL_OFF.total_seconds()) // 60} minutes, then try again, or ask the facilitator."
)


def is_throttled(address: str) -> bool:
    since = timezone.now() - COOL_OFF
    return JoinAttempt.objects.recent_failures(address, since).count() >= MAX_FAILURES


def record_failure(address: str) -> None:
    JoinAttempt.objects.create(address=address)
    # Old rows say nothing any more; pruning here keeps the table small without a scheduler.
    JoinAttempt.objects.filter(attempted_at__lt=timezone.now() - dt.timedelta(days=1)).delete()
