"""Security headers and cookies under production settings (DEBUG off)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from betterway.settings import SECURE_CSP

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DEBUG": False,
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "ALLOWED_HOSTS": ["testserver"],
}


@pytest.fixture
def https_client():
    with override_settings(**PRODUCTION):
        yield Client()  # a new client builds its middleware under these settings


def test_csp_enforced_without_unsafe_sources(https_client):
    response = https_client.get(reverse("login"), secure=True)
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Content-Security-Policy-Report-Only" not in response


def test_transport_and_browser_headers(https_client):
    response = https_client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "no-store" in response["Cache-Control"]


def test_plain_http_redirects_to_https(https_client):
    response = https_client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_cookies_are_secure_httponly_samesite(https_client, facilitator_a):
    page = https_client.get(reverse("login"), secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    response = https_client.post(
        reverse("login"),
        {"username": "fac_a", "password": "correct horse battery staple"},
        secure=True,
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"


def test_settings_policy_has_no_inline_allowances():
    flat = " ".join(" ".join(values) for values in SECURE_CSP.values())
    assert "unsafe" not in flat
