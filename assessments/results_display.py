"""Turning a stored snapshot into what pages and the CSV export show.

Reads only the typed snapshot (`snapshot.Snapshot`, already suppressed), so nothing here can
reveal a hidden figure; it only words and arranges the figures that are there. Scores are shown
rounded half up (`scoring.display`), and every label beside a number was judged on that number.
Counts of people other than the place's total are shown as bands k wide (`count_text`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from html import escape
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from assessments import result_charts, scoring, suppression
from assessments import snapshot as snap

BAND_LABELS = {
    "strength": "Strength",
    "developing": "Developing",
    "concern": "Concern",
}
BAND_MEANINGS = {
    "strength": f"{scoring.display(scoring.STRENGTH_MIN)} or more: a strength",
    "developing": (
        f"{scoring.display(scoring.DEVELOPING_MIN)} up to {scoring.display(scoring.STRENGTH_MIN)}: "
        "developing, worth discussing"
    ),
    "concern": f"under {scoring.display(scoring.DEVELOPING_MIN)}: a concern",
}
AGREEMENT_LABELS = {
    "aligned": "Aligned",
    "mixed": "Mixed views",
    "polarised": "Polarised",
}
POSITION_LABELS = {
    "above": "Above the middle half of other places",
    "within": "Within the middle half of other places",
    "below": "Below the middle half of other places",
}
SUPPRESSED = "Too few answers to show"
HIDDEN_CELL = "Hidden to protect who answered"
NOT_IN_ROUND = "Not part of this round's results"


def count_text(n: int | None, k: int, total: int) -> str:
    """A count of people or answers as it may be shown: exact for the place's total, otherwise
    a band k wide ("10–14"), so that no two shown counts give away a handful of people."""
    if n is None:
        return ""
    low, high = suppression.count_band(n, k, total)
    return str(low) if low == high else f"{low}–{high}"


def _counter(result: snap.Snapshot) -> Callable[[int | None], str]:
    """count_text for this snapshot's k and total."""
    return functools.partial(count_text, k=result.k, total=result.n_responses)


def percent(share: float | None) -> str:
    if share is None:
        return ""
    return scoring.display(share * 100)


def points(value: float) -> str:
    shown = scoring.display(abs(value))
    return f"{shown} point{'' if shown == '1' else 's'}"


def trend_view(trend: snap.Trend | None) -> dict:
    """Arrow and words for a change; the words are what a screen reader hears."""
    if not trend:
        return {"arrow": "", "short": "", "text": "No earlier results to compare with"}
    # The change shown is the difference of the two scores as shown, and the arrow is judged
    # on it again, so both agree with the scores whatever an older snapshot stored beside them.
    return dict(_trend_words(scoring.shown_change(trend.previous + trend.change, trend.previous)))


@functools.lru_cache(maxsize=1024)
def _trend_words(change: int) -> dict:
    # Only whole changes are ever shown (scoring.shown_change), so the words depend on the whole
    # change alone: a few hundred cases, each made once.
    way = "up" if change >= 0 else "down"
    if change >= scoring.TREND_MIN_CHANGE:
        return {"arrow": "↑", "short": scoring.display(change), "text": f"up {points(change)}"}
    if change <= -scoring.TREND_MIN_CHANGE:
        return {"arrow": "↓", "short": scoring.display(-change), "text": f"down {points(change)}"}
    if change == 0:
        return {"arrow": "", "short": "", "text": "about the same as last time"}
    return {
        "arrow": "",
        "short": "",
        "text": f"{way} {points(change)}, too small to call a change",
    }


def benchmark_view(benchmark: snap.Benchmark | None) -> dict | None:
    if not benchmark:
        return None
    return {
        "position": benchmark.position,
        "label": POSITION_LABELS.get(benchmark.position or "", ""),
        "detail": (
            f"Middle half of {benchmark.places} other places: "
            f"{scoring.display(benchmark.q1)} to {scoring.display(benchmark.q3)}, "
            f"median {scoring.display(benchmark.median)}"
        ),
    }


def _figure_view(figure: snap.Figure | None, count: Callable[[int | None], str]) -> dict:
    if figure is None:
        return dict.fromkeys(
            ("score", "band", "band_label", "agreement", "agreement_label", "spread", "n"), ""
        ) | {"shown": False}
    return {
        "shown": True,
        "score": scoring.display(figure.score),
        "band": figure.band or "",
        "band_label": BAND_LABELS.get(figure.band or "", ""),
        "agreement": figure.agreement or "",
        "agreement_label": AGREEMENT_LABELS.get(figure.agreement or "", ""),
        "spread": scoring.display(figure.spread),
        "n": count(figure.n),
    }


def _statement_view(statement: snap.StatementResult, count) -> dict:
    shown = statement.mean is not None
    return {
        "shown": shown,
        "key": statement.key,
        "text": statement.text,
        "condition_name": statement.condition_name,
        "reverse_keyed": statement.reverse_keyed,
        "score": scoring.display(statement.mean),
        "band": statement.band or "",
        "band_label": BAND_LABELS.get(statement.band or "", ""),
        "agreement_label": AGREEMENT_LABELS.get(statement.agreement or "", ""),
        "spread": scoring.display(statement.spread),
        "n": count(statement.n),
        "dont_know": percent(statement.dont_know_rate),
        "n_answered": count(statement.n_answered),
        "trend": trend_view(statement.trend),
    }


def _breakdown_view(
    breakdown: snap.Breakdown, result: snap.Snapshot, count: Callable[[int | None], str]
) -> dict:
    """A breakdown table: only the columns with a figure somewhere; a hidden column is named
    once below the table, and a table with nothing to show is one sentence."""
    shown_keys = {key for row in breakdown.rows for key in row.cells}
    columns = [c for c in breakdown.columns if c.key in shown_keys]
    labels = {c.key: c.label for c in breakdown.columns}
    rows = []
    for row in breakdown.rows:
        gap = row.gap
        rows.append(
            {
                "key": row.condition,
                "condition": result.condition(row.condition).name,
                "cells": [
                    {**_figure_view(row.cells.get(c.key), count), "label": c.label} for c in columns
                ],
                "gap": (
                    {
                        "points": scoring.display(gap.points),
                        "big": gap.big,
                        "text": (
                            f"{points(gap.points)} between {labels[gap.high]} (highest) and "
                            f"{labels[gap.low]} (lowest)"
                        ),
                    }
                    if gap
                    else None
                ),
            }
        )
    return {
        "key": breakdown.key,
        "title": breakdown.title,
        "columns": [{"key": c.key, "label": c.label} for c in columns],
        "hidden_columns": [c.label for c in breakdown.columns if c.key not in shown_keys],
        "rows": rows,
        "lead_partners": breakdown.lead_partners,
        "any_big_gap": any(row["gap"] and row["gap"]["big"] for row in rows),
    }


MISSING_BREAKDOWNS = {
    snap.PART_ROLE_LENS: "Those who lead and manage, and those who deliver and live here",
    snap.PART_SIZE_LENS: "Small organisations and larger ones",
}


def dashboard(
    result: snap.Snapshot,
    *,
    history: Sequence[Mapping] = (),
    compare: str | None = None,
    chart_prefix: str = "chart",
    guidance: Mapping[str, str] | None = None,
    remeasured: Sequence[Mapping] = (),
) -> dict:
    """Everything the dashboard and print pages show, from the snapshot.

    `history` is `results.round_history` of the round (the trend chart, left out when empty);
    `compare` the breakdown whose groups the division chart shows beside the whole place;
    `guidance` the bank's guidance by condition key (`results.condition_guidance`);
    `remeasured` the actions since the last round per condition (`actions.remeasure`).
    """
    count = _counter(result)
    conditions = []
    for condition in result.conditions:
        view = _figure_view(condition.place, count)
        trend = condition.trend
        view.update(
            key=condition.key,
            name=condition.name,
            value=condition.place.score if condition.place else None,
            trend=trend_view(trend),
            previous=scoring.display(trend.previous) if trend else "",
            previous_value=trend.previous if trend else None,
            benchmark=benchmark_view(condition.benchmark),
            middle=(
                (condition.benchmark.q1, condition.benchmark.q3) if condition.benchmark else None
            ),
            dont_know=percent(condition.dont_know_rate),
        )
        conditions.append(view)

    def listed(name: str) -> list[dict]:
        keys = getattr(result.highlights, name)
        return [_statement_view(result.statement(key), count) for key in keys]

    overall = _figure_view(
        snap.Figure(
            score=result.overall.score,
            n=result.overall.n,
            band=result.overall.band,
            spread=result.overall.spread,
            agreement=result.overall.agreement,
            division=None,
        )
        if result.overall.score is not None
        else None,
        count,
    )
    overall["trend"] = trend_view(result.overall.trend)

    spectrum = result.spectrum
    spectrum_rows = []
    if spectrum:
        spectrum_rows = [
            {"label": c.label, "percent": percent(c.share), "n": c.n, "key": c.key}
            for c in spectrum.categories
        ]
        if spectrum.other:
            spectrum_rows.append(
                {
                    "label": "Other answers (each chosen by too few people to show alone)",
                    "percent": percent(spectrum.other.share),
                    "n": spectrum.other.n,
                    "key": "other",
                }
            )

    breakdowns = [_breakdown_view(b, result, count) for b in result.breakdowns]
    routed = _routed_view(result, count)
    lead_gap = result.lead_gap
    return {
        "k": result.k,
        "enough_responses": result.enough_responses,
        "n_responses": result.n_responses,
        "band_example": f"“{2 * result.k}–{3 * result.k - 1}”",
        "previous_cycle": result.previous_cycle,
        "overall": overall,
        "conditions": conditions,
        "show_division": snap.PART_DIVISION not in result.missing,
        "breakdowns": breakdowns,
        "missing_breakdowns": [
            title for part, title in MISSING_BREAKDOWNS.items() if part in result.missing
        ],
        "lead_gap": (
            {
                "points": scoring.display(lead_gap.points),
                "text": _lead_gap_text(lead_gap.points),
                "big": scoring.is_big_gap(lead_gap.points),
            }
            if lead_gap
            else None
        ),
        "spectrum": spectrum_rows,
        "spectrum_n": spectrum.n if spectrum else None,
        "needed": _needed_view(result, count),
        "bank_change": _bank_change(result),
        "routed": routed,
        # Every routed statement goes to the same people, so one sentence can say how many
        # (the table, which prints only on screen, says it for each).
        "routed_went_to": (
            f"each went to {routed[0]['went_to']}"
            if routed and len({r["went_to"] for r in routed}) == 1
            else ""
        ),
        "collaboration_type": result.collaboration_type,
        "strongest": listed("strongest"),
        "weakest": listed("weakest"),
        "most_divided": listed("most_divided"),
        "dont_know": listed("dont_know"),
        "dont_know_min": percent(scoring.DONT_KNOW_HOT_SPOT_MIN),
        "gap_min": scoring.display(scoring.HEATMAP_GAP_MIN),
        "comments": result.comments,
        "prompts": result.prompts,
        "band_meanings": [(BAND_LABELS[key], text) for key, text in BAND_MEANINGS.items()],
        "headline": headline(result),
        "guidance": guidance_items(result, guidance or {}),
        "remeasured": list(remeasured) if result.enough_responses else [],
        "condition_chart": result_charts.condition_chart(conditions, f"{chart_prefix}-conditions"),
        "spectrum_chart": (
            result_charts.spectrum_chart(spectrum_rows, f"{chart_prefix}-spectrum")
            if spectrum_rows
            else ""
        ),
        "division": (
            result_charts.division_section(
                result,
                count,
                compare,
                default=_default_compare(result),
                agreement_labels=AGREEMENT_LABELS,
                chart_id=f"{chart_prefix}-division",
            )
            if result.enough_responses
            else None
        ),
        "trend": (
            result_charts.trend_section(result, history, f"{chart_prefix}-trend")
            if history and result.enough_responses
            else None
        ),
    }


# --- Guidance beside weak or divided conditions (DESIGN §7b) ---------------------------------

WEAK_BANDS = ("concern", "developing")
DIVIDED_AGREEMENTS = ("mixed", "polarised")


def guidance_items(result: snap.Snapshot, guidance: Mapping[str, str]) -> list[dict]:
    """The bank's guidance for each condition shown that is weak (not a strength) or divided
    (mixed or polarised views), with why it is listed. A hidden condition is never judged."""
    items = []
    for condition in result.conditions:
        figure, text = condition.place, guidance.get(condition.key, "").strip()
        if figure is None or not text:
            continue
        reasons = []
        if figure.band in WEAK_BANDS:
            reasons.append(f"it scores {scoring.display(figure.score)} ({BAND_WORDS[figure.band]})")
        if figure.agreement in DIVIDED_AGREEMENTS:
            reasons.append(f"views are {figure.agreement}")  # "mixed" or "polarised"
        if not reasons:
            continue
        items.append(
            {
                "key": condition.key,
                "name": condition.name,
                "why": "Listed because " + " and ".join(reasons) + ".",
                "suggestions": [line.strip() for line in text.splitlines() if line.strip()],
            }
        )
    return items


# --- The public summary for respondents (DESIGN §6) -------------------------------------------


def public_summary(result: snap.Snapshot) -> dict:
    """Whole-place figures only: the overall score and each condition's score, band, agreement
    and change, and the headline without any group figure or reason built on one. Nothing from
    a breakdown, a gap, a group or a count other than the place's total."""
    conditions = []
    for condition in result.conditions:
        figure = condition.place
        conditions.append(
            {
                "name": condition.name,
                "shown": figure is not None,
                "score": scoring.display(figure.score) if figure else "",
                "band_label": BAND_LABELS.get(figure.band or "", "") if figure else "",
                "agreement_label": (
                    AGREEMENT_LABELS.get(figure.agreement or "", "") if figure else ""
                ),
                "trend": trend_view(condition.trend)["text"] if figure else "",
            }
        )
    overall = result.overall
    return {
        "k": result.k,
        "enough_responses": result.enough_responses,
        "n_responses": result.n_responses,
        "overall": (
            {
                "score": scoring.display(overall.score),
                "band_label": BAND_LABELS.get(overall.band or "", ""),
                "trend": trend_view(overall.trend)["text"],
            }
            if overall.score is not None and result.enough_responses
            else None
        ),
        "conditions": conditions if result.enough_responses else [],
        "headline": headline(result, whole_place_only=True),
        "band_meanings": [(BAND_LABELS[key], text) for key, text in BAND_MEANINGS.items()],
    }


def _bank_change(result: snap.Snapshot) -> str:
    """A sentence when this round used another question bank than the round it is compared with."""
    before, now = result.previous_bank, result.bank
    if before is None or result.previous_cycle is None or before.id == now.id:
        return ""
    return (
        f"The question bank changed between {result.previous_cycle.name} ({before.name}, version "
        f"{before.version}) and this round ({now.name}, version {now.version}). Each condition is "
        "compared with the same condition last time; a statement is compared only where its "
        "wording is unchanged, so some statements show no change."
    )


def _routed_view(result: snap.Snapshot, count: Callable[[int | None], str]) -> list[dict]:
    """Each routed statement, and how many people it went to (a band, §6), or that too few did."""
    return [
        {
            "text": statement.text,
            "condition_name": statement.condition_name,
            "went_to": (
                f"{count(statement.n_asked)} people"
                if statement.n_asked is not None
                else f"fewer than {result.k} people"
            ),
        }
        for statement in result.statements
        if statement.routed
    ]


def _needed_view(result: snap.Snapshot, count: Callable[[int | None], str]) -> dict | None:
    """Where people say the partnership is, beside where they say it needs to be: each type's
    share in both (blank where a share is hidden), the change between them, and the two modes."""
    now, needed = result.spectrum, result.target_spectrum
    if needed is None:
        return None
    rows = []
    for key in scoring.SPECTRUM_ORDER:
        here, there = _share(now, key), _share(needed, key)
        if not here and not there:
            continue  # nobody chose it, or it is hidden in both
        gap = None
        if here is not None and there is not None:
            # The difference of the two shares as shown, so the words agree with the table.
            gap = int(percent(there)) - int(percent(here))
        chosen = next((c for c in needed.categories if c.key == key), None)
        rows.append(
            {
                "label": SPECTRUM_LABELS[key],
                "now": f"{percent(here)}%" if here is not None else "Not shown",
                "needed": f"{percent(there)}%" if there is not None else "Not shown",
                "needed_n": count(chosen.n) if chosen else "",
                "gap": "" if gap is None else f"{gap:+d} points" if gap else "no change",
            }
        )
    if needed.other:
        rows.append(
            {
                "label": "Other answers (each chosen by too few people to show alone)",
                "now": f"{percent(now.other.share)}%" if now and now.other else "Not shown",
                "needed": f"{percent(needed.other.share)}%",
                "needed_n": count(needed.other.n),
                "gap": "",
            }
        )
    mode_now, mode_needed = result.mode, result.target_mode
    if mode_now and mode_needed and mode_now != mode_needed:
        summary = (
            f"Most often, people said partners work {SPECTRUM_PHRASES[mode_now]}, and that they "
            f"need to work {SPECTRUM_PHRASES[mode_needed]}: a gap the partnership could talk about."
        )
    elif mode_now and mode_needed:
        summary = (
            f"Most often, people said partners work {SPECTRUM_PHRASES[mode_now]}, and that this "
            "is also how they need to work."
        )
    elif mode_needed:
        summary = f"Most often, people said partners need to work {SPECTRUM_PHRASES[mode_needed]}."
    else:
        summary = "No description was chosen by enough people to say what most people think."
    return {"rows": rows, "n": needed.n, "summary": summary}


def _share(spectrum: snap.Spectrum | None, key: str) -> float | None:
    """A type's share as shown; 0 when nobody chose it; None when hidden (folded into "other")."""
    if spectrum is None:
        return None
    found = next((c for c in spectrum.categories if c.key == key), None)
    if found is not None:
        return found.share
    return None if spectrum.other else 0.0


SPECTRUM_LABELS = {
    "cooperation": "Alongside each other (co-operation)",
    "partnership": "Signed up to a set agenda (partnership)",
    "weak": "On one organisation's boat (weak collaboration)",
    "strong": "All at the helm (strong collaboration)",
}
SPECTRUM_PHRASES = {
    "cooperation": "alongside each other towards their own goals (co-operation)",
    "partnership": "to an agenda someone else set (partnership)",
    "weak": "on one organisation's boat (weak collaboration)",
    "strong": "all at the helm together (strong collaboration)",
}


def _lead_gap_text(gap: float) -> str:
    if scoring.shown(gap) >= 0:
        return (
            f"Lead partners rate shared leadership and power {points(gap)} higher than the others."
        )
    return f"Lead partners rate shared leadership and power {points(gap)} lower than the others."


# --- The headline ----------------------------------------------------------------------------

BAND_WORDS = {"strength": "a strength", "developing": "developing", "concern": "a concern"}


def headline(result: snap.Snapshot, *, whole_place_only: bool = False) -> list[dict]:
    """The round's story in a few sentences, each with its figure: the kind of collaboration and
    its main reason, the strongest and weakest conditions, the largest gap between groups, the
    most divided statement and the change since last time.

    Each item is {"key", "title", "text", "anchor"}: `anchor` is the id of the part of the
    dashboard that shows the figure. Only figures in the snapshot, so never a hidden group.

    `whole_place_only` is for the public summary for respondents (DESIGN §6): no group figure and
    nothing built on one — no group gap, and the kind of collaboration judged again from the
    whole place alone, without the lead or lens gaps as a rule or a reason.
    """
    if not result.enough_responses:
        return []
    items = [_type_item(result, whole_place_only), *_condition_items(result)]
    if not whole_place_only:
        items.append(_gap_item(result))
    items += [_divided_item(result), _change_item(result)]
    return items


def _item(key: str, title: str, text: str, anchor: str) -> dict:
    return {"key": key, "title": title, "text": text, "anchor": anchor}


def _quoted(names: Sequence[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _type_item(result: snap.Snapshot, whole_place_only: bool) -> dict:
    collaboration = result.collaboration_type
    if whole_place_only:
        leadership = result.condition(scoring.LEADERSHIP_KEY)
        place = leadership.place if leadership else None
        collaboration = scoring.collaboration_type(
            lead_gap=None,
            mode=result.mode,
            leadership_score=place.score if place else None,
            leadership_agreement=place.agreement if place else None,
        )
    label, reasons = collaboration.label, list(collaboration.reasons)
    text = f"{label}: {reasons[0][0].lower()}{reasons[0][1:]}" if reasons else f"{label}."
    return _item("type", "What kind of collaboration", text, "type-heading")


def _condition_items(result: snap.Snapshot) -> list[dict]:
    scored = [c for c in result.conditions if c.place is not None]
    if len(scored) < 2:
        return []
    shown = {c.key: scoring.shown(c.place.score) for c in scored}
    high, low = max(shown.values()), min(shown.values())
    if high == low:
        text = f"Every condition shown scores {high} ({BAND_WORDS[scored[0].place.band]})."
        return [_item("conditions", "The conditions", text, "conditions-heading")]
    items = []
    for key, title, value, word in (
        ("strongest", "Strongest condition", high, "highest"),
        ("weakest", "Weakest condition", low, "lowest"),
    ):
        found = [c for c in scored if shown[c.key] == value]
        verb, each = ("scores", "") if len(found) == 1 else ("score", " each")
        band = BAND_WORDS[found[0].place.band]
        text = f"{_quoted([c.name for c in found])} {verb} {word}, {value}{each} ({band})."
        items.append(_item(key, title, text, f"condition-{found[0].key}"))
    return items


# The two-group splits: the division chart shows one of them beside the whole place unless the
# reader picks another, since the finer ones make it long.
COARSE_BREAKDOWNS = ("lead", "role_lens", "size_lens")


def _default_compare(result: snap.Snapshot) -> str | None:
    found = _largest_gap(result, COARSE_BREAKDOWNS)
    return found[1].key if found else None


def _largest_gap(
    result: snap.Snapshot, among: Sequence[str] | None = None
) -> tuple[snap.Gap, snap.Breakdown, str] | None:
    """The largest gap between two shown groups of one breakdown on one condition: (gap,
    breakdown, condition key), among the breakdowns given or all. The first found wins a tie:
    breakdowns and conditions in order."""
    best = None
    for breakdown in result.breakdowns:
        if among is not None and breakdown.key not in among:
            continue
        for row in breakdown.rows:
            if row.gap is not None and (best is None or row.gap.points > best[0].points):
                best = (row.gap, breakdown, row.condition)
    return best


def _gap_item(result: snap.Snapshot) -> dict:
    found = _largest_gap(result)
    title = "Largest gap between groups"
    if found is None:
        return _item(
            "gap",
            title,
            "No two groups can be set side by side this round: to protect who answered, "
            "their figures are not shown.",
            "heatmap-heading",
        )
    gap, breakdown, condition = found
    labels = {column.key: column.label for column in breakdown.columns}
    text = (
        f"On “{result.condition(condition).name}”, the “{labels[gap.high]}” group scores "
        f"{points(gap.points)} higher than the “{labels[gap.low]}” group"
        + (", a big gap." if gap.big else ".")
    )
    return _item("gap", title, text, f"heatmap-{breakdown.key}-{condition}")


def _divided_item(result: snap.Snapshot) -> dict:
    title = "Most divided statement"
    key = next(iter(result.highlights.most_divided), None)
    if key is None:
        return _item(
            "divided", title, "People broadly agree about every statement shown.", "divided-heading"
        )
    statement = result.statement(key)
    text = (
        f"Views differ most on “{statement.text.rstrip().rstrip('.')}”, with a spread of "
        f"{points(statement.spread)} ({AGREEMENT_LABELS[statement.agreement].lower()})."
    )
    return _item("divided", title, text, "divided-heading")


def _conditions_moved(result: snap.Snapshot) -> str:
    arrows = [trend_view(c.trend)["arrow"] for c in result.conditions if c.trend]
    up, down = arrows.count("↑"), arrows.count("↓")
    least = scoring.display(scoring.TREND_MIN_CHANGE)

    def conditions(n: int) -> str:
        return f"{n} condition{'' if n == 1 else 's'}"

    if up and down:
        return f"{conditions(up)} went up by {least} points or more and {down} went down"
    if up:
        return f"{conditions(up)} went up by {least} points or more and none went down"
    if down:
        return f"{conditions(down)} went down by {least} points or more and none went up"
    if not arrows:
        return "no condition was shown in both rounds"
    return f"no condition moved by {least} points or more"


def _change_item(result: snap.Snapshot) -> dict:
    title = "Since last time"
    previous = result.previous_cycle
    if previous is None:
        return _item(
            "change",
            title,
            "There are no earlier released results for this place to compare with.",
            "trend-heading",
        )
    overall = result.overall
    moved = _conditions_moved(result)
    if overall.trend is not None:
        text = (
            f"Since {previous.name}, the overall score is {scoring.display(overall.score)}, "
            f"{trend_view(overall.trend)['text']}; {moved}."
        )
    else:
        text = f"Since {previous.name}, {moved}."
    return _item("change", title, text, "trend-heading")


# --- Comparison across places ----------------------------------------------------------------


def comparison_rows(places, latest: list[dict], columns: list[dict]) -> SafeString:
    """The comparison table's rows, one per place: its latest results by condition, from the
    narrow columns only.

    The comparison can list a thousand places. Rendering its ten thousand cells through the
    template engine was most of the page's time (docs/PERFORMANCE.md), so the rows are formatted
    here with the markup the template would give. Names from the database are escaped; scores,
    bands, labels and trend words are this module's own text.
    """
    by_place = {row["place_id"]: row for row in latest}
    keys = [column["key"] for column in columns]
    place_url = _url_filler("place_detail")
    dashboard_url = _url_filler("dashboard", with_id=True)
    rows = []
    for place in places:
        found = by_place.get(place.pk)
        slug = escape(place.slug)
        cells = [f'<th scope="row"><a href="{place_url(slug)}">{escape(place.name)}</a></th>']
        if found:
            cells += _result_cells(found, keys, dashboard_url(slug, found["cycle_id"]))
        else:
            cells.append(
                f'<td colspan="{len(keys) + 2}" class="text-body-secondary">No results yet</td>'
            )
        rows.append("<tr>\n  " + "\n  ".join(cells) + "\n</tr>")
    # Safe: names from the database are escaped above; the rest is this module's markup.
    return mark_safe("\n".join(rows))  # noqa: S308  # nosec B308 B703


def _result_cells(found: Mapping, keys: list[str], dashboard_url: str) -> list[str]:
    badge = (
        ""
        if found["status"] == "released"
        else ' <span class="badge text-bg-secondary">not released</span>'
    )
    cells = [f'<td><a href="{dashboard_url}">{escape(found["cycle_name"])}</a>{badge}</td>']
    overall = found["overall_index"]
    if overall is None:
        cells.append('<td><span class="text-body-secondary">No overall score</span></td>')
    else:
        band = BAND_LABELS.get(scoring.band(overall) or "", "")
        cells.append(
            f'<td><span class="fw-semibold">{scoring.display(overall)}</span> '
            f'<span class="small">{band}</span></td>'
        )
    scores, trends = found["condition_scores"], found["trends"] or {}
    for key in keys:
        score, trend = scores.get(key), trends.get(key)
        cells.append(
            _cell_html(
                None if score is None else scoring.shown(score),
                scoring.band(score) or "",
                # The narrow columns keep this round's score and the change: last round's score
                # is their difference, and the change is shown as on the dashboard.
                scoring.shown_change(score, score - trend["change"])
                if trend and score is not None
                else None,
            )
        )
    return cells


_SLUG_MARK = "slug-mark"
_ID_MARK = 2_147_483_647


def _url_filler(name: str, with_id: bool = False):
    """reverse() once, then fill in slug and id: reverse() for each of 2,000 links was slow."""
    url = reverse(name, args=[_SLUG_MARK, _ID_MARK] if with_id else [_SLUG_MARK])
    head, rest = url.split(_SLUG_MARK, 1)
    if not with_id:
        return lambda slug, _id=None: f"{head}{slug}{rest}"
    middle, tail = rest.split(str(_ID_MARK), 1)
    return lambda slug, pk: f"{head}{slug}{middle}{int(pk)}{tail}"


@functools.lru_cache(maxsize=4096)
def _cell_html(score: int | None, band: str, trend: int | None) -> str:
    """One condition's cell: a whole score, its band and its whole change, each made once."""
    if score is None:
        return f'<td class="heat cell-suppressed">{SUPPRESSED}</td>'
    arrow = ""
    if trend is not None:
        words = _trend_words(trend)
        if words["arrow"]:
            way = "up" if words["arrow"] == "↑" else "down"
            arrow = (
                f' <span class="trend trend-{way}" aria-hidden="true">{words["arrow"]} '
                f'{words["short"]}</span><span class="visually-hidden">{words["text"]}</span>'
            )
    return (
        f'<td class="heat band-{band}"><span class="fw-semibold">{score}</span> '
        f'<span class="small">{BAND_LABELS.get(band, "")}</span>{arrow}</td>'
    )


# --- CSV ------------------------------------------------------------------------------------

CSV_HEADER = ("section", "group", "item", "figure", "value", "contributing respondents")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_safe(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers stay numbers (a negative trend is data, not a formula); only text is escaped.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _number(score: float | None) -> int | None:
    return None if score is None else int(scoring.display(score))


def _change(trend: snap.Trend) -> int:
    """A change as the dashboard shows it: the difference of the two shown scores."""
    return scoring.shown_change(trend.previous + trend.change, trend.previous)


def csv_rows(result: snap.Snapshot) -> Iterator[tuple]:
    """Every released figure of the snapshot, one per row, with its contributing respondents."""
    place = "Whole place"
    count = _counter(result)
    if result.n_responses:
        yield (
            "responses",
            place,
            "Submitted responses",
            "count",
            result.n_responses,
            result.n_responses,
        )
    overall = result.overall
    if overall.score is not None:
        n = count(overall.n)
        yield ("overall", place, "Overall index", "score", _number(overall.score), n)
        yield ("overall", place, "Overall index", "band", BAND_LABELS[overall.band], n)
        if overall.spread is not None:
            yield ("overall", place, "Overall index", "spread", _number(overall.spread), n)
            yield (
                "overall",
                place,
                "Overall index",
                "agreement",
                AGREEMENT_LABELS[overall.agreement],
                n,
            )
        if overall.trend:
            yield (
                "overall",
                place,
                "Overall index",
                "change since last cycle",
                _change(overall.trend),
                n,
            )
            # Last round's figure, as the trend shows it; its people are counted in its own CSV.
            yield (
                "overall",
                place,
                "Overall index",
                "score last cycle",
                _number(overall.trend.previous),
                "",
            )

    for condition in result.conditions:
        name = condition.name
        if condition.dont_know_rate is not None:
            yield (
                "condition",
                place,
                name,
                "don't know (%)",
                int(percent(condition.dont_know_rate)),
                count(condition.n_answered),
            )
        if condition.place is None:
            continue
        n = count(condition.place.n)
        yield from _figure_rows("condition", place, name, condition.place, n)
        if condition.trend:
            yield (
                "condition",
                place,
                name,
                "change since last cycle",
                _change(condition.trend),
                n,
            )
            yield (
                "condition",
                place,
                name,
                "score last cycle",
                _number(condition.trend.previous),
                "",
            )
        benchmark = condition.benchmark
        if benchmark:
            group = f"{benchmark.places} other places"
            yield ("benchmark", group, name, "median", _number(benchmark.median), "")
            yield ("benchmark", group, name, "lower quartile", _number(benchmark.q1), "")
            yield ("benchmark", group, name, "upper quartile", _number(benchmark.q3), "")
            yield (
                "benchmark",
                group,
                name,
                "this place",
                POSITION_LABELS.get(benchmark.position or "", ""),
                n,
            )

    for breakdown in result.breakdowns:
        for partner in breakdown.lead_partners:
            yield ("lead partners", "Lead partners", "Partner organisation", "name", partner, "")
        labels = {column.key: column.label for column in breakdown.columns}
        section = f"breakdown: {breakdown.title.lower()}"
        for row in breakdown.rows:
            name = result.condition(row.condition).name
            for key, group in labels.items():
                cell = row.cells.get(key)
                if cell is not None:  # otherwise hidden: no row at all
                    yield from _figure_rows(section, group, name, cell, count(cell.n))

    leadership = result.condition(scoring.LEADERSHIP_KEY)
    leadership_name = leadership.name if leadership else "Shared leadership and power"
    gaps = [("Lead partners minus other partners", result.lead_gap)] + [
        (LENS_GAP_NAMES[lens], gap) for lens, gap in sorted(result.lens_gaps.items())
    ]
    for group, gap in gaps:
        if gap:
            yield (
                "group gap",
                group,
                leadership_name,
                "points",
                _number(gap.points),
                count(gap.n_first + gap.n_second),
            )

    for statement in result.statements:
        text = statement.text
        if statement.dont_know_rate is not None:
            yield (
                "statement",
                place,
                text,
                "don't know (%)",
                int(percent(statement.dont_know_rate)),
                count(statement.n_answered),
            )
        if statement.mean is None:
            continue
        n = count(statement.n)
        yield ("statement", place, text, "score", _number(statement.mean), n)
        yield ("statement", place, text, "band", BAND_LABELS[statement.band], n)
        if statement.agreement:
            yield (
                "statement",
                place,
                text,
                "agreement",
                AGREEMENT_LABELS[statement.agreement],
                n,
            )
        if statement.trend:
            yield (
                "statement",
                place,
                text,
                "change since last cycle",
                _change(statement.trend),
                n,
            )

    spectrum = result.spectrum
    if spectrum:
        for category in spectrum.categories:
            yield (
                "spectrum",
                place,
                category.label,
                "share (%)",
                int(percent(category.share)),
                category.n,
            )
        if spectrum.other:
            yield (
                "spectrum",
                place,
                "Other answers",
                "share (%)",
                int(percent(spectrum.other.share)),
                spectrum.other.n,
            )

    needed = result.target_spectrum
    if needed:
        # Where we need to be: counts other than the total as bands k wide (§6).
        for category in needed.categories:
            yield (
                "where we need to be",
                place,
                category.label,
                "share (%)",
                int(percent(category.share)),
                count(category.n),
            )
        if needed.other:
            yield (
                "where we need to be",
                place,
                "Other answers",
                "share (%)",
                int(percent(needed.other.share)),
                count(needed.other.n),
            )

    for statement in result.statements:
        if statement.routed and statement.n_asked is not None:
            yield (
                "routed statement",
                place,
                statement.text,
                "asked of (people in partnership meetings)",
                "",
                count(statement.n_asked),
            )

    collaboration = result.collaboration_type
    yield ("collaboration type", place, "Label", "label", collaboration.label, "")
    for reason in collaboration.reasons:
        yield ("collaboration type", place, "Why this label", "reason", reason, "")

    for comment in result.comments:
        yield ("comment", place, comment.condition_name, "comment", comment.text, "")


LENS_GAP_NAMES = {
    "role_lens": "Lead and manage minus deliver and live here",
    "size_lens": "Larger organisations minus small organisations",
}


def _figure_rows(section: str, group: str, name: str, figure: snap.Figure, n: str):
    yield (section, group, name, "score", _number(figure.score), n)
    yield (section, group, name, "band", BAND_LABELS[figure.band], n)
    if figure.agreement:
        yield (section, group, name, "agreement", AGREEMENT_LABELS[figure.agreement], n)
    if figure.spread is not None:
        yield (section, group, name, "spread", _number(figure.spread), n)
    if figure.division:
        for kind in ("unfavourable", "neutral", "favourable"):
            share = getattr(figure.division, kind)
            yield (section, group, name, f"{kind} answers (%)", int(percent(share)), n)
