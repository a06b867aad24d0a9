"""Invitation and password-reset links: long enough, single-purpose, expiring, and never stored.

Invitation tokens are an HMAC-SHA256 (256 bits) of a random 128-bit salt under SECRET_KEY; the
database keeps the salt and a SHA-256 hash of the token only (assessments/tokens.py). Password
reset tokens are Django's: bound to the user's password hash, last sign-in and a timestamp, and
not stored at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from assessments import delivery, services, tokens
from assessments.models import CycleStatus, DraftResponse, Invitation, Response
from tests.background import run_tasks
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"
NO_LONGER_WORKS = "This link no longer works"


@pytest.fixture
def cycle(place_a):
    return CycleFactory(
        place=place_a, bank=make_bank(n_conditions=1, n_statements=2), status=CycleStatus.OPEN
    )


@pytest.fixture
def partners(place_a, partner_a):
    return [partner_a, PartnerFactory(place=place_a, name="Ashford Food Bank")]


def invite(cycle, partners, count=3) -> list[Invitation]:
    lines = [
        services.InviteeLine(name=f"Person {i}", email=f"person{i}@example.org", partner=partner)
        for i, partner in zip(range(count), partners * count, strict=False)
    ]
    return services.create_invitations(cycle, lines)


def start_url(token: str) -> str:
    return reverse("respond_start", args=[token])


def reset_path(email_body: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", email_body).group(1)


def reset_token(path: str) -> tuple[str, str]:
    uidb64, token = path.rstrip("/").split("/")[-2:]
    return uidb64, token


def request_reset(client, user) -> str:
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": user.email})
    (message,) = mail.outbox
    return reset_path(message.body)


# --- Length and randomness ----------------------------------------------------------------------


def test_invitation_salt_is_128_random_bits_from_secrets(monkeypatch):
    asked = []
    real = tokens.secrets.token_hex

    def recording(nbytes=None):
        asked.append(nbytes)
        return real(nbytes)

    monkeypatch.setattr(tokens.secrets, "token_hex", recording)
    salt = tokens.new_salt()
    assert asked == [16]  # the operating system's CSPRNG, 16 bytes = 128 bits
    assert tokens.SALT_BYTES * 8 >= 128
    assert re.fullmatch(r"[0-9a-f]{32}", salt)
    assert len({tokens.new_salt() for _ in range(500)}) == 500


def test_invitation_token_is_a_256_bit_hmac_under_the_secret_key(settings):
    salt = tokens.new_salt()
    token = tokens.token_for(salt)
    assert re.fullmatch(r"[0-9a-f]{64}", token)  # 256 bits, hex
    expected = hmac.new(
        settings.SECRET_KEY.encode(), b"betterway.invitation-link:" + salt.encode(), hashlib.sha256
    ).hexdigest()
    assert token == expected
    # The salt alone, as a database holds it, does not give the token without the key.
    settings.SECRET_KEY = "another-key-entirely-for-this-test-only"
    assert tokens.token_for(salt) != token


def test_password_reset_token_has_at_least_128_bits(facilitator_a):
    assert default_token_generator.algorithm == "sha256"
    token = default_token_generator.make_token(facilitator_a)
    timestamp, digest = token.split("-")
    assert re.fullmatch(r"[0-9a-f]{32}", digest)  # every other hex digit of SHA-256: 128 bits


# --- Single purpose -----------------------------------------------------------------------------


def test_the_two_kinds_of_token_are_made_for_different_purposes():
    # Invitation tokens MAC their purpose with the salt; Django's reset tokens use a key derived
    # from their own purpose string, so neither can ever be valid as the other.
    assert tokens._PURPOSE == b"betterway.invitation-link"
    assert tokens._PURPOSE.decode() != PasswordResetTokenGenerator.key_salt
    salt = tokens.new_salt()
    other_purpose = hmac.new(
        django_settings.SECRET_KEY.encode(), b"some.other-purpose:" + salt.encode(), hashlib.sha256
    ).hexdigest()
    assert tokens.token_for(salt) != other_purpose


def test_an_invitation_token_is_not_a_password_reset_token(client, facilitator_a, cycle, partners):
    (invitation,) = invite(cycle, partners, count=1)
    uidb64 = urlsafe_base64_encode(force_bytes(facilitator_a.pk))
    assert not default_token_generator.check_token(facilitator_a, invitation.token)
    page = client.get(
        reverse("password_reset_confirm", args=[uidb64, invitation.token]), follow=True
    )
    assert NO_LONGER_WORKS in page.content.decode()


def test_a_password_reset_token_is_not_an_invitation_token(client, facilitator_a, cycle, partners):
    invite(cycle, partners)
    path = request_reset(client, facilitator_a)
    _uidb64, token = reset_token(path)
    assert client.get(start_url(token)).status_code == 404
    assert Invitation.objects.by_token(token) is None


def test_a_reset_token_works_only_for_its_own_user(client, facilitator_a, member_a):
    path = request_reset(client, facilitator_a)
    _uidb64, token = reset_token(path)
    other = urlsafe_base64_encode(force_bytes(member_a.pk))
    page = client.get(reverse("password_reset_confirm", args=[other, token]), follow=True)
    assert NO_LONGER_WORKS in page.content.decode()


def test_an_invitation_token_opens_only_its_own_invitation(cycle, partners):
    first, second = invite(cycle, partners, count=2)
    assert Invitation.objects.by_token(first.token) == first
    assert Invitation.objects.by_token(second.token) == second
    assert Invitation.objects.by_token(first.token_salt) is None
    assert Invitation.objects.by_token(first.token_hash) is None


# --- Expiry -------------------------------------------------------------------------------------


def answer_everything(client, invitation, partner) -> None:
    client.post(
        reverse("respond_about", args=[invitation.token]),
        {"partner": partner.pk, "role_level": "manager"},
    )
    statements = invitation.cycle.bank.conditions.get().statements.all()
    client.post(
        reverse("respond_page", args=[invitation.token, 1]),
        {**{f"s{s.pk}": "4" for s in statements}, "action": "next"},
    )
    client.post(
        reverse("respond_page", args=[invitation.token, 2]),
        {"spectrum_choice": "strong", "action": "next"},
    )


def test_links_stop_working_when_the_cycle_closes(client, cycle, partners):
    invitation, other = invite(cycle, partners, count=2)
    answer_everything(client, invitation, partners[0])
    services.close_cycle(cycle)
    assert "has closed" in client.get(start_url(invitation.token)).content.decode()
    assert client.get(reverse("respond_about", args=[other.token])).status_code == 403
    refused = client.post(
        reverse("respond_about", args=[other.token]),
        {"partner": partners[0].pk, "role_level": "manager"},
    )
    assert refused.status_code == 403
    assert client.post(reverse("respond_submit", args=[invitation.token])).status_code == 403
    assert not DraftResponse.objects.exists() and not Response.objects.exists()


def test_links_stay_dead_once_the_results_are_released(client, cycle, partners):
    (invitation,) = invite(cycle, partners, count=1)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    assert client.get(reverse("respond_about", args=[invitation.token])).status_code == 403


def test_a_withdrawn_link_stops_working_and_a_reissued_one_replaces_it(client, cycle, partners):
    (invitation,) = invite(cycle, partners, count=1)
    old_token = invitation.token
    services.revoke_invitation(invitation)
    assert "withdrawn" in client.get(start_url(old_token)).content.decode()
    assert client.post(reverse("respond_submit", args=[old_token])).status_code == 403

    services.reissue_invitation(invitation)
    invitation.refresh_from_db()
    assert invitation.token != old_token
    assert client.get(start_url(old_token)).status_code == 404  # the old link is gone for good
    assert client.get(start_url(invitation.token)).status_code == 200


def test_a_submitted_link_can_change_nothing(client, cycle, partners):
    (invitation,) = invite(cycle, partners, count=1)
    answer_everything(client, invitation, partners[0])
    client.post(reverse("respond_submit", args=[invitation.token]))
    assert Response.objects.count() == 1
    again = client.post(
        reverse("respond_about", args=[invitation.token]),
        {"partner": partners[1].pk, "role_level": "volunteer"},
    )
    assert again.status_code == 302  # to the thank-you page
    assert not DraftResponse.objects.exists()
    assert Response.objects.get().role_level == "manager"


def test_password_reset_links_expire_after_the_timeout(client, facilitator_a, monkeypatch):
    assert django_settings.PASSWORD_RESET_TIMEOUT <= 60 * 60 * 24  # a day at most
    path = request_reset(client, facilitator_a)
    _uidb64, token = reset_token(path)
    now = dt.datetime.now()
    timeout = dt.timedelta(seconds=django_settings.PASSWORD_RESET_TIMEOUT)

    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: now + timeout / 2)
    assert default_token_generator.check_token(facilitator_a, token)
    monkeypatch.setattr(
        PasswordResetTokenGenerator, "_now", lambda self: now + timeout + dt.timedelta(seconds=2)
    )
    assert not default_token_generator.check_token(facilitator_a, token)
    assert NO_LONGER_WORKS in client.get(path, follow=True).content.decode()


def test_a_shorter_timeout_is_honoured(client, facilitator_a, settings, monkeypatch):
    settings.PASSWORD_RESET_TIMEOUT = 60
    path = request_reset(client, facilitator_a)
    later = dt.datetime.now() + dt.timedelta(seconds=90)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    assert NO_LONGER_WORKS in client.get(path, follow=True).content.decode()


def test_a_reset_link_dies_when_the_user_signs_in(client, facilitator_a):
    path = request_reset(client, facilitator_a)
    assert Client().login(username="fac_a", password="correct horse battery staple")
    assert NO_LONGER_WORKS in client.get(path, follow=True).content.decode()


# --- A database dump holds no usable link -------------------------------------------------------


def database_dump() -> str:
    """Every row of every table, as text, with session contents decoded too."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 - introspected table name
            for row in cursor.fetchall():
                for cell in row:
                    if isinstance(cell, bytes | memoryview):
                        cell = bytes(cell).decode("utf-8", "replace")
                    parts.append(str(cell))
    for session in Session.objects.all():
        parts.append(str(SessionStore().decode(session.session_data)))
    return "\n".join(parts)


def dumpdata() -> str:
    out = io.StringIO()
    call_command("dumpdata", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_database_dump_after_inviting_holds_no_usable_link(
    client, facilitator_a, member_a, cycle, partners
):
    invitations = invite(cycle, partners, count=4)
    # The worker sends them: its tasks, and the outbox, are in the dump too.
    run_tasks()
    links = [delivery.invitation_url(i) for i in invitations]
    invitation_tokens = [i.token for i in invitations]
    # The emails did carry the links, so there was something to leak.
    assert all(any(t in m.body for m in mail.outbox) for t in invitation_tokens)
    # A respondent has started, and a facilitator is signed in: drafts and sessions exist.
    answer_everything(Client(), invitations[0], partners[0])
    Client().force_login(facilitator_a)
    reset = request_reset(client, member_a)
    _uidb64, reset_secret = reset_token(reset)
    assert default_token_generator.check_token(member_a, reset_secret)

    secrets = [*invitation_tokens, *links, reset, reset_secret]
    for dump in (database_dump(), dumpdata()):
        assert dump.count("fac_a") >= 1  # the dump really holds the data
        for secret in secrets:
            assert secret not in dump

    # No stored value works as a link: try everything token-shaped the dump holds.
    candidates = set(re.findall(r"[A-Za-z0-9_\-]{32,}", database_dump() + dumpdata()))
    salts = {i.token_salt for i in invitations}
    hashes = {i.token_hash for i in invitations}
    assert salts | hashes <= candidates  # the salts and hashes are there, and are tried
    stranger = Client()
    uidb64 = urlsafe_base64_encode(force_bytes(member_a.pk))
    for candidate in candidates:
        assert Invitation.objects.by_token(candidate) is None, candidate
        assert stranger.get(start_url(candidate)).status_code == 404
        assert not default_token_generator.check_token(member_a, candidate)
    confirm = stranger.get(reverse("password_reset_confirm", args=[uidb64, min(hashes)]))
    assert NO_LONGER_WORKS in confirm.content.decode()


def test_after_a_password_reset_no_reset_token_is_left_in_the_database(client, member_a):
    path = request_reset(client, member_a)
    _uidb64, token = reset_token(path)
    form = client.get(path, follow=True)
    # While the form is open, Django keeps the token in the user's own session (out of the URL,
    # so it cannot leak through the Referer header); setting the password removes it.
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    for dump in (database_dump(), dumpdata()):
        assert token not in dump and path not in dump
    member_a.refresh_from_db()
    assert not default_token_generator.check_token(member_a, token)


def test_only_the_salt_and_the_hash_are_stored(cycle, partners):
    (invitation,) = invite(cycle, partners, count=1)
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in {str(v) for v in stored.values()}
    assert {f.name for f in Invitation._meta.concrete_fields} >= {"token_salt", "token_hash"}
    assert not any(f.name == "token" for f in Invitation._meta.concrete_fields)
