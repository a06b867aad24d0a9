"""Emails under faults, end to end: a real `manage.py db_worker` process, the database task
backend, and a local SMTP server (aiosmtpd) that refuses, stalls or rejects.

What must hold: every invitee gets exactly one invitation when the server refuses at first; a
worker killed between claiming an email and sending it loses nothing and doubles nothing once
the sweeper and a new worker have run; a bad address fails alone, with a clear message on the
cycle page, and everyone else's email goes out.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import delivery, services
from assessments.models import CycleStatus, Delivery, DeliveryStatus
from tests.background import MailServer, WorkerProcess, body, wait_for
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 6


@pytest.fixture
def cycle(place_a, partner_a):
    return CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN)


@pytest.fixture
def mail_server():
    servers: list[MailServer] = []

    def start(**options) -> MailServer:
        server = MailServer(**options).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def worker():
    workers: list[WorkerProcess] = []

    def start(server: MailServer, **environment) -> WorkerProcess:
        process = WorkerProcess(server, **environment)
        workers.append(process)
        return process

    yield start
    for process in workers:
        process.stop()


def invite(cycle, partner, count: int = PEOPLE, emails: list[str] | None = None):
    emails = emails or [f"person{n}@example.org" for n in range(count)]
    lines = [services.InviteeLine(f"Person {n}", email, partner) for n, email in enumerate(emails)]
    return services.create_invitations(cycle, lines)


def statuses() -> list[str]:
    return sorted(Delivery.objects.values_list("status", flat=True))


def all_settled() -> bool:
    return not Delivery.objects.filter(
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    ).exists()


def assert_each_got_exactly_one_invitation(server: MailServer, invitations) -> None:
    assert len(server.received) == len(invitations)
    for invitation in invitations:
        (message,) = server.to(invitation.email)
        links = re.findall(r"https?://\S+", body(message))
        assert links == [f"http://127.0.0.1:8000/r/{invitation.token}/"]


def test_a_server_that_refuses_at_first_gets_each_invitation_exactly_once(
    cycle, partner_a, mail_server, worker
):
    server = mail_server(refuse_first=4)  # "451 try again later" to the first four recipients
    invitations = invite(cycle, partner_a)
    process = worker(server, DELIVERY_RETRY_SECONDS="0.2")
    wait_for(all_settled, what="every email sent")
    assert statuses() == [DeliveryStatus.SENT] * PEOPLE, process.output()
    assert server.refused == 4
    assert_each_got_exactly_one_invitation(server, invitations)
    # Each refusal cost its email one attempt, counted on the delivery.
    assert sum(Delivery.objects.values_list("attempts", flat=True)) == PEOPLE + 4


def test_a_server_that_is_down_then_up_gets_each_invitation_exactly_once(
    cycle, partner_a, mail_server, worker
):
    server = MailServer()  # not listening yet: every connection is refused
    invitations = invite(cycle, partner_a)
    process = worker(server, DELIVERY_RETRY_SECONDS="2")
    first_failed = Delivery.objects.filter(attempts=1, status=DeliveryStatus.QUEUED)
    wait_for(first_failed.exists, what="a first failed attempt")
    assert first_failed.get().error.startswith("The mail server could not be reached")
    # The rest of the batch waits for the same retry instead of each failing in turn.
    assert Delivery.objects.filter(attempts=0).count() == PEOPLE - 1
    server.start()
    wait_for(all_settled, what="every email sent")
    assert statuses() == [DeliveryStatus.SENT] * PEOPLE, process.output()
    assert_each_got_exactly_one_invitation(server, invitations)


def test_a_worker_killed_between_claiming_and_sending_loses_nothing_and_doubles_nothing(
    cycle, partner_a, mail_server, worker, settings
):
    settings.DELIVERY_LEASE_SECONDS = 1
    server = mail_server()
    server.hold()  # the SMTP conversation stops at MAIL FROM, before any message is accepted
    invitations = invite(cycle, partner_a)
    first = worker(server, DELIVERY_LEASE_SECONDS="1")
    wait_for(lambda: server.waiting_in_mail == 1, what="the worker to start sending")
    assert statuses() == [DeliveryStatus.QUEUED] * (PEOPLE - 1) + [DeliveryStatus.SENDING]
    first.kill()
    server.release()
    assert server.received == []
    # The killed worker's email stays claimed, and the rest of its batch has no task left.
    wait_for(
        lambda: Delivery.objects.expired_leases(timezone.now()).exists(), what="the lease to end"
    )
    call_command("sweep_deliveries", stdout=io.StringIO())
    assert statuses() == [DeliveryStatus.QUEUED] * PEOPLE
    second = worker(server, DELIVERY_LEASE_SECONDS="1")
    wait_for(all_settled, what="every email sent")
    assert statuses() == [DeliveryStatus.SENT] * PEOPLE, second.output()
    assert_each_got_exactly_one_invitation(server, invitations)


def test_a_bad_address_fails_alone_with_a_clear_message(
    client, facilitator_a, cycle, partner_a, mail_server, worker
):
    server = mail_server(reject={"gone@example.org"})
    good = invite(cycle, partner_a, count=4)
    # Addresses the import form would refuse can still come from elsewhere (the admin, a data
    # load), and a mail server can refuse an address that looks right.
    malformed = InvitationFactory(cycle=cycle, partner=partner_a, email="jo@@example.org")
    unknown = InvitationFactory(cycle=cycle, partner=partner_a, email="gone@example.org")
    delivery.queue_invitations(cycle, [malformed, unknown])  # the factory queues nothing
    process = worker(server, DELIVERY_RETRY_SECONDS="0.2")
    wait_for(all_settled, what="every email settled")
    assert_each_got_exactly_one_invitation(server, good)
    failed = {d.invitation_id: d for d in Delivery.objects.filter(status=DeliveryStatus.FAILED)}
    assert set(failed) == {malformed.pk, unknown.pk}, process.output()
    assert failed[malformed.pk].error == "This is not a valid email address."
    assert failed[malformed.pk].attempts == 1  # a permanent failure is not tried again
    assert failed[unknown.pk].error.startswith("The mail server refused this address (550")
    assert "gone@example.org" not in failed[unknown.pk].error  # erased with the invitation

    client.force_login(facilitator_a)
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert "2 emails could not be sent" in page
    assert "jo@@example.org" in page and "gone@example.org" in page
    assert "This is not a valid email address." in page
    assert "Try sending them again" in page
