"""The dashboard for rounds on a bank with routed statements and "where we need to be", and
across a change of bank (issue 20): routed statements say how many people they went to in bands
of k; where we are beside where we need to be; a notice when the bank changed since last round;
conditions trend across banks by key, statements only with unchanged wording."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Condition, Statement
from places.models import Sector
from tests.factories import (
    PartnerFactory,
    add_responses,
    make_keyed_bank,
    make_routed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db

KEYS = ("c0", "leadership")


def _release(cycle):
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


def _dashboard(client, member, cycle) -> str:
    client.force_login(member)
    response = client.get(reverse("dashboard", args=[cycle.place.slug, cycle.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def rounds(place_a, partner_a):
    """Spring 2025 on an old bank; Spring 2026 on a routed bank with the same condition keys,
    one statement with unchanged key and wording, one with its wording changed."""
    old = make_keyed_bank(KEYS, n_statements=4)
    new = make_routed_bank(KEYS, n_everyone=4, n_routed=2, publish=False)
    # c0_s0 keeps its wording; c0_s1 keeps its key but is reworded.
    for key in ("c0_s0", "c0_s1"):
        Statement.objects.filter(condition__bank=new, key=key).update(
            text=Statement.objects.get(condition__bank=old, key=key).text
        )
    Statement.objects.filter(condition__bank=new, key="c0_s1").update(text="Reworded.")
    new.publish()

    council = PartnerFactory(place=place_a, is_lead=True, sector=Sector.LOCAL_AUTHORITY)
    charity = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    before = open_cycle_for(place_a, old, min_group_size=3, name="Spring 2025")
    add_responses(before, council, count=4, values=3)
    add_responses(before, charity, count=4, values=3)
    _release(before)

    now = open_cycle_for(place_a, new, min_group_size=3, name="Spring 2026")
    add_responses(now, council, count=4, values=5, in_meetings=True, spectrum="weak",
                  target="strong")  # fmt: skip
    add_responses(now, charity, count=3, values=5, in_meetings=False, spectrum="weak",
                  target="strong")  # fmt: skip
    add_responses(now, charity, count=1, values=5, in_meetings=True, spectrum="weak",
                  target="strong")  # fmt: skip
    return before, _release(now)


def test_conditions_trend_across_banks_by_key_and_statements_only_if_unchanged(rounds):
    _before, now = rounds
    data = now.result.snapshot
    assert data.condition("c0").trend.change == pytest.approx(50.0)
    assert data.statement("c0_s0").trend is not None  # same key, same wording
    assert data.statement("c0_s1").trend is None  # same key, new wording
    assert data.statement("c0_s4").trend is None  # new


def test_dashboard_says_the_bank_changed(client, member_a, rounds):
    before, now = rounds
    html = _dashboard(client, member_a, now)
    assert 'id="bank-change"' in html
    assert f"The question bank changed between {before.name}" in html
    assert "only where its" in html and "wording is unchanged" in html
    # Not said for a round on the same bank as the one before.
    assert 'id="bank-change"' not in _dashboard(client, member_a, before)


def test_routed_statements_say_how_many_people_they_went_to_in_bands(client, member_a, rounds):
    _before, now = rounds
    html = _dashboard(client, member_a, now)
    assert "Statements asked only of people in partnership meetings" in html
    # 5 of the 8 said they take part in meetings: at k = 3 that is shown as the band 3–5.
    start = html.index('id="routed-caption"')
    table = html[start : html.index("</table>", start)]
    assert table.count("<tr>") == 1 + 4  # a heading row and the four routed statements
    assert table.count("3–5 people") == 4
    assert ">5 people<" not in table


def test_where_we_are_beside_where_we_need_to_be(client, member_a, rounds):
    _before, now = rounds
    html = _dashboard(client, member_a, now)
    assert "Where we are, and where we need to be" in html
    summary = html[html.index('id="needed-summary"') :]
    assert "one organisation&#x27;s boat" in summary[:400] and "all at the helm" in summary[:400]
    start = html.index('id="needed-caption"')
    table = html[start : html.index("</table>", start)]
    assert "+100 points" in table and "-100 points" in table
    assert '<td data-label="People (needed)">8</td>' in table  # the total, shown exactly


def test_a_v1_round_shows_none_of_it(client, member_a, rounds):
    before, _now = rounds
    html = _dashboard(client, member_a, before)
    assert "Where we are, and where we need to be" not in html
    assert "asked only of people in partnership meetings" not in html


def test_dashboard_queries_do_not_grow_with_routed_rounds(client, member_a, rounds, place_a):
    _before, now = rounds
    client.force_login(member_a)
    url = reverse("dashboard", args=[now.place.slug, now.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    assert Condition.objects.filter(bank=now.bank).count() == 2
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(first) == len(second)


def test_csv_has_where_we_need_to_be_and_routed_counts_in_bands(client, member_a, rounds):
    import csv
    import io

    _before, now = rounds
    client.force_login(member_a)
    response = client.get(reverse("dashboard_csv", args=[now.place.slug, now.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode().lstrip("\ufeff"))))
    needed = [row for row in rows if row[0] == "where we need to be"]
    assert needed == [
        ["where we need to be", "Whole place", "All at the helm (strong collaboration)",
         "share (%)", "100", "8"],
    ]  # fmt: skip
    routed = [row for row in rows if row[0] == "routed statement"]
    assert len(routed) == 4 and all(row[-1] == "3–5" for row in routed)
