"""Re-measurement on the next round's dashboard (DESIGN §7b): per condition, the actions since
the last round, and the change in their linked statements and in the condition, under §5's
trend rules; hidden figures stay hidden."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.models import Action, ActionStatus
from assessments import services
from assessments.models import Statement
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
KEYS = ("relationships", "leadership")


@pytest.fixture
def bank(db):
    return make_keyed_bank(KEYS, n_statements=2)


def _round(place, bank, partners, values, name):
    cycle = open_cycle_for(place, bank, min_group_size=3, name=name)
    for partner in partners:
        add_responses(cycle, partner, count=3, values=values)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


def _act(place, cycle, title, status, conditions=(), statements=()):
    action = Action.objects.create(place=place, cycle=cycle, title=title, status=status)
    action.conditions.set(cycle.bank.conditions.filter(key__in=conditions))
    action.statements.set(Statement.objects.for_bank(cycle.bank).filter(key__in=statements))
    return action


def _section(client, place, cycle) -> str:
    user = UserFactory()
    MembershipFactory(user=user, place=place, role=Role.MEMBER)
    client.force_login(user)
    html = client.get(reverse("dashboard", args=[place.slug, cycle.pk])).content.decode()
    if 'id="remeasured-heading"' not in html:
        return ""
    start = html.index('id="remeasured-heading"')
    return html[start : html.index("</section>", start)]


def _block(section: str, key: str) -> str:
    start = section.index(f'id="remeasured-{key}"')
    return section[start : section.index("</div>", start)]


@pytest.fixture
def two_rounds(place_a, partner_a, bank):
    other = PartnerFactory(place=place_a)
    first = _round(place_a, bank, [partner_a, other], 2, "Spring 2025")  # 25 everywhere
    _act(place_a, first, "Rotate the chair", ActionStatus.DONE, ["leadership"], ["leadership_s0"])
    _act(place_a, first, "Joint budget", ActionStatus.DONE, [], ["leadership_s1"])
    _act(place_a, first, "Co-chairs", ActionStatus.UNDER_WAY, ["leadership"])
    _act(place_a, first, "Newsletter", ActionStatus.DROPPED, ["relationships"])
    return first, [partner_a, other]


def test_the_next_round_shows_actions_and_changes_per_condition(client, place_a, bank, two_rounds):
    first, partners = two_rounds

    def values(statement, i):
        # leadership_s0 up to 75 (+50), leadership_s1 to 50 (+25); the condition to 62.5 (+38)
        return {"leadership_s0": 4, "leadership_s1": 3}.get(statement.key, 2)

    second = _round(place_a, bank, partners, values, "Spring 2026")
    section = _section(client, place_a, second)
    assert "since Spring 2025" in section
    leadership = _block(section, "leadership")
    assert "2 actions done, 1 under way; linked statements +50, +25; condition +38" in leadership
    assert "Rotate the chair" in leadership and "Co-chairs" in leadership
    assert "Newsletter" not in leadership
    relationships = _block(section, "relationships")
    assert "1 action dropped; condition ±0" in relationships


def test_the_first_round_and_a_round_without_actions_show_no_section(client, place_a, bank):
    partner = PartnerFactory(place=place_a)
    first = _round(place_a, bank, [partner], 3, "One")
    assert _section(client, place_a, first) == ""
    second = _round(place_a, bank, [partner], 3, "Two")
    assert _section(client, place_a, second) == ""


def test_actions_answering_an_older_round_are_not_counted_again(client, place_a, bank, two_rounds):
    first, partners = two_rounds
    _round(place_a, bank, partners, 3, "Spring 2026")
    third = _round(place_a, bank, partners, 3, "Autumn 2026")
    assert _section(client, place_a, third) == ""


def test_a_hand_made_action_between_the_rounds_is_counted(client, place_a, bank, partner_a):
    first = _round(place_a, bank, [partner_a], 2, "One")
    action = Action.objects.create(place=place_a, title="Coffee mornings", status="done")
    action.conditions.set(first.bank.conditions.filter(key="relationships"))
    second = _round(place_a, bank, [partner_a], 3, "Two")
    # Made before the first round closed: not "since the last round".
    Action.objects.filter(pk=action.pk).update(created_at=first.closed_at - dt.timedelta(days=1))
    assert _section(client, place_a, second) == ""
    between = first.closed_at + (second.closed_at - first.closed_at) / 2
    Action.objects.filter(pk=action.pk).update(created_at=between)
    assert "1 action done; condition +25" in _section(client, place_a, second)


def test_a_statement_whose_wording_changed_says_so_instead_of_a_change(
    client, place_a, bank, two_rounds
):
    first, partners = two_rounds
    reworded = bank.copy_as_draft()
    Statement.objects.filter(condition__bank=reworded, key="leadership_s0").update(
        text="Decisions about money are made together."
    )
    reworded.publish()
    second = _round(place_a, reworded, partners, 4, "Spring 2026")
    leadership = _block(_section(client, place_a, second), "leadership")
    assert "linked statements +50; condition +50" in leadership
    assert "“Decisions about money are made together”: the wording changed since last round" in (
        leadership
    )


def test_hidden_figures_stay_hidden(client, place_a, bank, two_rounds):
    first, partners = two_rounds

    def values(statement, i):
        # Nobody scores leadership this time: the condition and its statements are hidden.
        return None if statement.condition.key == "leadership" else 3

    second = _round(place_a, bank, partners, values, "Spring 2026")
    leadership = _block(_section(client, place_a, second), "leadership")
    assert (
        "no linked statement can be compared; condition not shown this round (too few answers)"
        in leadership
    )
    assert "+" not in leadership and "−" not in leadership


def test_a_figure_hidden_last_round_is_not_compared(client, place_a, bank, partner_a):
    # Two people in the first round: below k = 3, so nothing of it is shown or compared.
    first = open_cycle_for(place_a, bank, min_group_size=3, name="Small")
    add_responses(first, partner_a, count=2, values=1)
    services.close_cycle(first)
    services.release_cycle(first)
    _act(place_a, first, "Rotate the chair", "done", ["leadership"], ["leadership_s0"])
    second = _round(place_a, bank, [partner_a], 4, "Bigger")
    leadership = _block(_section(client, place_a, second), "leadership")
    assert "no linked statement can be compared; condition not shown last round" in leadership


def test_the_dashboard_costs_the_same_for_1_and_10_actions(client, place_a, bank, two_rounds):
    first, partners = two_rounds
    second = _round(place_a, bank, partners, 3, "Spring 2026")
    user = UserFactory()
    MembershipFactory(user=user, place=place_a, role=Role.MEMBER)
    client.force_login(user)
    url = reverse("dashboard", args=[place_a.slug, second.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(10):
        _act(place_a, first, f"More {i}", "planned", KEYS, ["leadership_s0", "relationships_s1"])
    assert count() == few
