"""Reminders go to people who have not submitted, never twice within the interval."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import resolve, reverse
from django.utils import timezone

from assessments import services
from assessments.models import Cycle, CycleStatus, DraftResponse, Invitation
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db

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
    }


def test_reminders_go_only_to_those_still_waiting_outside_the_interval(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    DraftResponse.objects.create(invitation=people["started"])
    sent = services.send_reminders(cycle, now=NOW)
    expected = {"never_sent", "sent_long_ago", "sent_exactly_interval", "started"}
    assert sent == len(expected) == len(mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {people[key].email for key in expected}
    for key in expected:
        people[key].refresh_from_db()
        assert people[key].last_sent_at == NOW
    people["sent_recently"].refresh_from_db()
    assert people["sent_recently"].last_sent_at == NOW - dt.timedelta(hours=23)


def test_a_second_run_straight_away_sends_nothing(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    assert services.send_reminders(cycle, now=NOW) == 4
    assert services.send_reminders(cycle, now=NOW + dt.timedelta(minutes=1)) == 0
    assert len(mail.outbox) == 4
    # A day later the four are due again, and so is the one emailed 23 hours before NOW.
    assert services.send_reminders(cycle, now=NOW + dt.timedelta(hours=24)) == 5


def test_the_reminder_email_has_a_working_link_and_the_closing_date(cycle, people, settings):
    settings.REMINDER_INTERVAL_HOURS = 24
    services.send_reminders(cycle, now=NOW)
    message = next(m for m in mail.outbox if m.to == [people["never_sent"].email])
    assert "Reminder" in message.subject
    assert "Sunday 31 May 2026" in message.body
    assert "10 to 15 minutes" in message.body
    assert f"groups of at least {cycle.min_group_size} people" in message.body
    link = re.search(r"https?://\S+", message.body).group(0)
    match = resolve("/" + link.split("/", 3)[3])
    assert match.url_name == "respond_start"
    assert match.kwargs["token"] == people["never_sent"].token


@pytest.mark.parametrize("status", [CycleStatus.DRAFT, CycleStatus.CLOSED, CycleStatus.RELEASED])
def test_no_reminders_unless_the_cycle_is_open(cycle, people, status):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    cycle.refresh_from_db()
    assert services.send_reminders(cycle, now=NOW) == 0
    assert mail.outbox == []


def remind_url(cycle) -> str:
    return reverse("cycle_remind", args=[cycle.place.slug, cycle.pk])


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_send_reminders_button_reports_how_many_were_sent(
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
    assert [str(m) for m in response.context["messages"]] == ["Sent 3 reminders."]
    assert len(mail.outbox) == 3

    response = client.post(remind_url(cycle))
    assert flash(response) == [
        "No reminders were sent: everyone has either submitted or been emailed in the last "
        "48 hours."
    ]
    assert len(mail.outbox) == 3


def test_reminders_button_refuses_a_cycle_that_is_not_open(client, facilitator_a, cycle, people):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.DRAFT)
    client.force_login(facilitator_a)
    response = client.post(remind_url(cycle))
    assert flash(response) == ["Reminders can only be sent while the cycle is open."]
    assert mail.outbox == []


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
    assert len(mail.outbox) == 5 + 1
    assert "6 reminder(s) sent in 2 open cycle(s)." in out.getvalue()
    assert not Invitation.objects.filter(cycle=draft, last_sent_at__isnull=False).exists()
    call_command("send_reminders", stdout=io.StringIO())
    assert len(mail.outbox) == 6


def test_command_for_one_cycle(cycle, people, place_b, settings):
    settings.REMINDER_INTERVAL_HOURS = 1
    other = CycleFactory(place=place_b, bank=cycle.bank, status=CycleStatus.OPEN)
    InvitationFactory(cycle=other)
    out = io.StringIO()
    call_command("send_reminders", "--cycle", str(other.pk), stdout=out)
    assert [m.to for m in mail.outbox] == [[other.invitations.get().email]]
    assert "1 reminder(s) sent in 1 open cycle(s)." in out.getvalue()


def test_command_refuses_unknown_or_closed_cycles(cycle):
    with pytest.raises(CommandError, match="no cycle with id 999999"):
        call_command("send_reminders", "--cycle", "999999")
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    with pytest.raises(CommandError, match="not open"):
        call_command("send_reminders", "--cycle", str(cycle.pk))
