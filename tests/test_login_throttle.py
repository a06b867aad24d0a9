"""Sign-in throttling per (username, address), on every way in: the sign-in page, the admin's
sign-in, the password reset link, and any other authenticate() call."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import aauthenticate, authenticate
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse

from places.models import FailedLogin
from places.throttle import LOCKED_OUT, MAX_FAILURES

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a brand new long passphrase"
ATTACKER = "198.51.100.66"


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


# --- The admin's sign-in -----------------------------------------------------------------------


def admin_attempt(client, password, address=ATTACKER, username="staff"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def test_admin_sign_in_is_throttled_with_the_same_message(client, staff):
    # The attack that used to work: ten wrong passwords for a staff account, then the right one.
    for _ in range(10):
        assert admin_attempt(client, "wrong").status_code == 200
    response = admin_attempt(client, PASSWORD)
    assert response.status_code == 200
    assert LOCKED_OUT in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"), REMOTE_ADDR=ATTACKER).status_code == 302


def test_admin_sign_in_works_and_clears_failures(client, staff):
    for _ in range(MAX_FAILURES - 1):
        admin_attempt(client, "wrong")
    response = admin_attempt(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert not FailedLogin.objects.exists()


def test_admin_sign_in_from_elsewhere_is_not_locked_out(client, staff):
    for _ in range(MAX_FAILURES + 3):
        admin_attempt(client, "wrong")
    assert admin_attempt(Client(), PASSWORD, address="203.0.113.5").status_code == 302


def test_failures_on_one_sign_in_page_count_on_the_other(client, staff):
    for _ in range(MAX_FAILURES):
        attempt(client, "wrong", address=ATTACKER, username="staff")
    response = admin_attempt(Client(), PASSWORD)
    assert LOCKED_OUT in response.content.decode()
    for _ in range(MAX_FAILURES):
        admin_attempt(client, "wrong", username="fac_a")
    assert LOCKED_OUT in attempt(Client(), PASSWORD, address=ATTACKER).content.decode()


def test_the_lock_out_message_is_the_same_on_the_sign_in_page(client, facilitator_a):
    for _ in range(MAX_FAILURES):
        attempt(client, "wrong")
    assert LOCKED_OUT in attempt(client, PASSWORD).content.decode()


# --- Any authenticate() call -------------------------------------------------------------------


def test_every_authenticate_call_goes_through_the_throttle(facilitator_a):
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    for _ in range(MAX_FAILURES):
        assert authenticate(request, username="fac_a", password="wrong") is None
    assert authenticate(request, username="fac_a", password=PASSWORD) is None
    assert async_to_sync(aauthenticate)(request, username="fac_a", password=PASSWORD) is None
    elsewhere = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
    assert authenticate(elsewhere, username="fac_a", password=PASSWORD) == facilitator_a


def test_async_authenticate_counts_failures_too(facilitator_a):
    request = RequestFactory().post("/", REMOTE_ADDR=ATTACKER)
    for _ in range(MAX_FAILURES):
        async_to_sync(aauthenticate)(request, username="fac_a", password="wrong")
    assert FailedLogin.objects.count() == MAX_FAILURES
    assert authenticate(request, username="fac_a", password=PASSWORD) is None


# --- The password reset link -------------------------------------------------------------------


def reset_link(user) -> str:
    """The path of a real reset link for `user`, as emailed."""
    mail.outbox.clear()
    Client().post(reverse("password_reset"), {"email": user.email})
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)


def wrong_token(path: str) -> str:
    uid, token = path.rstrip("/").split("/")[-2:]
    return reverse("password_reset_confirm", args=[uid, token[:-6] + "000000"])


def set_new_password(client, path, address):
    """Open the link, then choose a new password, as the reset pages ask."""
    page = client.get(path, REMOTE_ADDR=address, follow=True)
    if not page.redirect_chain:
        return page
    return client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=address,
    )


def test_reset_links_are_throttled_with_the_same_message(client, facilitator_a):
    link = reset_link(facilitator_a)
    for _ in range(MAX_FAILURES):
        page = client.get(wrong_token(link), REMOTE_ADDR=ATTACKER)
        assert "This link no longer works" in page.content.decode()
    response = set_new_password(client, link, ATTACKER)  # now even the right link is refused
    assert response.status_code == 200
    assert LOCKED_OUT in response.content.decode()
    facilitator_a.refresh_from_db()
    assert facilitator_a.check_password(PASSWORD) and not facilitator_a.check_password(NEW_PASSWORD)
    # The wrong links counted as failed sign-ins: the sign-in page is shut from there too.
    assert LOCKED_OUT in attempt(Client(), PASSWORD, address=ATTACKER).content.decode()


def test_a_reset_link_opened_before_the_lock_out_cannot_then_set_a_password(client, facilitator_a):
    page = client.get(reset_link(facilitator_a), REMOTE_ADDR=ATTACKER, follow=True)
    assert "Choose a new password" in page.content.decode()
    for _ in range(MAX_FAILURES):
        attempt(Client(), "wrong", address=ATTACKER)
    response = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert LOCKED_OUT in response.content.decode()
    facilitator_a.refresh_from_db()
    assert facilitator_a.check_password(PASSWORD)


def test_reset_link_works_from_elsewhere_and_clears_failures(client, facilitator_a):
    link = reset_link(facilitator_a)
    for _ in range(MAX_FAILURES):
        Client().get(wrong_token(link), REMOTE_ADDR=ATTACKER)
    for _ in range(MAX_FAILURES - 1):
        Client().get(wrong_token(link), REMOTE_ADDR="203.0.113.5")
    done = set_new_password(client, link, "203.0.113.5")
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")
    facilitator_a.refresh_from_db()
    assert facilitator_a.check_password(NEW_PASSWORD)
    assert set(FailedLogin.objects.values_list("address", flat=True)) == {ATTACKER}


def test_a_reset_link_for_no_such_user_counts_nothing(client):
    path = reverse("password_reset_confirm", args=["OTk5OTk", "abc-def"])
    assert "This link no longer works" in client.get(path).content.decode()
    assert not FailedLogin.objects.exists()
