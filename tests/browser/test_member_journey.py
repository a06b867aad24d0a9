"""A partner member reads their place's released dashboard, on a laptop and on a phone, and
downloads the figures as CSV."""

from __future__ import annotations

import csv
import io

import pytest

from assessments.results_display import CSV_HEADER
from tests.browser import audit, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The size text is drawn at, in CSS pixels, for every text of every chart: an SVG's text is
# multiplied by the SVG's scale (1 unless something scales it).
_CHART_TEXT_SIZES_JS = """
() => {
  const sizes = [];
  for (const el of document.querySelectorAll("figure.chart-figure, figure.chart-figure *")) {
    if (el.closest(".visually-hidden")) continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!ownText) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const scale = el instanceof SVGElement ? el.ownerSVGElement.getScreenCTM().a : 1;
    sizes.push(size * scale);
  }
  return sizes;
}
"""


def assert_chart_text_readable(page) -> None:
    sizes = page.evaluate(_CHART_TEXT_SIZES_JS)
    assert len(sizes) > 100
    assert min(sizes) >= 12 and max(sizes) <= 16, (min(sizes), max(sizes))


SECTIONS = [
    "At a glance",
    "Overall",
    "The conditions for collaboration",
    "How answers split",
    "Over the rounds",
    "What kind of collaboration is this?",
    "How different groups see it",
    "Statements that stand out",
    "Questions for your next partnership meeting",
    "What people said",
]


def test_member_reads_released_dashboard_and_downloads_csv(live_server, page, check):
    place = scenarios.make_place()
    cycle = scenarios.released_results(place, scenarios.default_bank())
    scenarios.member(place)

    scenarios.log_in(page, live_server, "member", check)
    check.page(page, "your places")
    # The place's latest released score, and the small trend over its two released rounds.
    assert page.get_by_text("Latest overall score:").is_visible()
    assert page.get_by_text("Overall score over the last 2 released rounds:").is_visible()
    assert page.locator("svg.sparkline polyline").count() == 1
    page.get_by_role("link", name="Riverbank").click()
    check.page(page, "place overview")
    assert page.get_by_role("heading", name="Released results").is_visible()
    page.get_by_role("link", name="View results of Spring 2026").click()

    check.page(page, "dashboard")
    for section in SECTIONS:
        assert page.get_by_role("heading", name=section, exact=True).is_visible(), section
    assert page.get_by_text("30 people answered this health check.").is_visible()
    assert page.locator(".overall-score").is_visible()
    # Every part has figures: trends against Autumn 2025, a benchmark against five other places,
    # the heatmaps, statements and comments.
    conditions = page.locator("#conditions-caption").locator("xpath=..").locator("tbody tr")
    assert conditions.count() == 6
    assert conditions.locator(".cell-suppressed").count() == 0
    assert page.locator("td.benchmark").first.inner_text() != "Too few other places to compare"
    assert page.locator(".trend").count() > 0
    # A table for every breakdown with a figure to show; the others are a sentence each.
    breakdowns = cycle.result.snapshot.breakdowns
    with_figures = sum(1 for b in breakdowns if any(row.cells for row in b.rows))
    assert with_figures >= 3
    assert page.locator("table.heatmap").count() == with_figures
    assert page.locator(".hidden-breakdown").count() == len(breakdowns) - with_figures
    assert page.locator("table.heatmap td.heat:not(.cell-suppressed)").count() > 0
    assert page.get_by_text("We trust each other more than a year ago.").is_visible()
    # Conditions, spectrum, the trend over two rounds, and how answers split in each condition.
    assert page.locator("figure.chart-figure .chart[role=img]").count() == 3 + 6
    assert page.get_by_text("These results have not been released yet").count() == 0
    assert_chart_text_readable(page)
    assert page.locator("table.heatmap td").first.evaluate(
        "el => getComputedStyle(el).display"
    ) == ("table-cell")

    # The headline leads down to the figure it quotes.
    glance = page.locator("#headline-weakest")
    assert glance.inner_text().startswith("Weakest condition: ")
    glance.get_by_role("link").click()
    page.wait_for_url("**#condition-*")
    weakest = page.locator(page.url[page.url.index("#") :])
    assert weakest.is_visible() and weakest.inner_text() in glance.inner_text()
    # Choosing which groups to show beside the whole place.
    page.get_by_role("link", name="By sector", exact=True).click()
    page.wait_for_url("**?compare=sector#division-heading")
    assert page.locator(".division-chart").first.get_by_text("Local authority").is_visible()
    check.page(page, "dashboard comparing sectors")

    # --- On a phone ---
    page.set_viewport_size(audit.PHONE)
    page.reload()
    check.page(page, "dashboard on a phone", phone=True)
    assert_chart_text_readable(page)
    # Tables of figures are a card per row: every cell under its column's name.
    cell = page.locator("table.heatmap td[data-label]").first
    assert cell.evaluate("el => getComputedStyle(el).display") != "table-cell"
    label = cell.evaluate("el => getComputedStyle(el, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label")
    page.set_viewport_size({"width": 1280, "height": 720})

    # --- The figures as CSV ---
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the figures (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "riverbank-spring-2026-results.csv"
    with open(download.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    assert tuple(rows[0]) == CSV_HEADER
    figures = {(row[0], row[2], row[3]): row for row in rows[1:]}
    assert figures[("responses", "Submitted responses", "count")][4] == "30"
    assert ("overall", "Overall index", "score") in figures
    k = cycle.min_group_size
    # Comments, benchmark figures and lead partners' names count nobody; everything else does.
    # A count may be a band k wide ("5–9"): its lower end is the fewest people it can describe.
    counted = [int(row[5].split("–")[0]) for row in rows[1:] if row[5]]
    assert counted and min(counted) >= k, "a figure about fewer than k people"
    assert sum(row[0] == "comment" for row in rows) == 5

    # --- The print-friendly version ---
    page.get_by_role("link", name="Print-friendly version").click()
    check.page(page, "print view")
    assert page.get_by_role("heading", level=1).inner_text() == "Results: Spring 2026"

    check.assert_html_valid()
