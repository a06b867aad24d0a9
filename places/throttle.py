"""Sign-in throttling: repeated failures for one username from one address are refused for a
cool-off period. The count is per (username, address), so an attacker elsewhere cannot lock the
real user out: from their own address the real user can still sign in.

Every way in goes through it: `ThrottledModelBackend` is the only authentication backend, so every
`authenticate()` call (the sign-in page, the admin's sign-in, anything added later) is counted and
refused alike; the password reset link, which lets a password be set without one, counts and
refuses in `places.views.PasswordResetConfirmView`."""

from __future__ import annotations

import datetime as dt
import logging

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from places.models import FailedLogin

log = logging.getLogger("betterway.auth")

MAX_FAILURES = 5
COOL_OFF = dt.timedelta(minutes=15)

# The one lock-out message, on every page where a password or a reset link is checked.
LOCKED_OUT = (
    "Too many unsuccessful attempts to sign in as this user from here. Please wait "
    f"{int(COOL_OFF.total_seconds()) // 60} minutes, then try again."
)


def client_address(request) -> str:
    """The client's address; behind N trusted proxies, the Nth address from the right of
    X-Forwarded-For (the ones further left can be forged by the client)."""
    if request is None:
        return "::"
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


class ThrottledModelBackend(ModelBackend):
    """Django's username-and-password backend behind the throttle. A throttled pair is refused
    before the password is even checked (PermissionDenied stops `authenticate()`, which then sends
    `user_login_failed` as for a wrong password); a wrong password counts; the right one clears."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.pop(get_user_model().USERNAME_FIELD, None)
        if username is None or password is None:
            return None
        address = client_address(request)
        if is_throttled(username, address):
            log.warning("Sign-in refused (throttled) for %r from %s", username, address)
            raise PermissionDenied
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            record_failure(username, address)
        else:
            clear_failures(username, address)
        return user

    async def aauthenticate(self, request, username=None, password=None, **kwargs):
        # ModelBackend has its own async version; route it through the throttled one.
        return await sync_to_async(self.authenticate)(
            request, username=username, password=password, **kwargs
        )
