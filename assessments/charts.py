"""Charts as inline SVG, drawn on the server.

They print, need no JavaScript and no CDN, and carry no inline styles (the CSP forbids them):
colours are SVG presentation attributes, overridable by classes in static/css/app.css. Every
chart has a title and a description for screen readers; the page puts the same figures in a
table next to it. The markup is a template, so all text is autoescaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

WIDTH = 400  # viewBox units; the SVG scales to its container (width 100%)
BAR_AREA = 280  # bars end here; their values are written to the right
ROW = 46
BAR_HEIGHT = 18
AXIS = 22

FILLS = {
    "strength": "#2e7d32",
    "developing": "#b26a00",
    "concern": "#c62828",
    "spectrum": "#0b5ed7",
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: too few answers to show
    value_text: str
    kind: str  # a key of FILLS: the band, or "spectrum"


def _x(value: float, max_value: float) -> float:
    return round(max(0.0, min(value, max_value)) / max_value * BAR_AREA, 2)


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
    """A horizontal bar chart: one labelled row per bar, dashed lines at the thresholds.

    Geometry is worked out here; the markup is a template, so every text is autoescaped.
    """
    rows = []
    for i, bar in enumerate(bars):
        top = i * ROW + 4
        bar_y = top + 20
        rows.append(
            {
                "bar": bar,
                "label_y": top + 14,
                "bar_y": bar_y,
                "text_y": bar_y + 13,
                "width": None if bar.value is None else _x(bar.value, max_value),
                "fill": FILLS.get(bar.kind, "#6c757d"),
                "thresholds": [
                    {"x": _x(t, max_value), "y1": bar_y - 3, "y2": bar_y + BAR_HEIGHT + 3}
                    for t in thresholds
                ],
            }
        )
    bottom = len(bars) * ROW + 4
    tick_marks = [
        {
            "x": _x(tick, max_value),
            "label": f"{tick:g}{tick_suffix}",
            "anchor": "start" if tick == 0 else "end" if tick == max_value else "middle",
        }
        for tick in sorted({*ticks, *thresholds})
    ]
    return render_to_string(
        "assessments/_bar_chart.svg",
        {
            "chart_id": chart_id,
            "title": title,
            "description": description,
            "width": WIDTH,
            "height": len(bars) * ROW + AXIS + 4,
            "bar_area": BAR_AREA,
            "bar_height": BAR_HEIGHT,
            "value_x": BAR_AREA + 8,
            "rows": rows,
            "ticks": tick_marks,
            "tick_y": bottom + 16,
        },
    )
