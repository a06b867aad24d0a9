"""The server-drawn charts: geometry, escaping, and text that is never scaled."""

from __future__ import annotations

import re

from django.test import override_settings

from assessments import charts
from assessments.charts import Bar, DivisionBar, DivisionBlock, TrendSeries, bar_chart


def _chart(**overrides):
    bars = [
        Bar(
            label="<script>alert(1)</script>",
            value=62.5,
            value_text="62 · Developing",
            kind="developing",
            middle=(55.25, 70.0),
            previous=58.0,
        ),
        Bar(label="Hidden group", value=None, value_text="Too few answers to show", kind="concern"),
    ]
    return bar_chart(
        bars,
        chart_id="c1",
        title="Scores & bands",
        description="Two rows",
        thresholds=(50, 75),
        **overrides,
    )


def test_chart_text_is_escaped_and_the_chart_is_one_named_image():
    html = str(_chart())
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in html
    assert '<figcaption class="chart-title" id="c1-title">Scores &amp; bands</figcaption>' in html
    assert '<p class="visually-hidden" id="c1-desc">Two rows</p>' in html
    assert "Too few answers to show" in html


def test_bar_width_marks_and_suppressed_row():
    html = str(_chart())
    # 62.5 of 100: the bar spans 62.5% of the chart's width, whatever that width is.
    assert 'class="chart-bar chart-bar-developing" x="0" y="4" width="62.5%"' in html
    assert html.count('class="chart-bar ') == 1  # the hidden row draws no bar
    # Other places' middle half, 55.25 to 70, as a line under the bar; last round's 58 across it.
    assert 'class="chart-middle" x="55.25%" y="24" width="14.75%"' in html
    assert html.count('class="chart-previous" x1="58.0%" x2="58.0%"') == 1
    assert "Middle half of other places" in html and "Last round" in html
    # Ticks at 0, 50, 75 and 100, written in the SVG at 12 px.
    assert re.findall(r'<text x="([\d.]+)%"[^>]*font-size="12"', html) == [
        "0.0",
        "50.0",
        "75.0",
        "100.0",
    ]


def test_no_svg_is_scaled_so_its_text_keeps_its_size():
    html = str(_chart())
    division = str(
        charts.division_chart(
            [
                DivisionBlock(
                    "Trust", "Aligned", [DivisionBar("Whole place", (0.1, 0.2, 0.7), "")], ""
                )
            ],
            chart_id="d",
            title="Split",
        )
    )
    trend = str(
        charts.trend_chart(
            ["Spring", "Autumn"], [TrendSeries("Overall", [50.0, 60.0], ["50", "60"])],
            chart_id="t", title="Trend", description="",
        )
    )  # fmt: skip
    for drawn in (html, division, trend):
        svgs = re.findall(r"<svg.*?</svg>", drawn, flags=re.S)
        assert svgs
        assert not any("viewBox" in svg for svg in svgs)  # drawn at 1 unit = 1 CSS pixel
        assert any('width="100%"' in svg for svg in svgs)


@override_settings(LANGUAGE_CODE="de", USE_THOUSAND_SEPARATOR=True)
def test_numbers_are_not_localised_inside_svg():
    from django.utils import translation

    with translation.override("de"):
        html = str(_chart())
    assert 'width="62.5%"' in html


def _segments(html: str) -> list[tuple[str, float, float]]:
    return [
        (kind, float(x), float(width))
        for kind, x, width in re.findall(
            r'class="division-(\w+)" x="([\d.]+)%" y="0" width="([\d.]+)%"', html
        )
    ]


def test_division_bars_run_end_to_end_and_show_a_split_as_a_split():
    polarised = DivisionBar("Westbrook", (0.48, 0.05, 0.47), "48% · 5% · 47%", whole_place=True)
    aligned = DivisionBar("Hillmarsh", (0.0, 0.14, 0.86), "0% · 14% · 86%")
    hidden = DivisionBar("A hidden group", None, "Too few answers to show")
    html = str(
        charts.division_chart(
            [DivisionBlock("Shared leadership and power", "Polarised", [polarised, aligned], "d")]
            + [DivisionBlock("Trust", "", [hidden], "d2")],
            chart_id="div",
            title="How answers split",
        )
    )
    first, second = html.split('class="division-row', 3)[1:3]
    assert _segments(first) == [
        ("unfavourable", 0.0, 48.0),
        ("neutral", 48.0, 5.0),
        ("favourable", 53.0, 47.0),
    ]
    # No answers unfavourable: no sliver drawn for them.
    assert _segments(second) == [("neutral", 0.0, 14.0), ("favourable", 14.0, 86.0)]
    for row in (first, second):
        assert sum(width for _kind, _x, width in _segments(row)) == 100.0
    assert html.count("<figure") == 2  # a small chart per condition: none taller than a page
    assert 'aria-labelledby="div-1-title div-1-desc"' in html
    assert "division-empty" in html and "Too few answers to show" in html


def test_shares_that_do_not_add_up_to_100_after_rounding_leave_no_gap():
    html = str(
        charts.division_chart(
            [DivisionBlock("c", "", [DivisionBar("g", (1 / 3, 1 / 3, 1 / 3), "")], "")],
            chart_id="x",
            title="t",
        )
    )
    assert _segments(html) == [
        ("unfavourable", 0.0, 33.33),
        ("neutral", 33.33, 33.33),
        ("favourable", 66.66, 33.34),
    ]


def test_trend_lines_join_only_rounds_that_both_have_a_figure():
    html = str(
        charts.trend_chart(
            ["One", "Two", "Three", "Four"],
            [TrendSeries("Trust", [40.0, None, 60.0, 80.0], ["40", "", "60", "80"])],
            chart_id="t",
            title="Scores over the rounds",
            description="d",
            thresholds=(50, 75),
        )
    )
    # Points in the middle of each round's column: 12.5%, 37.5%, 62.5%, 87.5%.
    points = re.findall(r'<circle class="trend-point[^"]*" cx="([\d.]+)%" cy="([\d.]+)"', html)
    assert points == [("12.5", "48.0"), ("62.5", "38.0"), ("87.5", "28.0")]
    lines = re.findall(r'class="trend-line" x1="([\d.]+)%"[^>]*x2="([\d.]+)%"', html)
    assert lines == [("62.5", "87.5")]  # nothing drawn across the round without a figure
    assert 'class="trend-rounds trend-cols-4"' in html
    assert html.count("trend-current") == 2  # the last point and its round's name


def test_a_long_history_draws_the_latest_rounds_and_says_so():
    rounds = [f"Round {i}" for i in range(15)]
    html = str(
        charts.trend_chart(
            rounds,
            [TrendSeries("Overall", [50.0] * 15, ["50"] * 15)],
            chart_id="t",
            title="t",
            description="d",
        )
    )
    assert "Round 2<" not in html and "Round 3<" in html and "Round 14<" in html
    assert f"trend-cols-{charts.MAX_TREND_ROUNDS}" in html
    assert "The chart shows the latest 12 rounds; the table below has every round." in html
