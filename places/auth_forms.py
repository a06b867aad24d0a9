from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from places import throttle


class LockOutMessageMixin:
    """The throttle itself is the authentication backend (places/throttle.py); this only tells a
    refused person why, in place of "wrong password", on every sign-in form."""

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError as error:
            username = self.cleaned_data.get("username") or ""
            address = throttle.client_address(self.request)
            if username and throttle.is_throttled(username, address):
                raise forms.ValidationError(throttle.LOCKED_OUT, code="throttled") from error
            raise


class ThrottledAuthenticationForm(LockOutMessageMixin, AuthenticationForm):
    """The form of /accounts/login/."""


class ThrottledAdminAuthenticationForm(LockOutMessageMixin, AdminAuthenticationForm):
    """The form of /admin/login/."""
