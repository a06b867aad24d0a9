"""Opening and closing by themselves: the scheduler's commands enqueue, a worker takes the step,
dates are London's, and a step that fails is shown on the cycle page and emailed to the place's
facilitators."""

from __future__ import annotations

import datetime as dt
import html
import io
import zoneinfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments import results, scheduled, services
from assessments.models import (
    AutomationFailure,
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    Invitation,
)
from places.models import Role
from tests.background import run_tasks
from tests.factories import (
    CycleFactory,
    MembershipFactory,
    PlaceFactory,
    UserFactory,
    make_bank,
)

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(monkeypatch, *when: int) -> None:
    """Set the clock to this London wall-clock time."""
    moment = dt.datetime(*when, tzinfo=LONDON)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def run(command: str) -> str:
    out = io.StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def page(client, user, cycle) -> str:
    client.force_login(user)
    response = client.get(reverse("cycle_detail", args=[cycle.place.slug, cycle.pk]))
    return html.unescape(response.content.decode())


@pytest.fixture
def bank():
    return make_bank()


@pytest.fixture
def draft(place_a, partner_a, bank):
    cycle = CycleFactory(
        place=place_a,
        bank=bank,
        opens_on=dt.date(2026, 6, 1),
        closes_on=dt.date(2026, 6, 30),
        opens_automatically=True,
    )
    services.create_invitations(cycle, [services.InviteeLine("Jo", "jo@example.org", partner_a)])
    return cycle


def test_a_cycle_opens_by_itself_on_its_day_in_london_and_sends_its_invitations(
    monkeypatch, draft, place_a, bank, mailoutbox
):
    by_hand = CycleFactory(place=place_a, bank=bank, opens_on=dt.date(2026, 6, 1))
    later = CycleFactory(
        place=place_a, bank=bank, opens_on=dt.date(2026, 6, 2), opens_automatically=True
    )
    # 23:30 on 31 May, London time: not its day yet.
    at(monkeypatch, 2026, 5, 31, 23, 30)
    assert run("open_due_cycles").endswith("0 cycle(s) queued for opening.\n")
    # Half past midnight on 1 June, British Summer Time (23:30 on 31 May in UTC).
    at(monkeypatch, 2026, 6, 1, 0, 30)
    assert run("open_due_cycles").endswith("1 cycle(s) queued for opening.\n")
    assert Cycle.objects.get(pk=draft.pk).status == CycleStatus.DRAFT  # the worker opens it
    assert mailoutbox == []
    run_tasks()
    statuses = dict(Cycle.objects.values_list("pk", "status"))
    assert statuses == {
        draft.pk: CycleStatus.OPEN,
        by_hand.pk: CycleStatus.DRAFT,
        later.pk: CycleStatus.DRAFT,
    }
    run_tasks()  # the invitations the opening queued
    (message,) = mailoutbox
    assert message.to == ["jo@example.org"]
    assert Invitation.objects.get().token in message.body


def test_a_cycle_closes_by_itself_after_its_last_day_in_london(monkeypatch, place_a, bank):
    cycle = CycleFactory(
        place=place_a,
        bank=bank,
        status=CycleStatus.OPEN,
        opens_on=dt.date(2026, 6, 1),
        closes_on=dt.date(2026, 6, 30),
    )
    at(monkeypatch, 2026, 6, 30, 23, 59)  # the last day to answer: still open
    assert run("close_due_cycles").endswith("0 cycle(s) queued for closing.\n")
    at(monkeypatch, 2026, 7, 1, 0, 5)  # 23:05 on 30 June in UTC
    assert "Closing Ashford" in run("close_due_cycles")
    run_tasks()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED


def test_a_cycle_opened_by_hand_meanwhile_is_left_alone(draft, mailoutbox):
    scheduled.enqueue_due_openings(today=dt.date(2026, 6, 1))
    services.open_cycle(draft)
    assert scheduled.open_if_due(draft.pk, today=dt.date(2026, 6, 1)) == "not due"
    assert not AutomationFailure.objects.exists()


@pytest.fixture
def facilitators(place_a):
    people = [
        UserFactory(username="fac_one", email="one@example.org"),
        UserFactory(username="fac_two", email="two@example.org"),
    ]
    for user in people:
        MembershipFactory(user=user, place=place_a, role=Role.FACILITATOR)
    elsewhere = UserFactory(username="fac_else", email="else@example.org")
    MembershipFactory(user=elsewhere, place=PlaceFactory(), role=Role.FACILITATOR)
    return people


def test_a_failed_opening_is_shown_and_emailed_to_the_places_facilitators(
    client, facilitators, place_a, bank, mailoutbox
):
    # A place whose partners were all removed cannot open a cycle.
    cycle = CycleFactory(
        place=place_a, bank=bank, opens_on=dt.date(2026, 6, 1), opens_automatically=True
    )
    assert scheduled.open_if_due(cycle.pk, today=dt.date(2026, 6, 1)) == "failed"
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT
    shown = page(client, facilitators[0], cycle)
    assert "This cycle did not open by itself" in shown
    assert "Add the place's partner organisations before opening a cycle." in shown

    run_tasks()
    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.org", "two@example.org"]
    message = mailoutbox[0]
    assert message.subject == f"Action needed: {cycle.name} for Ashford did not open by itself"
    assert "could not be opened: Add the place's partner organisations" in message.body
    assert f"/places/ashford/cycles/{cycle.pk}/" in message.body

    # Failing again at the scheduler's next run is recorded, but not emailed again so soon.
    scheduled.open_if_due(cycle.pk, today=dt.date(2026, 6, 1))
    run_tasks()
    assert AutomationFailure.objects.count() == 2
    assert len(mailoutbox) == 2
    assert Delivery.objects.filter(kind=DeliveryKind.AUTOMATION_ALERT).count() == 2


def test_a_cycle_whose_dates_passed_before_it_could_open_says_so(facilitators, place_a, bank):
    cycle = CycleFactory(
        place=place_a,
        bank=bank,
        opens_on=dt.date(2026, 6, 1),
        closes_on=dt.date(2026, 6, 10),
        opens_automatically=True,
    )
    assert scheduled.open_if_due(cycle.pk, today=dt.date(2026, 6, 11)) == "failed"
    assert AutomationFailure.objects.get().message == (
        "its closing date, 10 June 2026, had already passed. Change the dates, then open it."
    )


def test_a_failed_closing_is_shown_until_the_cycle_is_closed(
    client, monkeypatch, facilitators, place_a, partner_a, bank, mailoutbox
):
    cycle = CycleFactory(
        place=place_a,
        bank=bank,
        status=CycleStatus.OPEN,
        opens_on=dt.date(2026, 6, 1),
        closes_on=dt.date(2026, 6, 30),
    )

    def broken(cycle):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(results, "build_snapshot", broken)
    at(monkeypatch, 2026, 7, 1, 0, 5)
    run("close_due_cycles")
    run_tasks()  # the task fails: the failure is recorded, and the task shows as failed too
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN  # nothing half-done
    failure = AutomationFailure.objects.get()
    assert failure.action == "close"
    assert failure.message.startswith("an error on the server stopped it (RuntimeError).")
    assert "disk" not in failure.message  # the details are for the log, not the page
    shown = page(client, facilitators[0], cycle)
    assert "This cycle did not close by itself" in shown
    run_tasks()
    assert {m.to[0] for m in mailoutbox} == {"one@example.org", "two@example.org"}
    assert "could not be closed" in mailoutbox[0].body

    monkeypatch.undo()
    services.close_cycle(Cycle.objects.get(pk=cycle.pk))
    assert "did not close by itself" not in page(client, facilitators[0], cycle)


def test_the_cycle_form_offers_opening_by_itself_only_before_opening(
    client, facilitator_a, place_a, bank
):
    cycle = CycleFactory(place=place_a, bank=bank)
    client.force_login(facilitator_a)
    url = reverse("cycle_edit", args=["ashford", cycle.pk])
    form = html.unescape(client.get(url).content.decode())
    assert "Open it by itself that day" in form
    response = client.post(
        url,
        {
            "name": cycle.name,
            "bank": bank.pk,
            "min_group_size": 5,
            "opens_on": "2026-06-01",
            "opens_automatically": "on",
            "closes_on": "2026-06-30",
        },
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.opens_automatically
    assert "opens by itself on its opening date" in page(client, facilitator_a, cycle)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
    assert "by itself that day" not in client.get(url).content.decode()
