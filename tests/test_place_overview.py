"""Home and place pages: each place's latest released overall score and band, a small trend, and
the open round's progress for facilitators (issue 21)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Cycle, CycleStatus
from places.models import Role
from tests.factories import (
    CycleFactory,
    InvitationFactory,
    MembershipFactory,
    PartnerFactory,
    PlaceFactory,
    add_responses,
    make_bank,
)

pytestmark = pytest.mark.django_db


def words(response) -> str:
    page = html.unescape(response.content.decode())
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def released_round(place, partner, bank, name, value, days_ago, release=True, count=3) -> Cycle:
    opens = dt.date.today() - dt.timedelta(days=days_ago)
    cycle = CycleFactory(
        place=place,
        bank=bank,
        name=name,
        status=CycleStatus.OPEN,
        min_group_size=3,
        opens_on=opens,
        closes_on=opens + dt.timedelta(days=20),
    )
    add_responses(cycle, partner, count=count, values=value)
    services.close_cycle(cycle)
    if release:
        services.release_cycle(cycle)
    return cycle


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def history(place_a, partner_a, bank):
    """Three released rounds (50, 75, 100), then one closed but not released (0)."""
    released_round(place_a, partner_a, bank, "Spring 2024", 3, 900)
    released_round(place_a, partner_a, bank, "Spring 2025", 4, 500)
    released_round(place_a, partner_a, bank, "Autumn 2025", 5, 300)
    return released_round(place_a, partner_a, bank, "Spring 2026", 1, 100, release=False)


def test_member_sees_the_latest_released_score_band_and_trend(client, member_a, history):
    client.force_login(member_a)
    for page in (
        words(client.get(reverse("home"))),
        words(client.get(reverse("place_detail", args=["ashford"]))),
    ):
        assert "Latest overall score: 100 out of 100, strength (Autumn 2025" in page
        assert "Overall score over the last 3 released rounds: 50 → 75 → 100" in page
        # The closed round's figure is not released: never shown, not even in the trend.
        assert "→ 0" not in page and "Spring 2026" not in page
        assert "answered" not in page  # no participation for members


def test_a_round_without_an_overall_score_says_so_and_shows_no_figure(
    client, member_a, place_a, partner_a
):
    bank = make_bank()
    released_round(place_a, partner_a, bank, "Small round", 4, 100, count=2)  # fewer than k
    client.force_login(member_a)
    page = words(client.get(reverse("home")))
    assert "Latest results: no overall score, as not every condition had enough answers" in page
    assert "out of 100" not in page and "Overall score over" not in page


def test_facilitator_sees_the_open_rounds_progress(client, facilitator_a, place_a, partner_a):
    cycle = CycleFactory(place=place_a, name="Spring 2026", status=CycleStatus.OPEN)
    InvitationFactory.create_batch(12, cycle=cycle, partner=partner_a, submitted=True)
    InvitationFactory.create_batch(28, cycle=cycle, partner=partner_a)
    InvitationFactory(cycle=cycle, partner=partner_a, revoked_at=cycle.created_at)
    client.force_login(facilitator_a)
    for target in (reverse("home"), reverse("place_detail", args=["ashford"])):
        page = words(client.get(target))
        assert "Spring 2026 is open until" in page
        assert "12 of 40 invited people have answered." in page
        assert "No results released yet." in page


def test_home_page_queries_do_not_grow_with_places_or_rounds(client, facilitator_a, bank):
    def add_place(n: int):
        place = PlaceFactory(name=f"Place {n}", slug=f"place-{n}")
        partner = PartnerFactory(place=place)
        MembershipFactory(user=facilitator_a, place=place, role=Role.FACILITATOR)
        released_round(place, partner, bank, f"Round {n}", 4, 400)
        open_round = CycleFactory(place=place, bank=bank, status=CycleStatus.OPEN)
        InvitationFactory(cycle=open_round, partner=partner)

    add_place(1)
    client.force_login(facilitator_a)
    client.get(reverse("home"))  # the session and the user are loaded once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n in range(2, 5):
        add_place(n)
    with CaptureQueriesContext(connection) as many:
        page = words(client.get(reverse("home")))
    assert len(many) == len(few) == 5  # session, user, memberships, released rounds, open rounds
    assert page.count("0 of 1 invited person has answered.") == 4


def test_place_and_cycle_pages_list_rounds_in_the_same_order(
    client, facilitator_a, place_a, partner_a, bank
):
    for name, days in (("Middle", 200), ("Oldest", 400), ("Newest", 10)):
        opens = dt.date.today() - dt.timedelta(days=days)
        CycleFactory(place=place_a, bank=bank, name=name, opens_on=opens, closes_on=opens)
    client.force_login(facilitator_a)

    def order(page: str) -> list[str]:
        return re.findall(r"(Newest|Middle|Oldest)", page)

    place_page = order(words(client.get(reverse("place_detail", args=["ashford"]))))
    cycle_page = order(words(client.get(reverse("cycle_list", args=["ashford"]))))
    assert place_page == cycle_page == ["Newest", "Middle", "Oldest"]
