"""The dashboard's charts and the tables that carry the same figures, from a snapshot.

Like results_display, this reads only the typed snapshot (already suppressed) and the narrow
columns of the place's released rounds (`results.round_history`), so it can only arrange figures
that may be shown: a group appears only where the snapshot holds its figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from assessments import charts, scoring
from assessments import snapshot as snap

SUPPRESSED = "Too few answers to show"
WHOLE_PLACE = "Whole place"
# How each breakdown's groups are named in a sentence.
COMPARED = {
    "lead": "lead partners and the other partners",
    "role_lens": "those who lead and manage and those who deliver and live here",
    "size_lens": "small and larger organisations",
    "sector": "each sector",
    "role_level": "each role",
}


def condition_chart(conditions: list[dict], chart_id: str):
    """Each condition's score, with other places' middle half and last round's score marked."""
    bars = [
        charts.Bar(
            label=c["name"],
            value=c["value"],
            value_text=f"{c['score']} · {c['band_label']}" if c["shown"] else SUPPRESSED,
            kind=c["band"] or "spectrum",
            middle=c["middle"],
            previous=c["previous_value"],
        )
        for c in conditions
    ]
    shown = ", ".join(
        f"{c['name']} {c['score']} ({c['band_label'].lower()})" for c in conditions if c["shown"]
    )
    marks = []
    if any(c["middle"] for c in conditions):
        marks.append("a line under a bar spans the middle half of other places")
    if any(c["previous_value"] is not None for c in conditions):
        marks.append("a dark mark across a bar is its score last round")
    return charts.bar_chart(
        bars,
        chart_id=chart_id,
        title="Score for each condition, out of 100",
        description=(
            f"Bars from 0 to 100, with dashed lines at {scoring.display(scoring.DEVELOPING_MIN)} "
            f"and {scoring.display(scoring.STRENGTH_MIN)}, where the bands change"
            + "".join(f"; {mark}" for mark in marks)
            + f". {shown}. The same figures are in the table below."
        ),
        thresholds=(scoring.DEVELOPING_MIN, scoring.STRENGTH_MIN),
    )


def spectrum_chart(rows: list[dict], chart_id: str):
    bars = [
        charts.Bar(
            label=row["label"],
            value=float(row["percent"]),
            value_text=f"{row['percent']}%",
            kind="spectrum",
        )
        for row in rows
    ]
    return charts.bar_chart(
        bars,
        chart_id=chart_id,
        title="Share of people choosing each description",
        description=(
            "Share of people choosing each description: "
            + ", ".join(f"{row['label']} {row['percent']}%" for row in rows)
            + ". The same figures are in the table below."
        ),
        ticks=(0, 50, 100),
        tick_suffix="%",
    )


# --- Division -------------------------------------------------------------------------------


def _percent(share: float) -> str:
    return scoring.display(share * 100)


def _division_row(
    condition: str, group: str, figure: snap.Figure | None, count: Callable, whole_place: bool
) -> dict:
    division = figure.division if figure else None
    row = {
        "condition": condition,
        "group": group,
        "whole_place": whole_place,
        "shown": figure is not None,
        "scored": division is not None,
        "n": count(figure.n) if figure else "",
        "agreement": figure.agreement if figure else None,
    }
    if division is not None:
        row.update(
            unfavourable=_percent(division.unfavourable),
            neutral=_percent(division.neutral),
            favourable=_percent(division.favourable),
            shares=(division.unfavourable, division.neutral, division.favourable),
        )
    return row


def _division_words(condition: str, rows: list[dict]) -> str:
    shares = "; ".join(
        f"{row['group']}: {row['unfavourable']}% unfavourable, {row['neutral']}% neutral, "
        f"{row['favourable']}% favourable"
        if row["scored"]
        else f"{row['group']}: {SUPPRESSED.lower() if not row['shown'] else 'no answers scored'}"
        for row in rows
    )
    return (
        f"How answers about {condition} split, as bars from unfavourable on the left to "
        f"favourable on the right. {shares}. The same figures are in the table below."
    )


def compare_choices(result: snap.Snapshot) -> list[snap.Breakdown]:
    """The breakdowns with a group figure shown somewhere: the ones worth comparing."""
    return [b for b in result.breakdowns if any(row.cells for row in b.rows)]


def division_section(
    result: snap.Snapshot,
    count: Callable[[int | None], str],
    compare: str | None,
    default: str | None,
    agreement_labels: dict[str, str],
    chart_id: str,
) -> dict:
    """Per condition, how the whole place's answers split, and beside it the groups of one
    breakdown (`compare`, else `default`, else the first with figures) — only groups whose
    figures are shown."""
    choices = compare_choices(result)
    by_key = {b.key: b for b in choices}
    coarse = [b for b in choices if len(b.columns) == 2]
    chosen = (
        by_key.get(compare or "")
        or by_key.get(default or "")
        or next(iter(coarse or choices), None)
    )
    rows, blocks = [], []
    for condition in result.conditions:
        block_rows = [
            _division_row(condition.name, WHOLE_PLACE, condition.place, count, whole_place=True)
        ]
        if chosen is not None and condition.place is not None:
            row = next(r for r in chosen.rows if r.condition == condition.key)
            block_rows += [
                _division_row(condition.name, column.label, row.cells[column.key], count, False)
                for column in chosen.columns
                if column.key in row.cells
            ]
        rows += block_rows
        place = condition.place
        blocks.append(
            charts.DivisionBlock(
                label=condition.name,
                note=agreement_labels.get(place.agreement or "", "") if place else "",
                description=_division_words(condition.name, block_rows),
                bars=[
                    charts.DivisionBar(
                        label=r["group"],
                        shares=r.get("shares"),
                        value_text=(
                            f"{r['unfavourable']}% · {r['neutral']}% · {r['favourable']}%"
                            if r["scored"]
                            else SUPPRESSED
                            if not r["shown"]
                            else "No answers scored"
                        ),
                        whole_place=r["whole_place"],
                    )
                    for r in block_rows
                ],
            )
        )
    title = "How answers split in each condition" + (
        f": the whole place and {COMPARED[chosen.key]}" if chosen else ""
    )
    return {
        "rows": rows,
        "chosen": chosen.key if chosen else None,
        "choices": [{"key": b.key, "title": b.title} for b in choices],
        "chart": charts.division_chart(
            blocks,
            chart_id=chart_id,
            title=title,
        ),
    }


# --- Trend over rounds ----------------------------------------------------------------------


def _value_text(value: float | None) -> str:
    return scoring.display(value) if value is not None else ""


def trend_section(result: snap.Snapshot, history: Sequence[dict], chart_id: str) -> dict:
    """The overall index and each condition in every round of `history` (oldest first, this
    round last), matched by condition key across bank versions."""
    rounds = [row["name"] for row in history]
    series = [("Overall score", [row["overall_index"] for row in history])] + [
        (c.name, [row["condition_scores"].get(c.key) for row in history]) for c in result.conditions
    ]
    table = [
        {
            "name": row["name"],
            "current": i == len(history) - 1,
            "values": [
                {"label": label, "text": _value_text(values[i])} for label, values in series
            ],
        }
        for i, row in enumerate(history)
    ]
    described = "; ".join(
        f"{label}: "
        + ", ".join(
            f"{name} {_value_text(value) or 'not shown'}"
            for name, value in zip(rounds, values, strict=True)
        )
        for label, values in series
    )
    return {
        "rounds": len(rounds),
        "columns": [label for label, _values in series],
        "rows": table,
        "chart": charts.trend_chart(
            rounds,
            [
                charts.TrendSeries(label, values, [_value_text(v) for v in values])
                for label, values in series
            ],
            chart_id=chart_id,
            title="Scores over the rounds, out of 100",
            description=(
                "A small line chart for the overall score and for each condition, one point per "
                "round from the oldest to this one, with dashed lines at "
                f"{scoring.display(scoring.DEVELOPING_MIN)} and "
                f"{scoring.display(scoring.STRENGTH_MIN)}, where the bands change. "
                f"{described}. The same figures are in the table below."
            ),
            thresholds=(scoring.DEVELOPING_MIN, scoring.STRENGTH_MIN),
        ),
    }
