"""Charts drawn on the server: SVG shapes in HTML, with their text outside any scaling.

They print, need no JavaScript and no CDN, and carry no inline styles (the CSP forbids them):
colours are SVG presentation attributes, overridable by classes in static/css/app.css.

Text stays at a fixed, readable size on every screen: labels and values that may be long are HTML
(they wrap on a phone), and the SVGs have no viewBox, so nothing in them is scaled: positions
across are percentages of the chart's width, heights are CSS pixels, and the few numbers drawn
inside an SVG (axis ticks, a trend's values) are 12 px wherever they are shown.

Each chart is one image to assistive technology (`role="img"`, named by its title and a
description); the page puts the same figures in a table next to it. The markup is in templates,
so all text is autoescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

FILLS = {
    "strength": "#2e7d32",
    "developing": "#b26a00",
    "concern": "#c62828",
    "spectrum": "#0b5ed7",
}
# Unfavourable, neutral, favourable: a diverging orange–grey–blue that people with the common
# colour-vision deficiencies can tell apart, each at least 3:1 against the white gaps between them.
DIVISION_FILLS = ("#b35806", "#8c8c8c", "#2166ac")
DIVISION_KINDS = ("unfavourable", "neutral", "favourable")

# Heights in CSS pixels.
BAR_ROW = 28
BAR_TOP = 4
BAR_HEIGHT = 18
DIVISION_HEIGHT = 20
TREND_HEIGHT = 76
TREND_TOP = 18  # room above the 100 line for a value written over its point
TREND_PLOT = 50  # 0 to 100
AXIS_HEIGHT = 16
# At most this many rounds are drawn (the latest); the table beside the chart has them all.
MAX_TREND_ROUNDS = 12


def _percent(value: float, max_value: float = 100) -> float:
    """A position across the chart, as a percentage of its width, within 0–100."""
    return round(max(0.0, min(value, max_value)) / max_value * 100, 2)


def _ticks(ticks: Sequence[float], max_value: float, suffix: str) -> list[dict]:
    return [
        {
            "x": _percent(tick, max_value),
            "label": f"{tick:g}{suffix}",
            "anchor": "start" if tick <= 0 else "end" if tick >= max_value else "middle",
        }
        for tick in sorted(set(ticks))
    ]


# --- Bars -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: too few answers to show
    value_text: str
    kind: str  # a key of FILLS: the band, or "spectrum"
    middle: tuple[float, float] | None = None  # other places' middle half (q1, q3)
    previous: float | None = None  # the score last round


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str,
    max_value: float = 100,
    thresholds: Sequence[float] = (),
    ticks: Sequence[float] = (0, 100),
    tick_suffix: str = "",
) -> SafeString:
    """A horizontal bar chart: one labelled row per bar, dashed lines at the thresholds, and
    where given, other places' middle half as a line under the bar and last round's score as a
    mark across it."""
    rows = [
        {
            "bar": bar,
            "width": None if bar.value is None else _percent(bar.value, max_value),
            "fill": FILLS.get(bar.kind, "#6c757d"),
            "middle": (
                {
                    "x": _percent(bar.middle[0], max_value),
                    "width": round(
                        _percent(bar.middle[1], max_value) - _percent(bar.middle[0], max_value), 2
                    ),
                }
                if bar.middle
                else None
            ),
            "previous": None if bar.previous is None else _percent(bar.previous, max_value),
        }
        for bar in bars
    ]
    return render_to_string(
        "assessments/_bar_chart.html",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "rows": rows,
            "thresholds": [_percent(t, max_value) for t in thresholds],
            "ticks": _ticks([*ticks, *thresholds], max_value, tick_suffix),
            "has_middle": any(row["middle"] for row in rows),
            "has_previous": any(row["previous"] is not None for row in rows),
            "row_height": BAR_ROW,
            "bar_top": BAR_TOP,
            "bar_height": BAR_HEIGHT,
            "bar_bottom": BAR_TOP + BAR_HEIGHT,
            "axis_height": AXIS_HEIGHT,
            "fills": FILLS,
        },
    )


# --- Division: unfavourable, neutral, favourable -----------------------------------------------


@dataclass(frozen=True)
class DivisionBar:
    label: str
    shares: tuple[float, float, float] | None  # None: nothing to draw, the text says why
    value_text: str
    whole_place: bool = False


@dataclass(frozen=True)
class DivisionBlock:
    """One condition: the whole place's bar and those of the groups shown beside it."""

    label: str
    note: str
    bars: Sequence[DivisionBar]
    description: str  # what a screen reader hears instead of the bars


def _segments(shares: tuple[float, float, float]) -> list[dict]:
    """Three rectangles end to end; the last takes what is left, so rounding leaves no gap."""
    segments, start = [], 0.0
    parts = zip(DIVISION_KINDS, shares, DIVISION_FILLS, strict=True)
    for i, (kind, share, fill) in enumerate(parts):
        width = round(100 - start, 2) if i == 2 else _percent(share * 100)
        if width > 0:
            segments.append({"kind": kind, "x": round(start, 2), "width": width, "fill": fill})
        start += width
    return segments


def division_chart(blocks: Sequence[DivisionBlock], *, chart_id: str, title: str) -> SafeString:
    """A stacked bar per group and condition: the shares of answers unfavourable, neutral and
    favourable, from left to right, so that a split partnership (long ends, little middle) looks
    unlike one that agrees. A small chart per condition, so none is taller than a printed page."""
    return render_to_string(
        "assessments/_division_chart.html",
        {
            "chart_id": chart_id,
            "title": title,
            "blocks": [
                {
                    "block": block,
                    "bars": [
                        {"bar": bar, "segments": _segments(bar.shares) if bar.shares else None}
                        for bar in block.bars
                    ],
                }
                for block in blocks
            ],
            "legend": list(
                zip(("Unfavourable", "Neutral", "Favourable"), DIVISION_FILLS, strict=True)
            ),
            "height": DIVISION_HEIGHT,
        },
    )


# --- Trend over rounds ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    label: str
    values: Sequence[float | None]  # one per round, oldest first; None: not shown that round
    value_text: Sequence[str]  # the values as the page shows them


def _trend_y(value: float) -> float:
    return round(TREND_TOP + (100 - max(0.0, min(value, 100.0))) / 100 * TREND_PLOT, 2)


def trend_chart(
    rounds: Sequence[str],
    series: Sequence[TrendSeries],
    *,
    chart_id: str,
    title: str,
    description: str,
    thresholds: Sequence[float] = (),
) -> SafeString:
    """A small line chart per series over the same rounds, the last one being this round."""
    shown_from = max(0, len(rounds) - MAX_TREND_ROUNDS)
    rounds = list(rounds)[shown_from:]
    n = len(rounds)

    def x(i: int) -> float:
        return round((i + 0.5) / n * 100, 2)

    drawn = []
    for one in series:
        values = list(one.values)[shown_from:]
        texts = list(one.value_text)[shown_from:]
        points = [
            {
                "x": x(i),
                "y": _trend_y(value),
                "label_y": round(_trend_y(value) - 8, 2),
                "text": texts[i],
                "current": i == n - 1,
            }
            for i, value in enumerate(values)
            if value is not None
        ]
        lines = [
            {"x1": x(i), "y1": _trend_y(a), "x2": x(i + 1), "y2": _trend_y(b)}
            for i, (a, b) in enumerate(zip(values, values[1:], strict=False))
            if a is not None and b is not None
        ]
        drawn.append({"series": one, "points": points, "lines": lines})
    return render_to_string(
        "assessments/_trend_chart.html",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "rounds": rounds,
            "left_out": shown_from,
            "series": drawn,
            "height": TREND_HEIGHT,
            "grid": [{"y": _trend_y(value), "dashed": False} for value in (0, 100)]
            + [{"y": _trend_y(value), "dashed": True} for value in thresholds],
        },
    )
