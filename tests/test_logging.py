"""The audit log: sign-ins, failures and denied accesses are logged; tokens, answers and comments
never are, whatever the log level."""

from __future__ import annotations

import email
import email.policy
import io
import logging
import re
import socket
import traceback
from urllib.parse import urlencode

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments import delivery, services
from assessments.models import CycleStatus, Delivery, Invitation, Statement
from places.models import Sector
from places.throttle import MAX_FAILURES
from tests.background import run_tasks
from tests.factories import CycleFactory, PartnerFactory, add_responses, make_bank

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
WRONG_PASSWORD = "not-the-password-Zebra42"
COMMENT = "The council never listens to us at Ashford Food Bank, said Robin"
TAMPERED_COMMENT = "Secret remark in a tampered request about the trust board"
TOKEN_IN_PATH = re.compile(r"/r/(?!\[link\])[^/\s\"']+")


def messages(caplog, logger: str | None = None) -> list[str]:
    return [r.getMessage() for r in caplog.records if logger is None or r.name == logger]


def sign_in(client, username, password=PASSWORD, address="203.0.113.5"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


# --- What is logged -----------------------------------------------------------------------------


def test_sign_ins_sign_outs_and_failures_are_logged_without_passwords(
    client, caplog, facilitator_a
):
    with caplog.at_level(logging.INFO, logger="betterway.auth"):
        sign_in(client, "fac_a", WRONG_PASSWORD)
        sign_in(client, "fac_a")
        client.post(reverse("logout"))
    logged = messages(caplog, "betterway.auth")
    assert logged == [
        "Failed sign-in for 'fac_a' from 203.0.113.5",
        "Sign-in: fac_a from 203.0.113.5",
        "Sign-out: fac_a",
    ]
    failure = next(r for r in caplog.records if r.getMessage().startswith("Failed"))
    assert failure.levelno == logging.WARNING
    assert not any(PASSWORD in m or WRONG_PASSWORD in m for m in messages(caplog))


def test_throttled_sign_ins_are_logged(client, caplog, facilitator_a):
    for _ in range(MAX_FAILURES):
        sign_in(client, "fac_a", WRONG_PASSWORD)
    with caplog.at_level(logging.INFO, logger="betterway.auth"):
        sign_in(client, "fac_a")
    assert "Sign-in refused (throttled) for 'fac_a' from 203.0.113.5" in messages(caplog)


def test_an_outsider_asking_for_another_place_is_logged_as_denied(
    client, caplog, outsider, place_a, facilitator_b, place_b
):
    client.force_login(outsider)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("place_detail", args=["ashford"])).status_code == 404
    assert "Access denied: outsider is not a member of place 'ashford'" in messages(
        caplog, "betterway.access"
    )
    # Django's request log adds the path, but cannot say who asked or why.
    assert "Not Found: /places/ashford/" in messages(caplog, "django.request")

    caplog.clear()
    client.force_login(facilitator_b)  # a facilitator, but of another place
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("cycle_list", args=["ashford"])).status_code == 404
        assert client.get(reverse("dashboard", args=["ashford", 1])).status_code == 404
    denied = messages(caplog, "betterway.access")
    assert denied == ["Access denied: fac_b is not a member of place 'ashford'"] * 2
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "betterway.access")


def test_a_member_asking_for_a_facilitator_page_is_logged_as_denied(client, caplog, member_a):
    client.force_login(member_a)
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("partner_list", args=["ashford"])).status_code == 403
        assert client.get(reverse("comparison")).status_code == 403
    assert messages(caplog, "betterway.access") == [
        "Access denied: member_a is not a facilitator of place 'ashford'"
    ]
    assert "Forbidden (Permission denied): /compare/" in messages(caplog, "django.request")


def test_a_member_and_a_facilitator_of_the_place_are_not_logged_as_denied(
    client, caplog, member_a, facilitator_a
):
    with caplog.at_level(logging.INFO):
        client.force_login(member_a)
        assert client.get(reverse("place_detail", args=["ashford"])).status_code == 200
        client.force_login(facilitator_a)
        assert client.get(reverse("partner_list", args=["ashford"])).status_code == 200
    assert messages(caplog, "betterway.access") == []


# --- What is never logged -----------------------------------------------------------------------


@pytest.fixture
def console_output():
    """What the configured console handler (with its redacting filter) actually writes."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.django_db(transaction=True)
def test_no_token_answer_or_comment_is_ever_logged(
    client, caplog, console_output, place_a, partner_a, facilitator_a, member_a, outsider
):
    food_bank = PartnerFactory(place=place_a, name="Ashford Food Bank", sector=Sector.VOLUNTARY)
    cycle = CycleFactory(
        place=place_a,
        bank=make_bank(n_conditions=2, n_statements=3),
        status=CycleStatus.OPEN,
        min_group_size=3,
    )
    statements = list(Statement.objects.for_bank(cycle.bank).order_by("condition__order", "order"))
    posted: list[dict] = []
    facilitator = Client()
    respondent = Client()

    def post(client, url, data):
        posted.append(data)
        return client.post(url, data)

    with caplog.at_level(logging.DEBUG):
        # The facilitator signs in and invites two people; the emails carry their links.
        assert sign_in(facilitator, "fac_a").status_code == 302
        import_url = reverse("invitation_import", args=["ashford", cycle.pk])
        lines = "Robin, robin@example.org, Ashford Food Bank\nSam, sam@example.org, Ashford Council"
        assert facilitator.post(import_url, {"lines": lines}).status_code == 302
        run_tasks()  # the worker sends the emails
        robin = Invitation.objects.get(email="robin@example.org")
        sam = Invitation.objects.get(email="sam@example.org")
        assert all(i.token in "".join(m.body for m in mail.outbox) for i in (robin, sam))
        facilitator.get(reverse("cycle_detail", args=["ashford", cycle.pk]))  # shows the links

        # Robin answers everything, with a comment, tries a few tampered requests, and submits.
        token = robin.token

        def page(number: int) -> str:
            return reverse("respond_page", args=[token, number])

        respondent.get(reverse("respond_start", args=[token]))
        post(
            respondent,
            reverse("respond_about", args=[token]),
            {"partner": food_bank.pk, "role_level": "volunteer"},
        )
        first = {f"s{s.pk}": v for s, v in zip(statements[:3], ["5", "2", "dk"], strict=True)}
        tampered = {**first, f"s{statements[0].pk}": "6", "comment": TAMPERED_COMMENT}
        assert post(respondent, page(1), {**tampered, "action": "next"}).status_code == 400
        foreign = {**first, f"s{statements[3].pk}": "1", "comment": TAMPERED_COMMENT}
        assert post(respondent, page(1), {**foreign, "action": "next"}).status_code == 400
        post(respondent, page(1), {**first, "action": "next", "comment": COMMENT})
        second = {f"s{s.pk}": v for s, v in zip(statements[3:], ["1", "4", "3"], strict=True)}
        post(respondent, page(2), {**second, "action": "next"})
        assert post(respondent, page(3), {"spectrum_choice": "anarchy"}).status_code == 400
        post(respondent, page(3), {"spectrum_choice": "weak", "action": "next"})
        respondent.get(reverse("respond_review", args=[token]))
        assert respondent.post(reverse("respond_submit", args=[token])).status_code == 302
        respondent.post(reverse("respond_submit", args=[token]))  # a double click

        # Sam's link is withdrawn; Sam tries it anyway. Someone tries a made-up link.
        revoke = reverse("invitation_revoke", args=["ashford", cycle.pk, sam.pk])
        facilitator.post(revoke)
        stranger = Client()
        assert stranger.get(reverse("respond_start", args=[sam.token])).status_code == 403
        assert stranger.get(reverse("respond_about", args=[sam.token])).status_code == 403
        assert stranger.post(reverse("respond_submit", args=[sam.token])).status_code == 403
        made_up = "0123456789abcdef" * 4
        assert stranger.get(reverse("respond_start", args=[made_up])).status_code == 404

        # Enough others answer; the facilitator closes and releases; a member reads it all.
        add_responses(cycle, partner_a, count=2, values=4)
        facilitator.post(reverse("cycle_close", args=["ashford", cycle.pk]))
        facilitator.post(reverse("cycle_release", args=["ashford", cycle.pk]))
        after_close = stranger.post(page(1), {**first, "action": "next"})
        # Robin submitted: a page sent again later lands on the thank-you page, adding nothing.
        assert after_close.status_code == 302
        assert after_close["Location"] == reverse("respond_start", args=[token])
        member = Client()
        assert sign_in(member, "member_a", WRONG_PASSWORD).status_code == 200  # a failure
        assert sign_in(member, "member_a").status_code == 302
        dashboard = member.get(reverse("dashboard", args=["ashford", cycle.pk]))
        assert COMMENT in dashboard.content.decode()  # the comment is real, and was shown
        member.get(reverse("dashboard_print", args=["ashford", cycle.pk]))
        assert COMMENT in member.get(
            reverse("dashboard_csv", args=["ashford", cycle.pk])
        ).content.decode("utf-8-sig")

        # An outsider probes the place; a password reset is asked for and its link opened.
        nosy = Client()
        nosy.force_login(outsider)
        nosy.get(reverse("dashboard", args=["ashford", cycle.pk]))
        mail.outbox.clear()
        Client().post(reverse("password_reset"), {"email": "member_a@example.org"})
        reset_path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
        reset_path = reset_path.group(1)
        Client().get(reset_path, follow=True)

    robin.refresh_from_db()
    sam.refresh_from_db()
    secrets = {
        PASSWORD,
        WRONG_PASSWORD,
        COMMENT,
        TAMPERED_COMMENT,
        reset_path,
        reset_path.rstrip("/").rsplit("/", 1)[1],  # the reset token alone
    }
    for invitation in (robin, sam):
        secrets |= {invitation.token, invitation.token_hash, invitation.token_salt}
    # The answers as they travelled: the form bodies, and each field=value pair in them.
    for data in posted:
        body = urlencode(data)
        secrets.add(body)
        secrets |= {urlencode({key: value}) for key, value in data.items() if key.startswith("s")}

    records = caplog.records
    assert records, "the journey was logged"
    written = console_output.getvalue()
    assert written, "the console handler wrote the log"
    for record in records:
        # The message, and every attribute a handler or formatter could print.
        everything = record.getMessage() + " " + " ".join(map(str, vars(record).values()))
        leaked = [secret for secret in secrets if secret in everything]
        assert not leaked, (record.name, record.getMessage(), leaked)
        assert not TOKEN_IN_PATH.search(record.getMessage()), record.getMessage()
    leaked = [secret for secret in secrets if secret in written]
    assert not leaked, leaked
    assert not TOKEN_IN_PATH.search(written)

    logged = messages(caplog)
    # The refusals were logged, with the link's token replaced.
    assert "Bad Request: /r/[link]/page/1/" in logged
    assert "Forbidden: /r/[link]/about/" in logged
    assert "Not Found: /r/[link]/" in logged
    assert "Failed sign-in for 'member_a' from 203.0.113.5" in logged
    assert "Sign-in: fac_a from 203.0.113.5" in logged
    assert "Access denied: outsider is not a member of place 'ashford'" in logged
    assert any(m.startswith("Sent invitation for delivery ") for m in logged)
    assert "/r/[link]/" in written


def test_sql_is_not_logged_even_at_debug_level(client, caplog, settings, place_a, partner_a):
    # SQL parameters would hold token hashes, answers and comments: the database logger stays at
    # WARNING whatever LOG_LEVEL says, even with DEBUG on (when Django records every query).
    settings.DEBUG = True
    cycle = CycleFactory(
        place=place_a, bank=make_bank(n_conditions=1, n_statements=1), status=CycleStatus.OPEN
    )
    line = services.InviteeLine(name="Robin", email="robin@example.org", partner=partner_a)
    (invitation,) = services.create_invitations(cycle, [line])
    with caplog.at_level(logging.DEBUG):
        assert client.get(reverse("respond_start", args=[invitation.token])).status_code == 200
        Invitation.objects.filter(pk=invitation.pk).update(name=COMMENT)
    assert not [r for r in caplog.records if r.name.startswith("django.db")]
    logged = " ".join(messages(caplog))
    assert COMMENT not in logged and invitation.token_hash not in logged


# --- Emails sent over SMTP ----------------------------------------------------------------------


class Inbox:
    """A real SMTP server (aiosmtpd) that keeps what it is sent, or refuses every recipient."""

    def __init__(self, refuse: bool):
        self.refuse = refuse
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        return "250 Message accepted"


@pytest.fixture
def smtp_server(settings, caplog):
    def start(refuse: bool = False) -> Inbox:
        inbox = Inbox(refuse)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
            }
        }
        return inbox

    started: list[Controller] = []
    # The test's own mail server logs every line it receives: that is the far end of the wire,
    # not this app's log, so it is kept out of what is checked.
    caplog.set_level(logging.WARNING, logger="mail.log")
    yield start
    for controller in started:
        controller.stop()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("refuse", [False, True], ids=["delivered", "refused"])
def test_invitations_sent_over_smtp_put_no_link_in_the_log(
    client, caplog, console_output, smtp_server, place_a, partner_a, facilitator_a, refuse
):
    inbox = smtp_server(refuse=refuse)
    cycle = CycleFactory(
        place=place_a, bank=make_bank(n_conditions=1, n_statements=3), status=CycleStatus.OPEN
    )
    with caplog.at_level(logging.DEBUG):
        sign_in(client, "fac_a")
        lines = "Robin, robin@example.org, Ashford Council\nSam, sam@example.org, Ashford Council"
        client.post(reverse("invitation_import", args=["ashford", cycle.pk]), {"lines": lines})
        run_tasks()  # a worker sends them
        page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    invitations = list(Invitation.objects.filter(cycle=cycle))
    assert len(invitations) == 2
    deliveries = Delivery.objects.filter(invitation__in=invitations)
    logged = messages(caplog)
    if refuse:
        assert inbox.messages == []
        assert "2 emails could not be sent" in page
        refused = "The mail server refused this address (550 5.1.1 No such mailbox here)."
        assert {f"Delivery {d.pk} failed after 1 attempt(s): {refused}" for d in deliveries} <= (
            set(logged)
        )
    else:
        # The links really went out over SMTP, in the emails.
        bodies = [m.get_body(("plain",)).get_content() for m in inbox.messages]
        assert sorted(m["To"] for m in inbox.messages) == ["robin@example.org", "sam@example.org"]
        for invitation in invitations:
            assert any(invitation.token in body for body in bodies)
        assert "2 sent." in page
        assert {f"Sent invitation for delivery {d.pk}" for d in deliveries} <= set(logged)

    secrets = set()
    for invitation in invitations:
        secrets |= {invitation.token, invitation.token_hash, delivery.invitation_url(invitation)}
    records = [r for r in caplog.records if not r.name.startswith("mail.")]
    for record in records:
        everything = record.getMessage() + " " + " ".join(map(str, vars(record).values()))
        if record.exc_info:
            everything += "".join(traceback.format_exception(*record.exc_info))
        assert not [s for s in secrets if s in everything], (record.name, record.getMessage())
        assert not TOKEN_IN_PATH.search(everything), record.getMessage()
    written = console_output.getvalue()
    assert written
    assert not [s for s in secrets if s in written]
    assert not TOKEN_IN_PATH.search(written)
