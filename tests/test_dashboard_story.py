"""The dashboard's story: its headline, how answers split, and the trend over the rounds."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import results, services
from assessments.models import CycleResult, RoleLevel
from assessments.results_display import headline
from places.models import Role, Sector, Size
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    PlaceFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db

SIX = ("relationships", "vision", "principles", "behaviours", "infrastructure", "leadership")
GROUP_WORDS = (
    "Lead partners",
    "lead partners",
    "Other partners",
    "other partners",
    "lead and manage",
    "deliver",
    "Local authority",
    "NHS",
    "Voluntary",
    "small organisations",
    "larger organisations",
)


def _answers(leadership: int, relationships: int = 4):
    def value(statement, _i):
        if statement.condition.key == "leadership":
            return leadership
        return relationships if statement.condition.key == "relationships" else 4

    return value


@pytest.fixture
def bank(db):
    return make_keyed_bank(SIX, n_statements=3)


def _release(cycle):
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


@pytest.fixture
def story(place_a, partner_a, bank):
    """Ashford, k = 3, after a round where everything scored 50.

    The council (lead, local authority; 4 managers) rates shared leadership and power 100, the
    trust (NHS; 4 managers) 25 and the charity (voluntary; 4 front-line staff) 0; the trust rates
    relationships 100, everyone else 75, and every other condition 75.

    Whole place: relationships (75 + 100 + 75) / 3 = 83.3, four conditions 75, leadership 41.7;
    overall 70.8, up from 50. Lead partners 100 against the others' 12.5 on leadership: a lead gap
    of 87.5 (weak collaboration, one organisation steers); lead and manage 62.5 against 0 for
    those who deliver: a role-lens gap of 62.5. By sector, local authority 100 against
    voluntary 0: the largest gap of all, 100 points.
    """
    partner_a.sector = Sector.LOCAL_AUTHORITY
    partner_a.save()
    trust = PartnerFactory(place=place_a, name="Ashford NHS Trust", sector=Sector.NHS)
    charity = PartnerFactory(place=place_a, name="Ashford Youth", sector=Sector.VOLUNTARY)

    previous = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2025")
    add_responses(previous, partner_a, count=3, values=3)
    add_responses(previous, trust, count=3, values=3)
    _release(previous)

    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2026")
    add_responses(cycle, partner_a, count=4, values=_answers(5))
    add_responses(cycle, trust, count=4, values=_answers(2, relationships=5))
    add_responses(cycle, charity, count=4, values=_answers(1), role_level=RoleLevel.FRONT_LINE)
    return _release(cycle)


def _url(cycle, name="dashboard"):
    return reverse(name, args=[cycle.place.slug, cycle.pk])


def _main(client, url) -> str:
    html = client.get(url).content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'aria-labelledby="{heading_id}"')
    end = html.find('<section class="dashboard-section', start + 1)
    return html[start : end if end > 0 else len(html)]


def _texts(items: list[dict]) -> dict[str, str]:
    return {item["key"]: item["text"] for item in items}


# --- The headline -------------------------------------------------------------------------------


def test_the_headline_tells_the_rounds_story_each_with_its_figure(story):
    items = headline(story.result.snapshot)
    assert [item["key"] for item in items] == [
        "type",
        "strongest",
        "weakest",
        "gap",
        "divided",
        "change",
    ]
    text = _texts(items)
    assert text["type"] == (
        "Weak collaboration (one organisation steers): lead partners rate shared leadership and "
        "power 88 points higher than the other partners do, so one organisation appears to be "
        "steering."
    )
    assert text["strongest"] == "“Condition relationships” scores highest, 83 (a strength)."
    assert text["weakest"] == "“Condition leadership” scores lowest, 42 (a concern)."
    # The largest gap across every shown breakdown: by sector, not the lead gap of 88.
    assert text["gap"] == (
        "On “Condition leadership”, the “Local authority” group scores 100 points higher than "
        "the “Voluntary & community” group, a big gap."
    )
    assert re.fullmatch(
        r"Views differ most on “Statement number \d+ is true here”, with a spread of 100 points "
        r"\(polarised\)\.",
        text["divided"],
    )
    assert text["change"] == (
        "Since Spring 2025, the overall score is 71, up 21 points; 5 conditions went up by 5 "
        "points or more and 1 went down."
    )


def test_each_headline_sentence_links_down_to_the_part_that_shows_it(client, member_a, story):
    client.force_login(member_a)
    html = _main(client, _url(story))
    glance = _section(html, "headline-heading")
    links = re.findall(r'<li id="headline-(\w+)"><a href="#([\w-]+)">', glance)
    assert [key for key, _anchor in links] == [
        "type",
        "strongest",
        "weakest",
        "gap",
        "divided",
        "change",
    ]
    for _key, anchor in links:
        assert html.count(f'id="{anchor}"') == 1, anchor
    assert dict(links)["gap"] == "heatmap-sector-leadership"
    assert dict(links)["weakest"] == "condition-leadership"
    # The contents list: one link to each section of the page.
    contents = re.findall(r'<a href="#([\w-]+)">', glance[glance.index('<nav class="contents"') :])
    sections = re.findall(
        r'<section class="dashboard-section[^"]*" aria-labelledby="([^"]+)"', html
    )
    assert contents == [s for s in sections if s != "headline-heading"]


def test_the_whole_place_headline_has_no_group_figure_and_no_reason_built_on_one(story):
    """For the public summary (issue 19): whole-place figures only, DESIGN §6."""
    data = story.result.snapshot
    # The dashboard's own type rests on the lead gap, with the role-lens gap as a second reason.
    assert data.collaboration_type.key == "weak_steered"
    assert any("lead and manage" in reason for reason in data.collaboration_type.reasons)

    items = headline(data, whole_place_only=True)
    assert [item["key"] for item in items] == ["type", "strongest", "weakest", "divided", "change"]
    text = _texts(items)
    # Judged again without the gaps: most people said all partners steer, but leadership scores
    # 42 and is polarised.
    assert text["type"].startswith("Developing collaboration: the answer given most often")
    for sentence in text.values():
        assert not any(word in sentence for word in GROUP_WORDS), sentence
        assert not re.search(r"\b(88|63) points|100 points higher", sentence), sentence
    # The whole place's figures are the same as on the dashboard.
    dashboard = _texts(headline(data))
    for key in ("strongest", "weakest", "divided", "change"):
        assert text[key] == dashboard[key]


def test_a_headline_needs_enough_answers(place_a, bank):
    cycle = open_cycle_for(place_a, bank)  # k = 5
    add_responses(cycle, PartnerFactory(place=place_a), count=4)
    _release(cycle)
    assert headline(cycle.result.snapshot) == []
    assert headline(cycle.result.snapshot, whole_place_only=True) == []


def test_a_first_round_with_no_groups_to_compare_says_so(place_a, bank):
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a), count=3, values=4)
    add_responses(cycle, PartnerFactory(place=place_a), count=2, values=2)
    _release(cycle)
    text = _texts(headline(cycle.result.snapshot))
    assert text["conditions"] == "Every condition shown scores 50 (developing)."
    assert text["gap"].startswith("No two groups can be set side by side this round")
    assert text["change"] == (
        "There are no earlier released results for this place to compare with."
    )


# --- How answers split ----------------------------------------------------------------------------


def _division_rows(html: str) -> list[tuple[str, ...]]:
    table = _section(html, "division-heading")
    table = table[table.index("<table") : table.index("</table>")]
    return [
        tuple(html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells)
        for cells in (
            re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, flags=re.S)[1:]
        )
    ]


def test_division_shows_the_whole_place_and_the_groups_of_one_breakdown(client, member_a, story):
    client.force_login(member_a)
    html = _main(client, _url(story))
    rows = _division_rows(html)
    # By default the two-group split with the largest gap: lead partners and the others.
    leadership = [row for row in rows if row[0] == "Condition leadership"]
    assert leadership == [
        ("Condition leadership", "Whole place", "67%", "0%", "33%", "12"),
        ("Condition leadership", "Lead partners", "0%", "0%", "100%", "3–5"),
        ("Condition leadership", "Other partners", "100%", "0%", "0%", "6–8"),
    ]
    relationships = [row for row in rows if row[0] == "Condition relationships"]
    assert relationships[0] == ("Condition relationships", "Whole place", "0%", "0%", "100%", "12")
    # Polarised and aligned look different: long bars at both ends, or one long bar.
    chart = _section(html, "division-heading")
    blocks = chart.split('<figure class="chart-figure division-figure"')[1:]
    assert len(blocks) == 6
    leadership_block = next(b for b in blocks if "Condition leadership" in b)
    place_bar = leadership_block[leadership_block.index("division-place") :]
    place_bar = place_bar[: place_bar.index("</svg>")]
    assert re.findall(r'class="division-(\w+)" x="[\d.]+%" y="0" width="([\d.]+)%"', place_bar) == [
        ("unfavourable", "66.67"),
        ("favourable", "33.33"),
    ]
    assert "Polarised" in leadership_block


def test_the_reader_can_choose_the_groups_and_only_shown_groups_appear(client, member_a, story):
    client.force_login(member_a)
    html = _main(client, _url(story) + "?compare=sector")
    groups = {row[1] for row in _division_rows(html)}
    assert groups == {"Whole place", "Local authority", "NHS / health", "Voluntary & community"}
    assert 'href="?compare=sector#division-heading" aria-current="true"' in html
    # An unknown choice is no error: the default is shown.
    html = _main(client, _url(story) + "?compare=<b>")
    assert {row[1] for row in _division_rows(html)} == {
        "Whole place",
        "Lead partners",
        "Other partners",
    }
    assert "&lt;b&gt;" not in html and "<b>" not in html


def test_hidden_groups_are_left_out_of_the_division(client, member_a, place_a, partner_a, bank):
    # By sector: the faith group's 2 people are too few, and the charity's 3 are hidden too, or
    # the faith group would be the remainder; the council's 5 are shown.
    partner_a.sector = Sector.LOCAL_AUTHORITY
    partner_a.save()
    charity = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    faith = PartnerFactory(place=place_a, sector=Sector.FAITH)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(cycle, partner_a, count=5, values=4)
    add_responses(cycle, charity, count=3, values=2)
    add_responses(cycle, faith, count=2, values=1)
    _release(cycle)
    client.force_login(member_a)
    html = _main(client, _url(cycle) + "?compare=sector")
    assert {row[1] for row in _division_rows(html)} == {"Whole place", "Local authority"}
    division = _section(html, "division-heading")
    assert "Faith" not in division and "Voluntary" not in division


# --- The trend over the rounds -----------------------------------------------------------------


def test_round_history_is_the_released_rounds_up_to_this_one(place_a, partner_a, bank):
    rounds = []
    for name, value in (("One", 2), ("Two", 3), ("Unreleased", 4), ("Three", 5), ("Later", 1)):
        cycle = open_cycle_for(place_a, bank, min_group_size=3, name=name)
        add_responses(cycle, partner_a, count=3, values=value)
        services.close_cycle(cycle)
        if name != "Unreleased":
            services.release_cycle(cycle)
        rounds.append(cycle)
    elsewhere = open_cycle_for(PlaceFactory(), bank, min_group_size=3, name="Elsewhere")
    add_responses(elsewhere, PartnerFactory(place=elsewhere.place), count=3)
    _release(elsewhere)

    with CaptureQueriesContext(connection) as queries:
        history = results.round_history(rounds[3])
    assert len(queries) == 1
    assert [(row["name"], row["overall_index"]) for row in history] == [
        ("One", 25.0),
        ("Two", 50.0),
        ("Three", 100.0),
    ]
    assert history[-1]["condition_scores"]["leadership"] == 100.0
    # A facilitator reviewing the closed round sees it at the end of its released history.
    assert [row["name"] for row in results.round_history(rounds[2])] == ["One", "Two", "Unreleased"]


def test_the_trend_table_has_every_round_and_each_conditions_score(client, member_a, story):
    client.force_login(member_a)
    html = _main(client, _url(story))
    trend = _section(html, "trend-heading")
    assert "chart-trend-title" in trend
    rows = re.findall(r'<tr>\s*<th scope="row">(.*?)</th>(.*?)</tr>', trend, flags=re.S)
    assert [re.sub(r"<[^>]+>", "", name) for name, _ in rows] == [
        "Spring 2025",
        "Spring 2026 (this round)",
    ]
    values = [re.findall(r'<td data-label="[^"]+">(\d+)</td>', cells) for _, cells in rows]
    assert values == [["50"] * 7, ["71", "83", "75", "75", "75", "75", "42"]]


def test_a_first_round_has_no_chart_over_the_rounds(client, member_a, place_a, partner_a, bank):
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(cycle, partner_a, count=3)
    _release(cycle)
    client.force_login(member_a)
    trend = _section(_main(client, _url(cycle)), "trend-heading")
    assert "This is the first round of this place with results" in trend
    assert "chart-trend-title" not in trend and "<table" in trend


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["dashboard", "dashboard_print"])
def test_the_trend_costs_the_same_for_2_and_8_rounds_and_more_places(client, bank, name):
    user = UserFactory(username="reader")
    place = PlaceFactory()
    MembershipFactory(user=user, place=place, role=Role.MEMBER)
    partner = PartnerFactory(place=place, size=Size.LARGE)
    client.force_login(user)

    def add_round(value):
        cycle = open_cycle_for(place, bank, min_group_size=3)
        add_responses(cycle, partner, count=3, values=value)
        return _release(cycle)

    add_round(3)
    latest = add_round(4)
    two = _count(client, _url(latest, name))
    for value in (2, 3, 4, 5, 4, 3):
        latest = add_round(value)
        other = PlaceFactory()
        cycle = open_cycle_for(other, bank, min_group_size=3)
        add_responses(cycle, PartnerFactory(place=other), count=3)
        _release(cycle)
    assert CycleResult.objects.filter(cycle__place=place).count() == 8
    assert _count(client, _url(latest, name)) == two
