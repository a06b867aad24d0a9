"""The outbox: attempts, growing delays, failures the facilitator sees and can retry, the sweeper,
and tasks that carry ids only. The worker runs in this process, against a local SMTP server."""

from __future__ import annotations

import datetime as dt
import html
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks.signals import task_enqueued
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments import delivery, services
from assessments.models import (
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
)
from tests.background import MailServer, run_tasks
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cycle(place_a, partner_a):
    return CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN)


@pytest.fixture
def smtp(settings):
    """A local SMTP server, and the app's mailer pointed at it."""
    servers = []

    def start(**options) -> MailServer:
        server = MailServer(**options).start()
        servers.append(server)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
            }
        }
        return server

    yield start
    for server in servers:
        server.stop()


def invite(cycle, partner, *emails: str):
    lines = [services.InviteeLine(f"Person {n}", e, partner) for n, e in enumerate(emails)]
    return services.create_invitations(cycle, lines)


def detail_page(client, user, cycle) -> str:
    client.force_login(user)
    page = client.get(reverse("cycle_detail", args=[cycle.place.slug, cycle.pk]))
    return html.unescape(page.content.decode())


def test_the_delay_doubles_after_each_failed_attempt(settings):
    settings.DELIVERY_RETRY_SECONDS = 300
    delays = [delivery.retry_delay(attempt) for attempt in range(1, 6)]
    assert [d.total_seconds() / 60 for d in delays] == [5, 10, 20, 40, 80]


def test_a_refused_email_is_tried_again_later_not_now(cycle, partner_a, smtp, settings):
    settings.DELIVERY_RETRY_SECONDS = 600
    server = smtp(refuse_first=1)
    invite(cycle, partner_a, "jo@example.org")
    before = timezone.now()
    run_tasks()
    email = Delivery.objects.get()
    assert (email.status, email.attempts) == (DeliveryStatus.QUEUED, 1)
    assert email.error == (
        "The mail server asked us to try again later (451 4.3.0 Too busy, try again later)."
    )
    assert before + dt.timedelta(seconds=600) <= email.next_attempt_at
    assert email.next_attempt_at <= timezone.now() + dt.timedelta(seconds=600)
    run_tasks()  # its retry's task is not due yet
    assert server.received == []
    assert Delivery.objects.get().attempts == 1


def test_after_the_last_attempt_the_email_is_failed_and_the_page_says_so(
    client, facilitator_a, cycle, partner_a, smtp, settings
):
    settings.DELIVERY_RETRY_SECONDS = 0  # retries are due at once: the worker runs them all
    settings.DELIVERY_MAX_ATTEMPTS = 3
    server = smtp(refuse_first=100)
    invite(cycle, partner_a, "jo@example.org", "sam@example.org")
    run_tasks()

    def emails():
        return list(Delivery.objects.order_by("pk").values_list("status", "attempts"))

    assert emails() == [(DeliveryStatus.FAILED, 3)] * 2
    assert server.refused == 6

    page = detail_page(client, facilitator_a, cycle)
    assert "2 emails could not be sent" in page
    assert "jo@example.org" in page and "sam@example.org" in page
    assert "The mail server asked us to try again later (451 4.3.0" in page

    # The facilitator fixes the problem (here: the server accepts again) and presses retry.
    server.refuse_first = 0
    response = client.post(reverse("cycle_retry_emails", args=["ashford", cycle.pk]))
    assert response.status_code == 302
    assert emails() == [(DeliveryStatus.QUEUED, 0)] * 2
    run_tasks()
    assert sorted(m["To"] for m in server.received) == ["jo@example.org", "sam@example.org"]
    assert "could not be sent" not in detail_page(client, facilitator_a, cycle)


def test_a_failure_is_no_longer_shown_once_the_person_has_been_emailed_since(
    client, facilitator_a, cycle, partner_a
):
    (invitation,) = invite(cycle, partner_a, "jo@example.org")
    Delivery.objects.update(status=DeliveryStatus.FAILED, error="Refused.")
    assert "1 email could not be sent" in detail_page(client, facilitator_a, cycle)
    Delivery.objects.create(
        cycle=cycle, invitation=invitation, kind=DeliveryKind.REMINDER, status="sent"
    )
    assert "could not be sent" not in detail_page(client, facilitator_a, cycle)


def test_failures_of_withdrawn_people_are_not_shown(client, facilitator_a, cycle, partner_a):
    (invitation,) = invite(cycle, partner_a, "jo@example.org")
    Delivery.objects.update(status=DeliveryStatus.FAILED, error="Refused.")
    services.revoke_invitation(invitation)
    assert "could not be sent" not in detail_page(client, facilitator_a, cycle)
    assert delivery.retry_failed(cycle) == 0


def test_the_cycle_page_costs_the_same_queries_however_many_emails(
    client, facilitator_a, cycle, partner_a
):
    client.force_login(facilitator_a)
    url = reverse("cycle_detail", args=["ashford", cycle.pk])

    def add(n: int) -> None:
        invitations = InvitationFactory.create_batch(n, cycle=cycle, partner=partner_a)
        for number, invitation in enumerate(invitations):
            Delivery.objects.create(
                cycle=cycle,
                invitation=invitation,
                kind=DeliveryKind.INVITATION,
                status=[DeliveryStatus.FAILED, DeliveryStatus.SENT][number % 2],
                error="Refused.",
            )

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(80)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many) == len(few)
    assert response.context["failure_count"] == 41
    assert len(response.context["failures"]) == 41  # all listed, up to FAILURES_LISTED
    assert "41 emails could not be sent" in response.content.decode()


def test_tasks_carry_delivery_ids_only(cycle, partner_a):
    arguments = []

    def record(sender, task_result, **kwargs):
        arguments.append((task_result.task.name, task_result.args, task_result.kwargs))

    task_enqueued.connect(record)
    try:
        invitations = invite(cycle, partner_a, *[f"p{n}@example.org" for n in range(250)])
    finally:
        task_enqueued.disconnect(record)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    # Three tasks of at most BATCH_SIZE deliveries, each a list of ids and nothing else.
    assert [(name, len(args[0]), kwargs) for name, args, kwargs in arguments] == [
        ("send_emails", 100, {}),
        ("send_emails", 100, {}),
        ("send_emails", 50, {}),
    ]
    assert sorted(pk for _, args, _ in arguments for pk in args[0]) == ids
    assert all(isinstance(pk, int) for _, args, _ in arguments for pk in args[0])
    assert len(invitations) == 250


def test_the_sweeper_hands_on_what_a_dead_worker_held(cycle, partner_a, settings, mailoutbox):
    settings.DELIVERY_LEASE_SECONDS = 60
    settings.DELIVERY_MAX_ATTEMPTS = 3
    people = invite(cycle, partner_a, *[f"p{n}@example.org" for n in range(5)])
    now = timezone.now()
    by_person = {d.invitation_id: d.pk for d in Delivery.objects.all()}
    held, last_try, still_held, overdue, fresh = (by_person[p.pk] for p in people)
    sending = {"status": DeliveryStatus.SENDING}
    Delivery.objects.filter(pk=held).update(
        **sending, attempts=1, lease_expires_at=now - dt.timedelta(seconds=1)
    )
    Delivery.objects.filter(pk=last_try).update(
        **sending, attempts=3, lease_expires_at=now - dt.timedelta(seconds=1)
    )
    Delivery.objects.filter(pk=still_held).update(
        **sending, attempts=1, lease_expires_at=now + dt.timedelta(seconds=30)
    )
    Delivery.objects.filter(pk=overdue).update(next_attempt_at=now - dt.timedelta(seconds=61))

    out = io.StringIO()
    call_command("sweep_deliveries", stdout=out)
    assert out.getvalue().startswith(
        "1 email(s) held by a stopped worker queued again, 1 given up (last attempt), "
        "1 overdue queued again"
    )
    status = dict(Delivery.objects.values_list("pk", "status"))
    assert status[held] == status[overdue] == status[fresh] == DeliveryStatus.QUEUED
    assert status[last_try] == DeliveryStatus.FAILED
    assert status[still_held] == DeliveryStatus.SENDING  # its worker may still be sending it
    assert Delivery.objects.get(pk=last_try).error.startswith("Sending stopped part-way")
    run_tasks()
    sent_to = sorted(m.to[0] for m in mailoutbox)
    assert sent_to == sorted(p.email for p in people if by_person[p.pk] in (held, overdue, fresh))


def test_the_sweeper_sends_invitations_left_waiting_in_an_open_cycle(
    place_a, partner_a, mailoutbox
):
    cycle = CycleFactory(place=place_a, bank=make_bank())
    invite(cycle, partner_a, "jo@example.org")
    # As if an opening had not seen an import that committed at the same moment.
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
    run_tasks()
    assert mailoutbox == []
    call_command("sweep_deliveries", stdout=io.StringIO())
    run_tasks()
    assert [m.to for m in mailoutbox] == [["jo@example.org"]]


def test_an_email_being_sent_is_not_claimed_twice(cycle, partner_a, mailoutbox):
    (invitation,) = invite(cycle, partner_a, "jo@example.org")
    pk = Delivery.objects.get().pk
    first = delivery.send([pk])
    assert first == {"sent": 1}
    assert delivery.send([pk]) == {"not queued": 1}  # a duplicate task finds it sent
    run_tasks()  # and the real task too
    assert len(mailoutbox) == 1


def test_log_lines_and_stored_errors_never_hold_an_address_or_a_link(
    cycle, partner_a, smtp, caplog, settings
):
    settings.DELIVERY_RETRY_SECONDS = 0
    settings.DELIVERY_MAX_ATTEMPTS = 2
    server = smtp(reject={"gone@example.org"}, refuse_first=1)
    (invitation,) = invite(cycle, partner_a, "gone@example.org")
    run_tasks()
    stored = Delivery.objects.get()
    assert stored.status == DeliveryStatus.FAILED
    assert "gone@example.org" not in stored.error
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "gone@example.org" not in logged and invitation.token not in logged
    assert server.received == []


def test_an_email_to_an_erased_invitation_is_not_sent(cycle, partner_a, mailoutbox):
    (invitation,) = invite(cycle, partner_a, "jo@example.org")
    Invitation.objects.filter(pk=invitation.pk).erase_personal_data(timezone.now())
    run_tasks()
    assert mailoutbox == []
    assert Delivery.objects.get().error == "Their name and address were erased."
