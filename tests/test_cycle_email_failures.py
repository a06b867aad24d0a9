"""Emails that fail, reached through the facilitator's buttons: inviting people, issuing a new link
and sending reminders. Each failure is listed on the cycle page with its reason, the rest of the
batch is still sent, and "try again" sends what failed once the problem is gone. The worker runs
in this process against a local SMTP server (tests/background.py)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from assessments import services
from assessments.models import (
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
)
from tests.background import MailServer, free_port, run_tasks
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db(transaction=True)

REJECTED = "The mail server refused this address (550 5.1.1"
BUSY = "The mail server asked us to try again later (451 4.3.0 Too busy, try again later)."
UNREACHABLE = "The mail server could not be reached (ConnectionRefusedError"
FAILED_ROW = re.compile(
    r'<tr>\s*<th scope="row">(.*?)</th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', re.S
)


@pytest.fixture
def cycle(place_a):
    PartnerFactory(place=place_a, name="Ashford Council")
    return CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN)


@pytest.fixture
def mailer(settings):
    """Points the app's mailer at a local SMTP server started with the options given, or at a port
    where nothing listens (no options: `down=True`)."""
    servers = []
    settings.DELIVERY_RETRY_SECONDS = 0  # retries are due at once: run_tasks runs them all
    settings.DELIVERY_MAX_ATTEMPTS = 2

    def start(down: bool = False, **options) -> MailServer | None:
        server = None if down else MailServer(**options).start()
        if server:
            servers.append(server)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {
                    "host": "127.0.0.1",
                    "port": server.port if server else free_port(),
                    "timeout": 10,
                },
            }
        }
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def facilitator(client, facilitator_a):
    client.force_login(facilitator_a)
    return client


def cycle_url(name, cycle, *args):
    return reverse(name, args=[cycle.place.slug, cycle.pk, *args])


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def failures_listed(client, cycle) -> list[tuple[str, str, str, str]]:
    """The rows of the cycle page's "could not be sent" table: name, address, email, reason."""
    page = client.get(cycle_url("cycle_detail", cycle)).content.decode()
    if 'id="failed-emails"' not in page:
        return []
    section = page[page.index('id="failed-emails"') :]
    section = section[: section.index("</table>")]
    return [
        tuple(html.unescape(cell).strip() for cell in row) for row in FAILED_ROW.findall(section)
    ]


def heading(client, cycle) -> str | None:
    page = html.unescape(client.get(cycle_url("cycle_detail", cycle)).content.decode())
    found = re.search(r'id="failed-emails">([^<]*)<', page)
    return found.group(1) if found else None


def statuses(kind) -> dict[str, tuple[str, int]]:
    rows = Delivery.objects.filter(kind=kind).select_related("invitation")
    return {d.invitation.email: (d.status, d.attempts) for d in rows}


def test_an_invitation_refused_by_the_mail_server_is_listed_and_the_rest_are_sent(
    facilitator, cycle, mailer
):
    server = mailer(reject={"gone@example.org"})
    response = facilitator.post(
        cycle_url("invitation_import", cycle),
        {
            "lines": "Jo Bloggs, jo@example.org, Ashford Council\n"
            "Gone Away, gone@example.org, Ashford Council"
        },
    )
    assert response.status_code == 302
    assert flash(response) == [
        "Invited 2 people: their emails are being sent now. Any email that cannot be sent will "
        "be listed on this page."
    ]
    run_tasks()
    assert [m["To"] for m in server.received] == ["jo@example.org"]
    assert statuses(DeliveryKind.INVITATION) == {
        "jo@example.org": (DeliveryStatus.SENT, 1),
        "gone@example.org": (DeliveryStatus.FAILED, 1),  # refused for good: not tried again
    }
    assert heading(facilitator, cycle) == "1 email could not be sent"
    ((name, address, kind, reason),) = failures_listed(facilitator, cycle)
    assert (name, address, kind) == ("Gone Away", "gone@example.org", "Invitation")
    assert reason.startswith(REJECTED)
    assert "gone@example.org" not in reason  # the stored reason holds no address


def test_invitations_to_a_server_that_is_down_fail_after_the_last_attempt_then_retry(
    facilitator, cycle, mailer
):
    mailer(down=True)
    facilitator.post(
        cycle_url("invitation_import", cycle),
        {"lines": "Jo Bloggs, jo@example.org, Ashford Council"},
    )
    run_tasks()
    assert statuses(DeliveryKind.INVITATION) == {"jo@example.org": (DeliveryStatus.FAILED, 2)}
    ((name, _, kind, reason),) = failures_listed(facilitator, cycle)
    assert (name, kind) == ("Jo Bloggs", "Invitation")
    assert reason.startswith(UNREACHABLE)

    server = mailer()  # the server is back
    response = facilitator.post(cycle_url("cycle_retry_emails", cycle))
    assert flash(response) == ["Trying 1 email again now."]
    run_tasks()
    assert [m["To"] for m in server.received] == ["jo@example.org"]
    assert failures_listed(facilitator, cycle) == []
    assert heading(facilitator, cycle) is None
    # Nothing is left to try again, and the button says so.
    assert flash(facilitator.post(cycle_url("cycle_retry_emails", cycle))) == [
        "There are no emails to try again."
    ]


def test_a_new_link_that_cannot_be_emailed_is_listed_and_sent_on_retry(facilitator, cycle, mailer):
    server = mailer()
    partner = cycle.place.partners.get()
    (invitation,) = services.create_invitations(
        cycle, [services.InviteeLine("Sam Patel", "sam@example.org", partner)]
    )
    run_tasks()
    first_link = server.received[0].get_content()
    services.revoke_invitation(invitation)

    server.refuse_first = server.refused + 100  # busy for every attempt of the new link
    response = facilitator.post(cycle_url("invitation_reissue", cycle, invitation.pk))
    assert flash(response) == [
        "Sam Patel has a new personal link, emailed to them now. The old one stays withdrawn."
    ]
    run_tasks()
    assert len(server.received) == 1  # only the first link ever arrived
    rows = failures_listed(facilitator, cycle)
    assert rows == [("Sam Patel", "sam@example.org", "Invitation", BUSY)]
    reissued = Invitation.objects.get(pk=invitation.pk)
    assert reissued.revoked_at is None  # the new link works, though its email failed

    server.refuse_first = 0
    facilitator.post(cycle_url("cycle_retry_emails", cycle))
    run_tasks()
    assert len(server.received) == 2
    assert server.received[1]["To"] == "sam@example.org"
    assert server.received[1].get_content() != first_link  # the new link, not the old
    assert failures_listed(facilitator, cycle) == []


def test_reminders_that_fail_are_listed_beside_invitations_that_went(facilitator, cycle, mailer):
    server = mailer()
    partner = cycle.place.partners.get()
    services.create_invitations(
        cycle,
        [
            services.InviteeLine("Jo Bloggs", "jo@example.org", partner),
            services.InviteeLine("Sam Patel", "sam@example.org", partner),
        ],
    )
    run_tasks()
    assert len(server.received) == 2
    Invitation.objects.update(last_sent_at=None)  # long enough ago to be reminded

    server.refuse_first = server.refused + 100  # the server is busy for the reminders
    response = facilitator.post(cycle_url("cycle_remind", cycle))
    assert flash(response) == ["Sending 2 reminders now."]
    run_tasks()
    assert statuses(DeliveryKind.REMINDER) == {
        "jo@example.org": (DeliveryStatus.FAILED, 2),
        "sam@example.org": (DeliveryStatus.FAILED, 2),
    }
    assert heading(facilitator, cycle) == "2 emails could not be sent"
    assert sorted(failures_listed(facilitator, cycle)) == [
        ("Jo Bloggs", "jo@example.org", "Reminder", BUSY),
        ("Sam Patel", "sam@example.org", "Reminder", BUSY),
    ]

    server.refuse_first = 0
    assert flash(facilitator.post(cycle_url("cycle_retry_emails", cycle))) == [
        "Trying 2 emails again now."
    ]
    run_tasks()
    assert len(server.received) == 4
    assert failures_listed(facilitator, cycle) == []
