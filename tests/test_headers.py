"""Security headers and cookies under production settings (DEBUG off)."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages.middleware import MessageMiddleware
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


# --- Every response, errors included ------------------------------------------------------------


def assert_security_headers(response, secure: bool = True) -> None:
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in policy, (response.status_code, policy)
    assert "unsafe" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    if secure:
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def assert_own_page_without_inline_code(response, text: str) -> None:
    """The app's own error page, which the CSP lets render as it is: no inline script or style."""
    html = response.content.decode()
    assert text in html
    assert "<style" not in html and " style=" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []  # no inline event handlers


def test_a_refused_host_gets_the_apps_400_page_with_every_header(https_client, caplog):
    response = https_client.get(reverse("login"), secure=True, HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert_own_page_without_inline_code(response, "We could not understand that request")
    assert "Invalid HTTP_HOST header" in caplog.text  # and Django's security log says why


def test_plain_http_to_a_refused_host_is_sent_to_the_public_address_with_headers(https_client):
    # The HTTPS redirect names SITE_URL's host, never the one the request gave: so it neither
    # echoes an attacker's host nor fails inside SecurityMiddleware, where its 400 would miss
    # the headers.
    with override_settings(SECURE_SSL_HOST="health-check.example.org"):
        response = Client().get("/accounts/login/?next=/", HTTP_HOST="attacker.example")
    assert response.status_code == 301
    assert response["Location"] == "https://health-check.example.org/accounts/login/?next=/"
    assert_security_headers(response, secure=False)


def test_403_pages_carry_every_header(https_client, member_a):
    https_client.force_login(member_a)
    response = https_client.get(reverse("partner_list", args=["ashford"]), secure=True)
    assert response.status_code == 403
    assert_security_headers(response)
    assert_own_page_without_inline_code(response, "You do not have access to this page")


def test_a_csrf_failure_carries_every_header(facilitator_a):
    with override_settings(**PRODUCTION):
        client = Client(enforce_csrf_checks=True)
        client.force_login(facilitator_a)
        response = client.post(reverse("logout"), secure=True)
    assert response.status_code == 403
    assert_security_headers(response)
    assert_own_page_without_inline_code(response, "Please send that again")


@pytest.mark.parametrize("signed_in", [False, True])
def test_404_pages_carry_every_header(https_client, facilitator_a, signed_in):
    if signed_in:
        https_client.force_login(facilitator_a)
    response = https_client.get("/no-such-page/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response)
    assert_own_page_without_inline_code(response, "We could not find that page")


def test_a_crash_in_a_view_gets_the_apps_500_page_with_every_header(facilitator_a, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("places.views.render", broken)
    with override_settings(**PRODUCTION):
        client = Client(raise_request_exception=False)
        client.force_login(facilitator_a)
        response = client.get(reverse("home"), secure=True)
    assert response.status_code == 500
    assert_security_headers(response)
    assert "no-store" in response["Cache-Control"]
    assert_own_page_without_inline_code(response, "Something went wrong on our side")


def test_a_crash_in_a_middleware_gets_every_header_too(facilitator_a, monkeypatch):
    # A failure before the view (here the messages middleware, the innermost) is turned into the
    # 500 page at that point, so only the middleware outside it see the response.
    def broken(self, request):
        raise RuntimeError("a bug")

    monkeypatch.setattr(MessageMiddleware, "process_request", broken)
    with override_settings(**PRODUCTION):
        client = Client(raise_request_exception=False)
        response = client.get(reverse("login"), secure=True)
    assert response.status_code == 500
    assert_security_headers(response)
    assert_own_page_without_inline_code(response, "Something went wrong on our side")


def test_static_files_carry_the_headers_too():
    # WhiteNoise serves them before the rest of the app; here from the source folders, as the
    # tests run without collectstatic.
    with override_settings(**PRODUCTION, WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True):
        response = Client().get("/static/css/app.css", secure=True)
    assert response.status_code == 200
    assert_security_headers(response)
