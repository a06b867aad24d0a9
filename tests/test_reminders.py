"""Reminders go to people who have not submitted, never twice within the interval, and only
through the outbox: queued by the button or the scheduler's command, sent by a worker."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import resolve, reverse
from django.utils import timezone

from assessments import delivery
from assessments.models import (
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DraftResponse,
    Invitation,
)
from tests.background import run_tasks
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2026, 5, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def cycle(place_a, partner_a):
    return CycleFactory(
        place=place_a,
        bank=make_bank(),
        status=CycleStatus.OPEN,
        opens_on=dt.date(2026, 5, 1),
        closes_on=dt.date(2026, 5, 31),
    )


@pytest.fixture
def people(cycle, partner_a):
    def invite(name, **kwargs):
        return InvitationFactory(cycle=cycle, partner=partner_a, name=name, **kwargs)

    return {
        "never_sent": invite("Never sent"),
        "sent_long_ago": invite("Long ago", last_sent_at=NOW - dt.timedelta(hours=30)),
        "sent_exactly_interval": invite("Exactly", last_sent_at=NOW - dt.timedelta(hours=24)),
        "sent_recently": invite("Recent", last_sent_at=NOW - dt.timedelta(hours=23)),
        "started": invite("Started", last_sent_at=NOW - dt.timedelta(days=5)),
        "submitted": invite("Submitted", submitted=True, last_sent_at=NOW - dt.timedelta(days=5)),
        "withdrawn": invite(
            "Withdrawn",
            revoked_at=NOW - dt.timedelta(days=1),
            last_sent_at=NOW - dt.timedelta(days=5),
        ),
        "stopped": invite(
            "Stopped emails",
            emails_stopped_at=NOW - dt.timedelta(days=1),
            last_sent_at=NOW - dt.timedelta(days=5),
        ),
    }


def test_reminders_go_only_to_those_still_waiting_outside_the_interval(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    DraftResponse.objects.create(invitation=people["started"])
    queued = delivery.queue_reminders(cycle, now=NOW)
    expected = {"never_sent", "sent_long_ago", "sent_exactly_interval", "started"}
    assert queued == len(expected)
    assert mail.outbox == []  # queued: a worker sends them
    for key in expected:
        people[key].refresh_from_db()
        assert people[key].last_sent_at == NOW
    people["sent_recently"].refresh_from_db()
    assert people["sent_recently"].last_sent_at == NOW - dt.timedelta(hours=23)
    run_tasks()
    assert {m.to[0] for m in mail.outbox} == {people[key].email for key in expected}
    assert len(mail.outbox) == len(expected)


def test_a_second_run_straight_away_sends_nothing(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    assert delivery.queue_reminders(cycle, now=NOW) == 4
    # Not even while the first run's reminders are still on their way.
    assert delivery.queue_reminders(cycle, now=NOW + dt.timedelta(days=3)) == 1
    run_tasks()
    assert delivery.queue_reminders(cycle, now=NOW + dt.timedelta(minutes=1)) == 0
    # A day later the four are due again (the one emailed 23 hours before NOW went above).
    assert delivery.queue_reminders(cycle, now=NOW + dt.timedelta(hours=24)) == 4
    run_tasks()
    assert len(mail.outbox) == 9


def test_two_schedulers_at_once_remind_each_person_once(cycle, partner_a):
    InvitationFactory.create_batch(40, cycle=cycle, partner=partner_a)
    start = threading.Barrier(2)
    counts = []

    def scheduler():
        try:
            start.wait()
            counts.append(delivery.queue_reminders(Cycle.objects.get(pk=cycle.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 40
    reminders = Delivery.objects.filter(kind=DeliveryKind.REMINDER)
    assert reminders.count() == 40
    assert reminders.values("invitation").distinct().count() == 40
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        Invitation.objects.values_list("email", flat=True)
    )


def test_the_reminder_email_has_a_working_link_the_closing_date_and_a_way_to_stop(
    cycle, people, settings
):
    settings.REMINDER_INTERVAL_HOURS = 24
    delivery.queue_reminders(cycle, now=NOW)
    run_tasks()
    person = people["never_sent"]
    message = next(m for m in mail.outbox if m.to == [person.email])
    assert "Reminder" in message.subject
    assert "Sunday 31 May 2026" in message.body
    assert "10 to 15 minutes" in message.body
    assert f"groups of at least {cycle.min_group_size} people" in message.body
    link, stop = re.findall(r"https?://\S+", message.body)
    match = resolve("/" + link.split("/", 3)[3])
    assert match.url_name == "respond_start"
    assert match.kwargs["token"] == person.token
    assert "To stop these reminders" in message.body
    match = resolve("/" + stop.split("/", 3)[3])
    assert match.url_name == "emails_stop" and match.kwargs["token"] == person.token
    # Mail programs offer their own one-click "unsubscribe" with it (RFC 8058).
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_queued_reminder_is_not_sent_to_someone_who_answers_first(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    delivery.queue_reminders(cycle, now=NOW)
    Invitation.objects.filter(pk=people["never_sent"].pk).update(submitted=True)
    run_tasks()
    assert people["never_sent"].email not in {m.to[0] for m in mail.outbox}
    assert len(mail.outbox) == 3
    cancelled = Delivery.objects.get(invitation=people["never_sent"])
    assert cancelled.status == DeliveryStatus.CANCELLED
    assert cancelled.error == "They have already answered."


@pytest.mark.parametrize("status", [CycleStatus.DRAFT, CycleStatus.CLOSED, CycleStatus.RELEASED])
def test_no_reminders_unless_the_cycle_is_open(cycle, people, status):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()
    assert delivery.queue_reminders(cycle, now=NOW) == 0
    assert not Delivery.objects.exists()


def test_reminders_queued_before_the_cycle_closed_are_not_sent(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    delivery.queue_reminders(cycle, now=NOW)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    run_tasks()
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.CANCELLED}


def remind_url(cycle) -> str:
    return reverse("cycle_remind", args=[cycle.place.slug, cycle.pk])


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_send_reminders_button_reports_how_many_were_queued(
    client, facilitator_a, cycle, partner_a, settings
):
    settings.REMINDER_INTERVAL_HOURS = 48
    InvitationFactory.create_batch(3, cycle=cycle, partner=partner_a)
    InvitationFactory(cycle=cycle, partner=partner_a, last_sent_at=timezone.now())
    client.force_login(facilitator_a)
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert "Right now that is 3 people." in page
    assert "the last 48 hours" in page

    response = client.post(remind_url(cycle), follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Sending 3 reminders now."]
    assert "3 on their way." in response.content.decode()
    assert "Right now that is 0 people." in response.content.decode()
    run_tasks()
    assert len(mail.outbox) == 3
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert "3 sent." in page

    response = client.post(remind_url(cycle))
    assert flash(response) == [
        "No reminders were sent: everyone has either submitted or been emailed in the last "
        "48 hours."
    ]
    run_tasks()
    assert len(mail.outbox) == 3


def test_reminders_button_refuses_a_cycle_that_is_not_open(client, facilitator_a, cycle, people):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.DRAFT)
    client.force_login(facilitator_a)
    response = client.post(remind_url(cycle))
    assert flash(response) == ["Reminders can only be sent while the cycle is open."]
    assert not Delivery.objects.exists()


# --- The management command, for a scheduler ---


def test_command_reminds_every_open_cycle(cycle, people, place_b, settings):
    settings.REMINDER_INTERVAL_HOURS = 1
    other = CycleFactory(place=place_b, bank=cycle.bank, status=CycleStatus.OPEN)
    InvitationFactory(cycle=other)
    draft = CycleFactory(place=place_b, bank=cycle.bank)
    InvitationFactory(cycle=draft)
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    # In `cycle`, everyone still waiting (the command uses the real clock: all were sent long
    # ago); plus the one in `other`.
    assert "6 reminder(s) queued in 2 open cycle(s)." in out.getvalue()
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 5 + 1
    assert not Invitation.objects.filter(cycle=draft, last_sent_at__isnull=False).exists()
    call_command("send_reminders", stdout=io.StringIO())
    run_tasks()
    assert len(mail.outbox) == 6


def test_command_for_one_cycle(cycle, people, place_b, settings):
    settings.REMINDER_INTERVAL_HOURS = 1
    other = CycleFactory(place=place_b, bank=cycle.bank, status=CycleStatus.OPEN)
    InvitationFactory(cycle=other)
    out = io.StringIO()
    call_command("send_reminders", "--cycle", str(other.pk), stdout=out)
    run_tasks()
    assert [m.to for m in mail.outbox] == [[other.invitations.get().email]]
    assert "1 reminder(s) queued in 1 open cycle(s)." in out.getvalue()


def test_command_refuses_unknown_or_closed_cycles(cycle):
    with pytest.raises(CommandError, match="no cycle with id 999999"):
        call_command("send_reminders", "--cycle", "999999")
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    with pytest.raises(CommandError, match="not open"):
        call_command("send_reminders", "--cycle", str(cycle.pk))
