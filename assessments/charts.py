"""Charts as inline SVG, drawn on the server.

They print, need no JavaScript and no CDN, and carry no inline styles (the CSP forbids them):
colours are SVG presentation attributes, overridable by classes in static/css/app.css. Every
chart has a title and a description for screen readers; the page puts the same figures in a
table next to it. All text is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

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
    """A horizontal bar chart: one labelled row per bar, dashed lines at the thresholds."""
    height = len(bars) * ROW + AXIS + 4
    chart_id = escape(chart_id)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        'focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for i, bar in enumerate(bars):
        top = i * ROW + 4
        bar_y = top + 20
        parts.append(
            f'<text class="chart-label" x="0" y="{top + 14}" font-size="14" fill="#212529">'
            f"{escape(bar.label)}</text>"
        )
        parts.append(
            f'<rect class="chart-track" x="0" y="{bar_y}" width="{BAR_AREA}" '
            f'height="{BAR_HEIGHT}" fill="#f1f3f5"/>'
        )
        if bar.value is None:
            parts.append(
                f'<text class="chart-suppressed" x="6" y="{bar_y + 13}" font-size="13" '
                f'font-style="italic" fill="#495057">{escape(bar.value_text)}</text>'
            )
        else:
            kind = escape(bar.kind)
            parts.append(
                f'<rect class="chart-bar chart-bar-{kind}" x="0" y="{bar_y}" '
                f'width="{_x(bar.value, max_value)}" height="{BAR_HEIGHT}" '
                f'fill="{FILLS.get(bar.kind, "#6c757d")}"/>'
            )
            # In a column of its own, so no threshold line runs through the figure.
            parts.append(
                f'<text class="chart-value" x="{BAR_AREA + 8}" y="{bar_y + 13}" font-size="13" '
                f'fill="#212529">{escape(bar.value_text)}</text>'
            )
        for threshold in thresholds:
            x = _x(threshold, max_value)
            parts.append(
                f'<line class="chart-threshold" x1="{x}" x2="{x}" y1="{bar_y - 3}" '
                f'y2="{bar_y + BAR_HEIGHT + 3}" stroke="#212529" stroke-width="1.5" '
                'stroke-dasharray="3 2"/>'
            )
    bottom = len(bars) * ROW + 4
    for tick in sorted({*ticks, *thresholds}):
        x = _x(tick, max_value)
        anchor = "start" if tick == 0 else "end" if tick == max_value else "middle"
        parts.append(
            f'<text class="chart-tick" x="{x}" y="{bottom + 16}" font-size="12" '
            f'text-anchor="{anchor}" fill="#495057">{tick:g}{escape(tick_suffix)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text above is escaped)
