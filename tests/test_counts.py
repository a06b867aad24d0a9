"""Counts of people cannot be set against each other (DESIGN §6, counts; issue 15, part 3).

Every statement is compulsory, so "N people answered" minus a statement's count of people who
scored it is its number of don't-knows, and N minus a condition's count is how many the
half-answered rule left out. Each of those is hidden when it is 1..k−1, so the counts that would
give them away are shown as bands k wide. These tests try the subtraction on every output.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from assessments import services, suppression
from assessments.results_display import count_text
from places.models import Sector
from tests.factories import PartnerFactory, add_responses, make_keyed_bank, open_cycle_for

pytestmark = pytest.mark.django_db


def _release(place, partner_a, dont_know: dict[str, set[int]], n: int):
    """k = 5, one condition of three statements and one of two; person i says "don't know"
    to the statements whose sets in `dont_know` hold i, and agrees (4) with the rest."""
    bank = make_keyed_bank(("c0", "leadership"), n_statements=3)
    cycle = open_cycle_for(place, bank, min_group_size=5)
    partner_a.sector = Sector.LOCAL_AUTHORITY
    partner_a.save()
    others = PartnerFactory(place=place, sector=Sector.VOLUNTARY)
    for i in range(n):
        add_responses(
            cycle,
            partner_a if i % 2 else others,
            values=lambda statement, _j, i=i: None if i in dont_know.get(statement.key, ()) else 4,
        )
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


def _outputs(client, member, cycle) -> dict[str, str]:
    client.force_login(member)
    args = [cycle.place.slug, cycle.pk]
    pages = {}
    for name in ("dashboard", "dashboard_print"):
        html = client.get(reverse(name, args=args)).content.decode()
        pages[name] = html[html.index("<main") : html.index("</main>")]
    pages["csv"] = client.get(reverse("dashboard_csv", args=args)).content.decode("utf-8-sig")
    return pages


def _people_cells(html: str) -> list[str]:
    """The "People" column of every table: the last cell of each body row whose header ends so."""
    found = []
    for table in re.findall(r"<table.*?</table>", html, re.S):
        headers = re.findall(r"<th scope=\"col\">(.*?)</th>", table)
        if headers and headers[-1] in ("People", "People who answered"):
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S):
                found.append(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1])
    return found


def test_eight_answered_and_statement_counts_of_seven_seven_and_six(
    client, member_a, place_a, partner_a
):
    # c0_s0 and c0_s1: person 7 doesn't know (7 scored each); c0_s2: persons 5 and 6 don't
    # (6 scored). Person 7 scored one of three, under half: c0 counts 7 people.
    cycle = _release(place_a, partner_a, {"c0_s0": {7}, "c0_s1": {7}, "c0_s2": {5, 6}}, n=8)
    data = cycle.result.snapshot
    assert data.condition("c0").place.n == 7
    assert [s.n for s in data.statements[:3]] == [7, 7, 6]

    pages = _outputs(client, member_a, cycle)
    for name in ("dashboard", "dashboard_print"):
        html = pages[name]
        assert "8 people answered this health check" in html
        assert "shown in bands of 5" in html
        people = _people_cells(html)
        assert people and set(people) <= {"8", "5–8"}, people
        assert "5–8" in people
    rows = list(csv.reader(io.StringIO(pages["csv"])))[1:]
    counts = {row[5] for row in rows if row[5]}
    assert counts <= {"8", "5–8"}, counts
    c0_rows = [row for row in rows if row[0] == "condition" and row[2] == "Condition c0"]
    assert c0_rows and {row[5] for row in c0_rows} == {"5–8"}


def test_twenty_answered_and_statement_counts_of_fourteen_and_thirteen(
    client, member_a, place_a, partner_a
):
    cycle = _release(
        place_a,
        partner_a,
        {"leadership_s0": set(range(6)), "leadership_s1": set(range(7))},
        n=20,
    )
    data = cycle.result.snapshot
    assert (data.statement("leadership_s0").n, data.statement("leadership_s1").n) == (14, 13)

    pages = _outputs(client, member_a, cycle)
    rows = list(csv.reader(io.StringIO(pages["csv"])))[1:]
    for key in ("leadership_s0", "leadership_s1"):
        text = data.statement(key).text
        shown = {
            row[5]
            for row in rows
            if row[0] == "statement" and row[2] == text and row[3] != "don't know (%)"
        }
        assert shown == {"10–14"}, (key, shown)
    for name in ("dashboard", "dashboard_print"):
        assert not {"13", "14"} & set(_people_cells(pages[name]))


@pytest.mark.parametrize(
    ("n", "k", "total", "shown"),
    [
        (20, 5, 20, "20"),  # the total itself
        (14, 5, 20, "10–14"),
        (13, 5, 20, "10–14"),
        (15, 5, 20, "15–19"),
        (19, 5, 20, "15–19"),
        (7, 5, 8, "5–8"),  # cut at the total
        (6, 3, 7, "6–7"),
        (5, 5, 12, "5–9"),
    ],
)
def test_count_text(n, k, total, shown):
    assert count_text(n, k, total) == shown


def test_no_two_bands_pin_a_difference_to_fewer_than_k():
    # Any two counts of nested sets (a ⊆ b), each shown as a band: the differences the bands
    # allow always include 0 or a number ≥ k.
    for k in (3, 4, 5):
        for total in range(k, 40):
            for a in range(0, total + 1):
                for b in range(a, total + 1):
                    low_a, high_a = suppression.count_band(a, k, total)
                    low_b, high_b = suppression.count_band(b, k, total)
                    least, most = max(0, low_b - high_a), high_b - low_a
                    assert least == 0 or most >= k, (k, total, a, b)
