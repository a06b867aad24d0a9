from __future__ import annotations

import logging

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from places import throttle

log = logging.getLogger("betterway.auth")


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": (
            "Too many unsuccessful attempts to sign in as this user from here. Please wait "
            "15 minutes and try again, or reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request)
        if username and throttle.is_throttled(username, address):
            log.warning("Sign-in refused (throttled) for %r from %s", username, address)
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                throttle.record_failure(username, address)
            raise
        throttle.clear_failures(username, address)
        return cleaned
