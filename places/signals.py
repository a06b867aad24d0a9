"""Audit log of sign-ins. Usernames and addresses only: never passwords, tokens or answers."""

from __future__ import annotations

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from places.throttle import client_address

log = logging.getLogger("betterway.auth")


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    log.info("Sign-in: %s from %s", user.get_username(), client_address(request))


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        log.info("Sign-out: %s", user.get_username())


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    address = client_address(request) if request is not None else "unknown"
    # Django already masks the password in `credentials`; only the username is logged.
    log.warning("Failed sign-in for %r from %s", credentials.get("username", ""), address)
