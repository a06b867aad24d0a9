"""Sign-in throttling per (username, address), and the sign-in audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from places.models import FailedLogin
from places.throttle import MAX_FAILURES

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def attempt(client, password, address="203.0.113.5", username="fac_a"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_repeated_failures_are_refused_even_with_the_right_password(client, facilitator_a):
    for _ in range(MAX_FAILURES):
        assert attempt(client, "wrong").status_code == 200
    response = attempt(client, PASSWORD)
    assert response.status_code == 200
    assert "Too many unsuccessful attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_real_user_elsewhere_is_not_locked_out(client, facilitator_a):
    for _ in range(MAX_FAILURES + 3):
        attempt(client, "wrong", address="198.51.100.66")  # the attacker's address
    response = attempt(client, PASSWORD, address="203.0.113.5")  # the user's own
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(facilitator_a.pk)


def test_cool_off_expires(client, facilitator_a):
    for _ in range(MAX_FAILURES):
        attempt(client, "wrong")
    FailedLogin.objects.update(attempted_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert attempt(client, PASSWORD).status_code == 302


def test_success_clears_earlier_failures(client, facilitator_a):
    for _ in range(MAX_FAILURES - 1):
        attempt(client, "wrong")
    assert attempt(client, PASSWORD).status_code == 302
    assert not FailedLogin.objects.filter(username="fac_a").exists()


def test_attempts_are_logged_without_passwords(client, facilitator_a, caplog):
    with caplog.at_level("INFO", logger="betterway.auth"):
        attempt(client, "wrong-secret-123")
        attempt(client, PASSWORD)
    messages = [r.getMessage() for r in caplog.records if r.name == "betterway.auth"]
    assert any("Failed sign-in for 'fac_a' from 203.0.113.5" in m for m in messages)
    assert any("Sign-in: fac_a from 203.0.113.5" in m for m in messages)
    assert not any("wrong-secret-123" in m or PASSWORD in m for m in messages)


def test_forwarded_address_used_only_behind_trusted_proxies(client, facilitator_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(MAX_FAILURES):
        client.post(
            reverse("login"),
            {"username": "fac_a", "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
        )
    assert set(FailedLogin.objects.values_list("address", flat=True)) == {"198.51.100.7"}
