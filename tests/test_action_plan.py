"""The action plan pages: members read, facilitators and owners edit, tampered posts change
nothing and say why, CSV and print views, a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, ActionStatus, ActionUpdate, PlanAgreement
from assessments import services
from places.models import Role
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(db):
    return make_keyed_bank(("relationships", "leadership"), n_statements=2)


@pytest.fixture
def released(place_a, partner_a, bank):
    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2026")
    add_responses(cycle, partner_a, count=3)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


@pytest.fixture
def charity(place_a):
    return PartnerFactory(place=place_a, name="Ashford Youth")


@pytest.fixture
def action(place_a, partner_a, released):
    action = Action.objects.create(
        place=place_a,
        cycle=released,
        title="Rotate the chair",
        description="Each partner chairs the meeting in turn.",
        due_date=dt.date(2030, 1, 31),
    )
    action.owners.set([partner_a])
    action.conditions.set(released.bank.conditions.filter(key="leadership"))
    action.statements.set(released.bank.conditions.get(key="leadership").statements.all()[:1])
    return action


def _fingerprint():
    return (
        sorted(map(repr, Action.objects.values_list())),
        sorted(Action.owners.through.objects.values_list("action_id", "partner_id")),
        sorted(Action.conditions.through.objects.values_list("action_id", "condition_id")),
        sorted(Action.statements.through.objects.values_list("action_id", "statement_id")),
        sorted(map(repr, ActionUpdate.objects.values_list())),
        sorted(map(repr, PlanAgreement.objects.values_list())),
    )


def _form_data(released, owners, **changes):
    leadership = released.bank.conditions.get(key="leadership")
    data = {
        "title": "Share the agenda",
        "description": "Any partner can add an item.",
        "cycle": released.pk,
        "owners": [owner.pk for owner in owners],
        "due_date": "2030-06-30",
        "conditions": [leadership.pk],
        "statements": [leadership.statements.first().pk],
    }
    data.update(changes)
    return data


def test_a_member_reads_the_plan_and_cannot_add_or_edit(client, member_a, action):
    client.force_login(member_a)
    html = client.get(reverse("action_list", args=["ashford"])).content.decode()
    assert "Rotate the chair" in html and "Each partner chairs the meeting in turn." in html
    assert "Ashford Council" in html and "Due by 31 Jan 2030" in html
    assert reverse("action_create", args=["ashford"]) not in html
    assert client.get(reverse("action_create", args=["ashford"])).status_code == 403


def test_a_facilitator_adds_an_action(client, facilitator_a, released, partner_a, charity):
    client.force_login(facilitator_a)
    url = reverse("action_create", args=["ashford"])
    response = client.post(url, _form_data(released, [partner_a, charity]))
    action = Action.objects.get()
    assert response.status_code == 302
    assert action.title == "Share the agenda" and action.created_by == facilitator_a
    assert action.cycle == released and action.status == ActionStatus.PLANNED
    assert set(action.owners.all()) == {partner_a, charity}
    assert list(action.conditions.values_list("key", flat=True)) == ["leadership"]
    page = client.get(response.url).content.decode()
    assert "Added “Share the agenda” to the action plan." in page


def test_a_member_of_an_owner_edits_and_updates_the_action(client, member_a, action):
    client.force_login(member_a)
    edit = reverse("action_edit", args=["ashford", action.pk])
    assert client.get(edit).status_code == 200
    data = _form_data(action.cycle, [action.owners.get()], title="Rotate the chair yearly")
    assert client.post(edit, data).status_code == 302
    action.refresh_from_db()
    assert action.title == "Rotate the chair yearly"
    response = client.post(
        reverse("action_update", args=["ashford", action.pk]),
        {"text": "First rotation agreed at the March meeting.", "status": "under_way"},
        follow=True,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.UNDER_WAY
    html = response.content.decode()
    assert "First rotation agreed at the March meeting." in html
    assert "status now under way" in html


def test_a_member_of_another_organisation_cannot_edit(client, place_a, charity, action):
    user = UserFactory()
    MembershipFactory(user=user, place=place_a, role=Role.MEMBER, partner=charity)
    client.force_login(user)
    before = _fingerprint()
    page = client.get(reverse("action_detail", args=["ashford", action.pk]))
    assert page.status_code == 200 and "Add an update" not in page.content.decode()
    assert client.get(reverse("action_edit", args=["ashford", action.pk])).status_code == 403
    data = _form_data(action.cycle, [charity], title="Hijacked")
    assert client.post(reverse("action_edit", args=["ashford", action.pk]), data).status_code == 403
    response = client.post(
        reverse("action_update", args=["ashford", action.pk]), {"text": "x", "status": "done"}
    )
    assert response.status_code == 403
    assert _fingerprint() == before


def test_another_places_partner_as_owner_changes_nothing(
    client, facilitator_a, released, place_b, action
):
    outsider_partner = PartnerFactory(place=place_b, name="Brampton Trust")
    client.force_login(facilitator_a)
    before = _fingerprint()
    for url in (
        reverse("action_create", args=["ashford"]),
        reverse("action_edit", args=["ashford", action.pk]),
    ):
        response = client.post(url, _form_data(released, [outsider_partner]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "Nothing was saved" in html
        assert f"Select a valid choice. {outsider_partner.pk} is not one of the available" in html
    assert _fingerprint() == before


def test_another_banks_statement_or_an_unreleased_round_changes_nothing(
    client, facilitator_a, released, place_a, partner_a, action
):
    other_bank = make_keyed_bank(("leadership",), n_statements=1)
    foreign = other_bank.conditions.get().statements.get()
    unreleased = open_cycle_for(place_a, other_bank, name="Open now")
    client.force_login(facilitator_a)
    before = _fingerprint()
    url = reverse("action_create", args=["ashford"])
    html = client.post(url, _form_data(released, [partner_a], statements=[foreign.pk])).content
    assert b"is not one of the available choices" in html
    html = client.post(url, _form_data(released, [partner_a], cycle=unreleased.pk)).content
    assert b"That choice is not one of the available choices" in html
    assert _fingerprint() == before


def test_links_must_come_from_the_round_the_action_answers(
    client, facilitator_a, released, place_a, partner_a, bank
):
    later_bank = make_keyed_bank(("relationships", "leadership"), n_statements=2)
    later = open_cycle_for(place_a, later_bank, min_group_size=3, name="Autumn 2026")
    add_responses(later, partner_a, count=3)
    services.close_cycle(later)
    services.release_cycle(later)
    client.force_login(facilitator_a)
    before = _fingerprint()
    # The statement of the earlier round's questions, for an action answering the later round.
    response = client.post(
        reverse("action_create", args=["ashford"]),
        _form_data(released, [partner_a], cycle=later.pk),
    )
    assert "must come from the round the action answers" in response.content.decode()
    assert _fingerprint() == before


def test_an_empty_update_is_refused_with_a_message(client, facilitator_a, action):
    client.force_login(facilitator_a)
    before = _fingerprint()
    response = client.post(
        reverse("action_update", args=["ashford", action.pk]), {"text": "", "status": "finished"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The update was not saved" in html and "This field is required." in html
    assert "Select a valid choice. finished is not one of the available choices." in html
    assert _fingerprint() == before


def test_the_csv_lists_every_action_with_formulas_escaped(client, member_a, action):
    Action.objects.create(place=action.place, title='=HYPERLINK("http://evil.example")')
    ActionUpdate.objects.create(action=action, text="Agreed.", status=ActionStatus.UNDER_WAY)
    client.force_login(member_a)
    response = client.get(reverse("plan_csv", args=["ashford"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Action", "What will be done", "Status"]
    titles = {row[0]: row for row in rows[1:]}
    assert titles["Rotate the chair"][3] == "2030-01-31"
    assert titles["Rotate the chair"][4] == "Ashford Council"
    assert titles["Rotate the chair"][8] == "Agreed."
    assert '\'=HYPERLINK("http://evil.example")' in titles


def test_the_print_view_shows_the_plan_without_links_to_edit(client, member_a, action):
    client.force_login(member_a)
    html = client.get(reverse("plan_print", args=["ashford"])).content.decode()
    assert "Rotate the chair" in html
    assert reverse("action_detail", args=["ashford", action.pk]) not in html


def test_a_facilitator_agrees_the_plan_once(client, facilitator_a, member_a, released):
    client.force_login(member_a)
    url = reverse("plan_agree", args=["ashford", released.pk])
    assert client.post(url).status_code == 403
    assert not PlanAgreement.objects.exists()
    client.force_login(facilitator_a)
    assert (
        "Mark the plan as agreed"
        in client.get(reverse("action_list", args=["ashford"])).content.decode()
    )
    client.post(url)
    client.post(url)
    assert PlanAgreement.objects.get().cycle == released
    html = client.get(reverse("action_list", args=["ashford"])).content.decode()
    assert "Agreed on" in html and "Mark the plan as agreed" not in html


def test_an_unreleased_round_cannot_be_agreed(client, facilitator_a, place_a, bank):
    closed = open_cycle_for(place_a, bank, min_group_size=3)
    client.force_login(facilitator_a)
    assert client.post(reverse("plan_agree", args=["ashford", closed.pk])).status_code == 404
    assert not PlanAgreement.objects.exists()


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["action_list", "plan_print", "plan_csv"])
def test_plan_pages_cost_the_same_for_2_and_12_actions(
    client, facilitator_a, place_a, partner_a, charity, released, name
):
    statements = list(released.bank.conditions.get(key="leadership").statements.all())

    def add(n):
        for i in range(n):
            action = Action.objects.create(place=place_a, cycle=released, title=f"Action {i}")
            action.owners.set([partner_a, charity])
            action.conditions.set(released.bank.conditions.all())
            action.statements.set(statements)
            ActionUpdate.objects.create(action=action, text="Begun", status="under_way")

    client.force_login(facilitator_a)
    url = reverse(name, args=["ashford"])
    add(2)
    few = _count(client, url)
    add(10)
    assert _count(client, url) == few
