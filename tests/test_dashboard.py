"""The results dashboard, its print view, the CSV export and the facilitators' comparison."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import charts, services
from assessments.models import Cycle, CycleResult
from assessments.results_display import csv_safe
from places.models import Role, Sector
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    PartnerFactory,
    PlaceFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

SIX = ("relationships", "vision", "principles", "behaviours", "infrastructure", "leadership")
FORMULA = '=HYPERLINK("http://evil.example","click me")'


def _mixed(statement, i):
    # 5, 5, 4 in every condition: (100 + 100 + 75) / 3 = 91.67, shown as 91 if it ever leaked.
    return 4 if statement.order % 3 == 2 else 5


@pytest.fixture
def bank(db):
    return make_keyed_bank(SIX, n_statements=3)


@pytest.fixture
def released(place_a, partner_a, bank):
    """Ashford: a released cycle on k = 3 after a previous released one.

    council (local authority, lead) 5 people at 75; trust (NHS) 5 at 50; charity (voluntary)
    4 at 25; faith group 2 at 91.67. The place scores (75 + 50 + 25 + 91.67) / 4 = 60.4 on
    every condition. By sector, faith (2) is under k and would be the remainder, so the
    smallest shown sector (voluntary, 4) is hidden too.
    """
    council = PartnerFactory(
        place=place_a, name="Ashford Borough Council", is_lead=True, sector=Sector.LOCAL_AUTHORITY
    )
    trust = PartnerFactory(place=place_a, name="Ashford NHS Trust", sector=Sector.NHS)
    charity = PartnerFactory(place=place_a, name="Ashford Youth", sector=Sector.VOLUNTARY)
    faith = PartnerFactory(place=place_a, name="St Mary's", sector=Sector.FAITH)
    partner_a.is_lead = False
    partner_a.save()

    previous = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2025")
    add_responses(previous, trust, count=5, values=4)  # 75: the change is -14.6, shown as -15
    services.close_cycle(previous)
    services.release_cycle(previous)

    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2026")
    add_responses(cycle, council, count=5, values=4)
    add_responses(cycle, trust, count=5, values=3)
    add_responses(cycle, charity, count=4, values=2)
    add_responses(cycle, faith, count=2, values=_mixed)
    condition = cycle.bank.conditions.get(key="relationships")
    for text in (
        FORMULA,
        "+44 is our dialling code",
        "-1 for the meetings",
        "@everyone",
        "\tTabbed",
        "We need more time together.",
    ):
        CommentFactory(cycle=cycle, condition=condition, text=text)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


def _url(name, cycle):
    return reverse(name, args=[cycle.place.slug, cycle.pk])


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def _table(html: str, caption_start: str) -> str:
    start = re.search(rf"<caption[^>]*>{re.escape(caption_start)}", html).start()
    return html[html.rindex("<table", 0, start) : html.index("</table>", start)]


# --- What people see ----------------------------------------------------------------------------


def test_dashboard_shows_the_scores_bands_and_trend(client, member_a, released):
    client.force_login(member_a)
    response = client.get(_url("dashboard", released))
    assert response.status_code == 200
    html = _main(response)
    assert "16 people answered" in html
    overall = html[
        html.index('class="overall-index') : html.index("</div>", html.index("overall-index"))
    ]
    assert ">60<" in overall and "Developing" in overall
    # Down from 75 last time: an arrow, and the words for screen readers.
    assert "↓ 15" in overall
    assert '<span class="visually-hidden">down 15 points</span>' in overall
    conditions = _table(html, "Score, band")
    assert conditions.count('<td class="fw-semibold" data-label="Score">60</td>') == 6
    assert conditions.count('class="band-developing" data-label="Band">Developing<') == 6
    # Last round's score beside the change: 75 then, 60 now, down 15.
    assert conditions.count("Last round: 75") == 6
    assert "Weak collaboration (one organisation steers)" in html
    assert "Why this label" in html
    assert "All at the helm (strong collaboration)" in html  # spectrum table
    assert "100%" in _table(html, "Share of the 16 people")


def test_hidden_groups_are_named_once_and_their_figures_never_shown(client, member_a, released):
    client.force_login(member_a)
    html = _main(client.get(_url("dashboard", released)))
    sectors = _table(html, "By sector")
    headers = re.findall(r'<th scope="col">([^<]+)</th>', sectors)
    # Voluntary (4) and faith (2) are hidden on every condition: no columns of hatched cells,
    # one sentence naming them, and never how many more answers would show them.
    assert headers == ["Condition", "Local authority", "NHS / health", "Largest gap"]
    after = html[html.index(sectors) + len(sectors) :]
    assert re.match(
        r"</table>\s*</div>\s*<p class=\"small text-body-secondary\">Not shown, to protect who "
        r"answered: Voluntary &amp; community, Faith group\.</p>",
        after,
    )
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\"[^>]*>.*?</tr>", sectors, flags=re.S)
    assert len(rows) == 6
    for row in rows:
        cells = re.findall(r"<td class=\"heat ([^\"]+)\"[^>]*>(.*?)</td>", row, flags=re.S)
        assert [c[0] for c in cells] == ["band-strength", "band-developing"]
        assert cells[0][1].startswith("75 ") and cells[1][1].startswith("50 ")
        # The 25-point gap is marked in words, not only by style.
        assert "Big gap: 25 points between Local authority (highest) and NHS / health" in row
    assert not re.search(r"\b92\b", sectors)  # the faith group's hidden figure
    assert not re.search(r"\b25 <", sectors)  # the voluntary sector's, hidden as the remainder
    assert "more answers" not in html
    # Lead partners and the rest: both shown, and the lead partners are named.
    leads = _table(html, "Lead partners and the other partners")
    assert "lead partners: Ashford Borough Council" in leads
    assert leads.count('class="heat band-strength" data-label="Lead partners">75 ') == 6
    assert leads.count('class="heat band-developing" data-label="Other partners">56 ') == 6


def test_statements_prompts_and_comments(client, member_a, released):
    client.force_login(member_a)
    html = _main(client.get(_url("dashboard", released)))
    for heading in (
        "Strongest statements",
        "Weakest statements",
        "Most divided statements",
        "“Don't know” hot spots",
        "Questions for your next partnership meeting",
    ):
        assert heading in html
    prompts = re.findall(r"<ol class=\"prompts\">(.*?)</ol>", html, flags=re.S)[0]
    assert 3 <= prompts.count("<li>") <= 5
    assert "We need more time together." in html
    assert "=HYPERLINK(&quot;http://evil.example&quot;" in html  # escaped, shown as text


def test_charts_are_accessible_inline_svg_without_styles_or_scripts(client, member_a, released):
    client.force_login(member_a)
    html = client.get(_url("dashboard", released)).content.decode()
    # Each chart is one image to assistive technology, named by its title and a description.
    images = re.findall(r'<div class="chart [^"]+"[^>]*role="img"[^>]*>', html)
    # Conditions, spectrum, the trend, and a chart per condition of how answers split.
    assert len(images) == 3 + 6
    for image in images:
        labelled = re.search(r'aria-labelledby="([^"]+)"', image).group(1).split()
        assert len(labelled) == 2 and all(f'id="{name}"' in html for name in labelled)
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert svgs and all('aria-hidden="true"' in svg for svg in svgs)
    # Nothing inside an SVG is scaled, so its text is the size it says on every screen.
    assert not any("viewBox" in svg for svg in svgs)
    assert {size for svg in svgs for size in re.findall(r'font-size="([^"]+)"', svg)} == {"12"}
    assert "style=" not in html
    # Tables that may scroll sideways on a phone can be reached and scrolled by keyboard.
    wrappers = re.findall(r'<div class="table-responsive"[^>]*>', html)
    assert wrappers and all('tabindex="0" role="region" aria-labelledby=' in w for w in wrappers)
    assert "<style" not in html and "<script" not in html
    # Each chart is followed by a table with the same figures.
    assert html.index("chart-conditions-title") < html.index('caption">Score, band')
    assert html.index("chart-division-1-title") < html.index('caption">Share of answers')
    assert html.index("chart-trend-title") < html.index('caption">Scores in each round')


def test_chart_text_is_escaped():
    svg = charts.bar_chart(
        [
            charts.Bar(
                label="<script>alert(1)</script>", value=40, value_text="40 & up", kind="concern"
            ),
            charts.Bar(
                label="Hidden", value=None, value_text="Too few answers to show", kind="concern"
            ),
        ],
        chart_id='x" onload="y',
        title="<b>",
        description="a < b",
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "40 &amp; up" in svg and "&lt;b&gt;" in svg
    assert 'onload="y' not in svg
    assert svg.count("<rect") == 3  # two tracks and one bar: no bar for a hidden figure


def test_place_page_links_to_results(client, member_a, released):
    client.force_login(member_a)
    html = client.get(reverse("place_detail", args=["ashford"])).content.decode()
    assert _url("dashboard", released) in html


# --- Who may see what ---------------------------------------------------------------------------


@pytest.fixture
def closed_only(place_a, bank):
    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Autumn 2026")
    add_responses(cycle, PartnerFactory(place=place_a), count=3, values=4)
    services.close_cycle(cycle)
    return cycle


@pytest.mark.parametrize("name", ["dashboard", "dashboard_print", "dashboard_csv"])
def test_member_cannot_see_a_closed_but_unreleased_cycle(client, member_a, closed_only, name):
    client.force_login(member_a)
    assert client.get(_url(name, closed_only)).status_code == 404


@pytest.mark.parametrize("name", ["dashboard", "dashboard_print", "dashboard_csv"])
def test_facilitator_can_review_a_closed_cycle(client, facilitator_a, closed_only, name):
    client.force_login(facilitator_a)
    response = client.get(_url(name, closed_only))
    assert response.status_code == 200
    if name == "dashboard":
        assert "have not been released yet" in response.content.decode()


@pytest.mark.parametrize("name", ["dashboard", "dashboard_print", "dashboard_csv"])
def test_member_of_a_cannot_see_b(client, member_a, place_b, bank, name):
    cycle = open_cycle_for(place_b, bank, min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_b), count=3)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    client.force_login(member_a)
    assert client.get(_url(name, cycle)).status_code == 404
    # Nor through A's address.
    assert client.get(reverse(name, args=["ashford", cycle.pk])).status_code == 404


def test_outsider_gets_404(client, outsider, released):
    client.force_login(outsider)
    assert client.get(_url("dashboard", released)).status_code == 404


def test_open_cycle_has_no_results(client, facilitator_a, place_a, bank):
    cycle = open_cycle_for(place_a, bank)
    client.force_login(facilitator_a)
    assert client.get(_url("dashboard", cycle)).status_code == 404


def test_too_few_responses_shows_nothing(client, member_a, place_a, bank):
    cycle = open_cycle_for(place_a, bank)  # k = 5
    add_responses(cycle, PartnerFactory(place=place_a), count=4, values=1)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    client.force_login(member_a)
    html = _main(client.get(_url("dashboard", cycle)))
    assert "Fewer than 5 people answered" in html
    assert "<svg" not in html and "<table" not in html


# --- Print and CSV ------------------------------------------------------------------------------


def test_print_view_has_the_same_figures_without_navigation(client, member_a, released):
    client.force_login(member_a)
    response = client.get(_url("dashboard_print", released))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<nav" not in html and "Sign out" not in html
    assert 'media="print"' in html
    assert '<td class="fw-semibold" data-label="Score">60</td>' in html
    assert "Not shown, to protect who answered: Voluntary &amp; community, Faith group." in html


def _csv(response, filename="ashford-spring-2026-results.csv") -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_holds_only_shown_figures(client, member_a, released):
    client.force_login(member_a)
    rows = _csv(client.get(_url("dashboard_csv", released)))
    header, body = rows[0], rows[1:]
    assert header == ["section", "group", "item", "figure", "value", "contributing respondents"]
    assert ["overall", "Whole place", "Overall index", "score", "60", "16"] in body
    sector_groups = {row[1] for row in body if row[0] == "breakdown: by sector"}
    assert sector_groups == {"Local authority", "NHS / health"}
    for row in body:
        if row[5]:
            # Exact, or a band k = 3 wide that starts at a multiple of k (never below k).
            low, _, high = row[5].partition("–")
            assert int(low) >= 3 and int(low) % 3 == 0 or row[5] == "16", row
            assert not high or int(high) - int(low) <= 2, row
    assert not any(row[4] == "91" for row in body)


def test_csv_escapes_formulas_but_keeps_negative_numbers(client, member_a, released):
    client.force_login(member_a)
    body = _csv(client.get(_url("dashboard_csv", released)))[1:]
    comments = {row[4] for row in body if row[0] == "comment"}
    assert "'" + FORMULA in comments
    assert {"'+44 is our dialling code", "'-1 for the meetings", "'@everyone", "'\tTabbed"} <= (
        comments
    )
    assert "We need more time together." in comments
    changes = [row for row in body if row[3].endswith("last cycle") and row[0] == "overall"]
    assert changes == [
        ["overall", "Whole place", "Overall index", "change since last cycle", "-15", "16"],
        ["overall", "Whole place", "Overall index", "score last cycle", "75", ""],
    ]


def test_csv_escapes_a_partner_name_that_looks_like_a_formula(client, member_a, place_a, bank):
    lead = PartnerFactory(place=place_a, name=FORMULA, is_lead=True)
    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2026")
    add_responses(cycle, lead, count=3, values=4)
    add_responses(cycle, PartnerFactory(place=place_a), count=3, values=2)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    client.force_login(member_a)
    body = _csv(client.get(_url("dashboard_csv", cycle)))[1:]
    names = [row[4] for row in body if row[0] == "lead partners"]
    assert names == ["'" + FORMULA, "Ashford Council"]
    assert not any(cell.startswith(("=", "+", "@")) for row in body for cell in row)


def test_csv_safe():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("\rx") == "'\rx"
    assert csv_safe("fine") == "fine"
    assert csv_safe(-14) == -14
    assert csv_safe("") == ""


# --- The comparison page ------------------------------------------------------------------------


def _release_place(place, bank, value=4, name="Spring 2026"):
    cycle = open_cycle_for(place, bank, min_group_size=3, name=name)
    add_responses(cycle, PartnerFactory(place=place), count=3, values=value)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    return cycle


def test_comparison_shows_each_facilitated_place(client, bank):
    user = UserFactory(username="connector")
    places = [PlaceFactory(name=name) for name in ("Ashford", "Brampton", "Crowhurst")]
    for place in places:
        MembershipFactory(user=user, place=place, role=Role.FACILITATOR)
    _release_place(places[0], bank, value=3, name="First")
    _release_place(places[0], bank, value=4, name="Second")  # 50 → 75
    _release_place(places[1], bank, value=2)
    other = PlaceFactory(name="Elsewhere")
    _release_place(other, bank)
    client.force_login(user)
    response = client.get(reverse("comparison"))
    html = _main(response)
    assert response.status_code == 200
    assert "Elsewhere" not in html
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, flags=re.S)
    assert len(rows) == 3
    assert "Second" in rows[0] and "First" not in rows[0]
    assert rows[0].count('75</span> <span class="small">Strength') == 7  # overall + six
    assert rows[0].count('<span class="visually-hidden">up 25 points</span>') == 6
    assert rows[1].count('25</span> <span class="small">Concern') == 7
    assert "No results yet" in rows[2]


def test_a_change_reads_the_same_on_the_dashboard_the_csv_and_the_comparison(
    client, facilitator_a, place_a, bank
):
    # Last round 12.5 (one partner at 25, one at 0), shown as 13; now 25: up 12.5, which would
    # round to 13, but 25 and 13 are 12 apart, and every page says 12.
    first, second = PartnerFactory(place=place_a), PartnerFactory(place=place_a)
    for name, values in (("Before", (2, 1)), ("After", (2, 2))):
        cycle = open_cycle_for(place_a, bank, min_group_size=3, name=name)
        add_responses(cycle, first, count=3, values=values[0])
        add_responses(cycle, second, count=3, values=values[1])
        services.close_cycle(cycle)
        services.release_cycle(cycle)
    client.force_login(facilitator_a)
    html = _main(client.get(_url("dashboard", cycle)))
    conditions = _table(html, "Score, band")
    assert conditions.count("up 12 points") == 6 and conditions.count("Last round: 13") == 6
    assert "the overall score is 25, up 12 points" in html
    body = _csv(client.get(_url("dashboard_csv", cycle)), "ashford-after-results.csv")[1:]
    assert {row[4] for row in body if row[3] == "change since last cycle"} == {"12"}
    comparison = _main(client.get(reverse("comparison")))
    assert comparison.count('<span class="visually-hidden">up 12 points</span>') == 6


def test_comparison_is_for_facilitators_only(client, member_a, outsider, facilitator_a):
    client.force_login(member_a)
    assert client.get(reverse("comparison")).status_code == 403
    client.force_login(outsider)
    assert client.get(reverse("comparison")).status_code == 403
    client.force_login(facilitator_a)
    assert client.get(reverse("comparison")).status_code == 200


def test_home_links_to_the_comparison_for_facilitators_only(client, member_a, facilitator_a):
    client.force_login(facilitator_a)
    assert reverse("comparison") in client.get(reverse("home")).content.decode()
    client.force_login(member_a)
    assert reverse("comparison") not in client.get(reverse("home")).content.decode()


# --- Page cost does not grow with responses or places -------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["dashboard", "dashboard_print", "dashboard_csv"])
def test_result_pages_cost_the_same_for_5_and_50_respondents(client, bank, name):
    user = UserFactory(username="reader")
    counts = []
    for n in (5, 50):
        place = PlaceFactory()
        MembershipFactory(user=user, place=place, role=Role.MEMBER)
        partners = [
            PartnerFactory(place=place, sector=s, is_lead=s == Sector.LOCAL_AUTHORITY)
            for s in (Sector.LOCAL_AUTHORITY, Sector.NHS, Sector.VOLUNTARY)
        ]
        cycle = open_cycle_for(place, bank, min_group_size=3)
        for i in range(n):
            add_responses(cycle, partners[i % 3], values=1 + i % 5)
        CommentFactory.create_batch(n, cycle=cycle)
        services.close_cycle(cycle)
        services.release_cycle(cycle)
        assert CycleResult.objects.get(cycle=cycle).n_responses == n
        client.force_login(user)
        counts.append(_count_queries(client, _url(name, cycle)))
    assert counts[0] == counts[1]


def test_comparison_costs_the_same_for_2_and_20_places(client, bank):
    user = UserFactory(username="connector")

    def add_places(count):
        for _ in range(count):
            place = PlaceFactory()
            MembershipFactory(user=user, place=place, role=Role.FACILITATOR)
            _release_place(place, bank, value=3, name="Before")
            _release_place(place, bank, value=4, name="After")

    client.force_login(user)
    add_places(2)
    two = _count_queries(client, reverse("comparison"))
    add_places(18)
    twenty = _count_queries(client, reverse("comparison"))
    assert two == twenty
    assert Cycle.objects.count() == 40


def test_trend_and_benchmark_words():
    from assessments.results_display import benchmark_view, trend_view
    from assessments.snapshot import Benchmark, Trend

    assert trend_view(Trend(previous=60.0, change=7.9, direction="up")) == {
        "arrow": "↑",
        "short": "8",
        "text": "up 8 points",
    }
    assert (
        trend_view(Trend(previous=60.0, change=-5.0, direction="down"))["text"] == "down 5 points"
    )
    assert trend_view(Trend(previous=60.0, change=4.4, direction=None))["arrow"] == ""
    # The arrow follows the change as shown, whatever an older snapshot stored beside it.
    assert trend_view(Trend(previous=60.0, change=4.6, direction=None))["arrow"] == "↑"
    assert trend_view(Trend(previous=60.0, change=-4.4, direction=None))["text"] == (
        "down 4 points, too small to call a change"
    )
    assert (
        trend_view(Trend(previous=60.0, change=0.4, direction=None))["text"]
        == "about the same as last time"
    )
    assert trend_view(None)["text"] == "No earlier results to compare with"
    # Beside last round's 52 and this round's 62, the change is 10, not 61.5 − 52.4 = 9.1.
    assert trend_view(Trend(previous=52.4, change=9.1, direction="up"))["text"] == "up 10 points"
    assert trend_view(Trend(previous=59.5, change=4.9, direction=None))["arrow"] == ""
    view = benchmark_view(Benchmark(median=60.2, q1=55.9, q3=70.1, places=6, position="above"))
    assert view["label"] == "Above the middle half of other places"
    assert view["detail"] == "Middle half of 6 other places: 56 to 70, median 60"
    assert benchmark_view(None) is None
