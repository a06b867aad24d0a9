"""Results snapshots: a closed cycle's results, worked out once in the database and stored.

`build_snapshot(cycle)` runs a handful of GROUP BY queries over the cycle's answers (never a Python
loop over single answers), applies the rules of `scoring.py` and the confidentiality rules of
`suppression.py`, and stores one `CycleResult`. Every page and export reads that row only, so what
is not stored cannot leak: **no figure describing fewer than k respondents is stored at all**
(k = the cycle's minimum group size).

Trend and benchmark depend on other cycles, so they are worked out at snapshot time and stored
too. The trend compares with the place's latest *released* cycle that closed before this one
(DESIGN §5: comparing with an unreleased cycle would let members work out its hidden figures),
matching conditions and statements by key across bank versions. The benchmark compares with the
latest release of every other place released in the BENCHMARK_WINDOW_MONTHS before this cycle
closed, read from their narrow `condition_scores` column.

Respondents are grouped by the sector, size and lead flag stored on each response when it was
submitted, never by the partners' current ones. The snapshot is built once, at close; release
publishes it as it is. `manage.py recompute_results` rebuilds closed, unreleased snapshots only (in
the order the cycles closed, so that they pick up releases made since); a released snapshot is
never rebuilt (DESIGN §6).

Snapshot document (`CycleResult.data`), schema version 1
========================================================

Scores are unrounded floats on 0–100 (pages cut them to whole numbers with `scoring.display`).
Rates and shares are floats on 0–1. Every key named `n` or starting with `n_` counts contributing
respondents and is always ≥ k; a figure with fewer is absent, or null with no `n`::

    schema             1
    k                  the cycle's minimum group size
    enough_responses   bool: at least k submitted responses; if false, no figures follow
    n_responses        submitted responses (only when ≥ k)
    bank               {id, name, version}
    previous_cycle     {id, name} the trend compares with, or null
    overall            {score, n, band, spread, agreement, trend} — score is the overall index
                       (mean of the condition scores, only when every condition is shown); `n`
                       counts respondents with at least one condition score; spread/agreement
                       are over respondents' overall scores
    conditions         [{key, name, order, statement_count,
                         score, n, band, spread, agreement,      place figures, or score null
                         dont_know_rate, n_answered,             only when n_answered ≥ k and
                                                                 the don't-know people and those
                                                                 left out are each 0 or ≥ k
                         trend: {previous, change, direction} | null,
                         benchmark: {median, q1, q3, places, position} | null}]
    trends             {condition key: {change, direction}} — the same, compact for comparisons
    heatmaps           [{key: "sector" | "role_level" | "lead", title,   ("lead" only when the
                                                                       place has lead partners)
                         columns: [{key, label}],   every sector of the place's partners, every
                                                    role level, lead/other: never data-driven
                         lead_partners: [names]     ("lead" heatmap only)
                         rows: [{condition, cells: {column key: {score, n, band, agreement}},
                                 gap: {points, high, low, big} | null}]}]
                       a column missing from `cells` is hidden: "too few answers to show"
    lead_gap           {points, lead, other, n_lead, n_other} on shared leadership and power, or
                       null when either group is hidden
    spectrum           {n, mode (null when its answer is hidden),
                        categories: [{key, label, n, share}],
                        other: {n, share} | null} or null when fewer than k answered it;
                       types that were too rare (by the partition rule) are merged into `other`
    collaboration_type {key, label, reasons: [plain-words sentences]}
    statements         [{key, text, condition, condition_name, reverse_keyed, order,
                         n_answered, dont_know_rate,             statements fewer than k
                                                                 answered are left out; these two
                                                                 only when the don't-know count
                                                                 and the scored count are each 0
                                                                 or ≥ k
                         mean, n, band, spread, agreement,       or mean null when fewer than
                                                                 k scored it (don't know)
                         trend: {previous, change, direction} | null}]
    highlights         {strongest, weakest, most_divided, dont_know: [statement keys]}
    prompts            [plain-words questions for the next partnership meeting]
    comments           [{condition, condition_name, text}] in random order, only with
                       enough_responses; never by group
    benchmark_window   {start, end} ISO datetimes of the releases compared with

Groups: a group's score is partner-balanced (`scoring.balanced_mean`). Per condition, each of
sector, role level and lead/other partners is a partition of the place's contributors and goes
through `suppression.suppress_partition`; every group still shown, with the whole place, then goes
through `suppression.suppress_overlapping`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    TextField,
    When,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from assessments import scoring, suppression
from assessments.models import (
    Answer,
    Comment,
    Condition,
    Cycle,
    CycleResult,
    CycleStatus,
    Response,
    RoleLevel,
    SpectrumType,
    Statement,
)
from places.models import Partner, Sector

SCHEMA_VERSION = 1
HIGHLIGHT_COUNT = 3  # strongest, weakest and most divided statements each
DONT_KNOW_HOT_SPOT_MAX = 5  # at most this many don't-know hot spots
MAX_PROMPTS = 5

ALL = ("all", "all")  # the whole place, as a group name for suppression.suppress_overlapping

# Plain strings as keys: the database hands back plain strings, not SpectrumType members.
SPECTRUM_SHORT = {
    SpectrumType.COOPERATION.value: "Alongside each other (co-operation)",
    SpectrumType.PARTNERSHIP.value: "Signed up to a set agenda (partnership)",
    SpectrumType.WEAK.value: "On one organisation's boat (weak collaboration)",
    SpectrumType.STRONG.value: "All at the helm (strong collaboration)",
}


# --- The database side ----------------------------------------------------------------------


def statement_score_expression() -> Case:
    """`scoring.statement_score` as SQL, so the database can sum scores in a GROUP BY.

    Don't know (NULL) gives NULL, which SUM and COUNT skip. A test checks it against the rule.
    """
    value = F("value")
    return Case(
        When(statement__reverse_keyed=True, then=(5 - value) * 25),
        default=(value - 1) * 25,
        output_field=IntegerField(),
    )


def _answers(cycle: Cycle, statement_ids: list[int]):
    # Only answers to the cycle's own bank count, whatever a tampered request once stored.
    # The bank's statements are given by id rather than joined through condition and bank: with
    # the join, PostgreSQL can misjudge how many statements a bank has (its small tables are
    # rarely analysed) and walk every cycle's answers by statement instead of this cycle's by
    # response, which makes closing a cycle cost more the more answers there are anywhere.
    return Answer.objects.filter(response__cycle=cycle, statement_id__in=statement_ids).order_by()


@dataclass(frozen=True)
class _Respondent:
    """A response's partner and the groups it counts in, as stored when it was submitted."""

    partner: int
    sector: str
    role_level: str
    is_lead: bool


@dataclass
class _Inputs:
    conditions: list[dict]
    statements: list[dict]
    respondents: dict[Any, _Respondent]
    # {condition id: {response id: (sum of scores, scored answers, don't-know answers)}}
    per_respondent: dict[int, dict[Any, tuple[int, int, int]]]
    # {statement id: {partner id: (sum, scored, answered)}}
    per_statement_partner: dict[int, dict[int, tuple[int, int, int]]]
    # {statement id: {value: count}}
    distributions: dict[int, dict[int, int]]
    spectrum_counts: dict[str, int]
    partners: list[dict]


def _load(cycle: Cycle) -> _Inputs:
    """Every query the snapshot needs: a fixed number, whatever the number of answers."""
    conditions = list(
        Condition.objects.filter(bank_id=cycle.bank_id)
        .annotate(statement_count=Count("statements"))
        .order_by("order", "pk")
        .values("pk", "key", "name", "order", "statement_count")
    )
    statements = list(
        Statement.objects.filter(condition__bank_id=cycle.bank_id)
        .order_by("condition__order", "order", "pk")
        .values("pk", "key", "text", "reverse_keyed", "condition_id")
    )
    # The groups fixed at submission, never the partners' current ones (DESIGN §6).
    respondents = {
        pk: _Respondent(partner, sector, role_level, is_lead)
        for pk, partner, sector, role_level, is_lead in Response.objects.filter(cycle=cycle)
        .order_by()
        .values_list("pk", "partner_id", "sector", "role_level", "is_lead")
    }

    statement_ids = [statement["pk"] for statement in statements]
    score = statement_score_expression()
    per_respondent: dict[int, dict[Any, tuple[int, int, int]]] = defaultdict(dict)
    for row in (
        _answers(cycle, statement_ids)
        .values("response_id", "statement__condition_id")
        .annotate(
            total=Sum(score),
            scored=Count("value"),
            dont_know=Count("pk", filter=Q(value__isnull=True)),
        )
    ):
        per_respondent[row["statement__condition_id"]][row["response_id"]] = (
            row["total"] or 0,
            row["scored"],
            row["dont_know"],
        )

    per_statement_partner: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for row in (
        _answers(cycle, statement_ids)
        .values("statement_id", "response__partner_id")
        .annotate(total=Sum(score), scored=Count("value"), answered=Count("pk"))
    ):
        per_statement_partner[row["statement_id"]][row["response__partner_id"]] = (
            row["total"] or 0,
            row["scored"],
            row["answered"],
        )

    distributions: dict[int, dict[int, int]] = defaultdict(dict)
    for row in (
        _answers(cycle, statement_ids)
        .filter(value__isnull=False)
        .values("statement_id", "value")
        .annotate(count=Count("pk"))
    ):
        distributions[row["statement_id"]][row["value"]] = row["count"]

    spectrum_counts = dict(
        Response.objects.filter(cycle=cycle)
        .exclude(spectrum_choice="")
        .order_by()
        .values_list("spectrum_choice")
        .annotate(count=Count("pk"))
    )
    partners = list(
        Partner.objects.filter(place_id=cycle.place_id).values("name", "sector", "is_lead")
    )
    return _Inputs(
        conditions=conditions,
        statements=statements,
        respondents=respondents,
        per_respondent=per_respondent,
        per_statement_partner=per_statement_partner,
        distributions=distributions,
        spectrum_counts=spectrum_counts,
        partners=partners,
    )


def closed_moment(cycle: Cycle) -> dt.datetime:
    """When the cycle closed; for a cycle closed without close_cycle (imported or demo data),
    the end of its closing day."""
    if cycle.closed_at is not None:
        return cycle.closed_at
    return timezone.make_aware(dt.datetime.combine(cycle.closes_on, dt.time.max))


def _previous_result(cycle: Cycle) -> CycleResult | None:
    """The place's latest released cycle that closed before this one, matched by key later.

    Released only (DESIGN §5): a trend against a cycle that was never released would let members
    work out its hidden figures from this one's.
    """
    return (
        CycleResult.objects.filter(
            cycle__place_id=cycle.place_id,
            cycle__status=CycleStatus.RELEASED,
            cycle__closed_at__lt=closed_moment(cycle),
        )
        .exclude(cycle_id=cycle.pk)
        .select_related("cycle")
        .order_by("-cycle__closed_at", "-cycle_id")
        .first()
    )


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def benchmark_window(cycle: Cycle) -> tuple[dt.datetime, dt.datetime]:
    end = closed_moment(cycle)
    return months_before(end, scoring.BENCHMARK_WINDOW_MONTHS), end


def _benchmark_scores(cycle: Cycle) -> list[dict[str, float]]:
    """Condition scores of the latest release of every other place in the window: one query.

    Releases are fixed in time, so rebuilding a snapshot later compares with the same places.
    The latest release per place is picked by a window function in one pass over the releases
    in the window, rather than a subquery per release: this reads every place, so it is the
    part of closing a cycle that grows with the number of places. The scores come as JSON text,
    decoded in one call: the JSON field decoding a thousand rows one by one took 4 to 5 ms more
    of the 25 ms this takes with the benchmark's data (docs/PERFORMANCE.md).
    """
    start, end = benchmark_window(cycle)
    newest_first = Window(
        RowNumber(),
        partition_by=F("cycle__place_id"),
        order_by=[F("cycle__released_at").desc(), F("cycle_id").desc()],
    )
    texts = (
        CycleResult.objects.filter(
            cycle__status=CycleStatus.RELEASED,
            cycle__released_at__gt=start,
            cycle__released_at__lte=end,
        )
        .exclude(cycle__place_id=cycle.place_id)
        .annotate(newest=newest_first, text=Cast("condition_scores", TextField()))
        .filter(newest=1)
        .order_by()
        .values_list("text", flat=True)
    )
    return json.loads("[" + ",".join(texts) + "]")


# --- The arithmetic side --------------------------------------------------------------------


def _figure(members: Iterable, scores: Mapping, respondents: Mapping) -> dict:
    """A partner-balanced score with its agreement, over `members` who have a score."""
    by_partner: dict[int, list[float]] = defaultdict(list)
    values = []
    for member in members:
        by_partner[respondents[member].partner].append(scores[member])
        values.append(scores[member])
    score = scoring.balanced_mean(by_partner)
    spread = scoring.spread(values)
    return {
        "score": score,
        "n": len(values),
        "band": scoring.band(score),
        "spread": spread,
        "agreement": scoring.agreement(spread),
    }


def _trend(current: float | None, previous: float | None) -> dict | None:
    if current is None or previous is None:
        return None
    change = scoring.trend(current, previous)
    return {"previous": previous, "change": change.change, "direction": change.direction}


def _group_key(dimension: str, respondent: _Respondent) -> str:
    if dimension == "sector":
        return respondent.sector
    if dimension == "role_level":
        return respondent.role_level
    return "lead" if respondent.is_lead else "other"


DIMENSIONS = ("sector", "role_level", "lead")
# Groups of these dimensions are checked against each other for overlaps (DESIGN §6: any two
# shown groups). Role levels cut across sectors, so at small places this hides many role cells;
# dropping "role_level" here would leave role levels to the partition rule alone.
OVERLAP_DIMENSIONS = ("sector", "role_level", "lead")


def shown_groups(
    contributors: Mapping[Any, _Respondent], k: int
) -> dict[tuple[str, str], frozenset]:
    """The groups of one condition that may be shown, with their members.

    Each dimension splits the condition's contributors, so it is a partition of the place total
    (secondary suppression); the groups left, with the whole place, must then not differ from one
    another by 1 to k − 1 people (overlap rule).
    """
    total = len(contributors)
    candidates: dict[tuple[str, str], frozenset] = {}
    for dimension in DIMENSIONS:
        members: dict[str, set] = defaultdict(set)
        for pk, respondent in contributors.items():
            members[_group_key(dimension, respondent)].add(pk)
        hidden = suppression.suppress_partition(
            total, {name: len(group) for name, group in members.items()}, k
        )
        for name, group in members.items():
            if name not in hidden:
                candidates[(dimension, name)] = frozenset(group)
    candidates[ALL] = frozenset(contributors)
    # Groups left out of OVERLAP_DIMENSIONS keep only the partition rule, which already keeps
    # each of them at least k away from the place total.
    overlapping = {
        name: group
        for name, group in candidates.items()
        if name[0] in OVERLAP_DIMENSIONS or name == ALL
    }
    hidden = suppression.suppress_overlapping(overlapping, k)
    # Figures can also be combined: a split's hidden remainder (the total minus its shown
    # groups) must not sit a few people away from a set derived from another split.
    splits: dict[str, dict[str, frozenset]] = defaultdict(dict)
    for (dimension, group_name), group in overlapping.items():
        if (dimension, group_name) != ALL and (dimension, group_name) not in hidden:
            splits[dimension][group_name] = group
    hidden |= suppression.suppress_derivable(splits, candidates[ALL], k)
    return {name: group for name, group in candidates.items() if name not in hidden}


def _heatmap_columns(partners: list[dict], respondents: Iterable[_Respondent]) -> dict:
    # Columns come from the place's partner list and the fixed role levels, not from who
    # answered, so a hidden column says nothing about whether anyone from it took part. A sector
    # a partner has left since its people answered keeps its column: they are counted in it.
    sectors = {partner["sector"] for partner in partners}
    sectors |= {respondent.sector for respondent in respondents}
    return {
        "sector": [{"key": s.value, "label": s.label} for s in Sector if s.value in sectors],
        "role_level": [{"key": r.value, "label": r.label} for r in RoleLevel],
        "lead": [
            {"key": "lead", "label": "Lead partners"},
            {"key": "other", "label": "Other partners"},
        ],
    }


HEATMAP_TITLES = {
    "sector": "By sector",
    "role_level": "By role",
    "lead": "Lead partners and the other partners",
}


def _spectrum(counts: Mapping[str, int], k: int) -> dict | None:
    total = sum(counts.get(key, 0) for key in scoring.SPECTRUM_ORDER)
    if not suppression.is_shown(total, k):
        return None
    present = {key: counts[key] for key in scoring.SPECTRUM_ORDER if counts.get(key)}
    hidden = suppression.suppress_partition(total, present, k)
    categories = [
        {"key": key, "label": SPECTRUM_SHORT[key], "n": n, "share": n / total}
        for key, n in present.items()
        if key not in hidden
    ]
    # The partition rule leaves 0 or at least k in the remainder, so it can be shown as one.
    other = total - sum(category["n"] for category in categories)
    return {
        "n": total,
        # At least k people chose the mode, so it stands even when its bar is hidden (§5).
        "mode": scoring.spectrum_mode(present, k),
        "categories": categories,
        "other": {"n": other, "share": other / total} if other else None,
    }


def _highlights(statements: list[dict]) -> dict[str, list[str]]:
    scored = [s for s in statements if s.get("mean") is not None]
    by_mean = sorted(scored, key=lambda s: (-s["mean"], s["order"]))
    strongest = by_mean[:HIGHLIGHT_COUNT]
    rest = [s for s in reversed(by_mean) if s not in strongest]
    weakest = rest[:HIGHLIGHT_COUNT]
    divided = sorted(
        (s for s in scored if s["agreement"] in ("mixed", "polarised")),
        key=lambda s: (-s["spread"], s["order"]),
    )
    dont_know = sorted(
        (
            s
            for s in statements
            if s.get("dont_know_rate") is not None
            and s["dont_know_rate"] >= scoring.DONT_KNOW_HOT_SPOT_MIN
        ),
        key=lambda s: (-s["dont_know_rate"], s["order"]),
    )
    return {
        "strongest": [s["key"] for s in strongest],
        "weakest": [s["key"] for s in weakest],
        "most_divided": [s["key"] for s in divided[:HIGHLIGHT_COUNT]],
        "dont_know": [s["key"] for s in dont_know[:DONT_KNOW_HOT_SPOT_MAX]],
    }


def conversation_prompts(data: Mapping) -> list[str]:
    """Questions for the partnership's next meeting, from its weakest and most divided results.

    Written from templates with the names in the snapshot, so they always match the figures.
    """
    statements = {s["key"]: s for s in data.get("statements", [])}
    prompts: list[str] = []

    scored_conditions = [c for c in data.get("conditions", []) if c.get("score") is not None]
    if len(scored_conditions) > 1:
        weakest = min(scored_conditions, key=lambda c: (c["score"], c["order"]))
        prompts.append(
            f"“{weakest['name']}” had the lowest score of all the conditions. What is one thing "
            "the partners could do differently before the next health check to strengthen it?"
        )

    for key in data.get("highlights", {}).get("weakest", [])[:2]:
        statement = statements[key]
        if statement["reverse_keyed"]:
            prompts.append(
                f"Many people agreed that “{_unstop(statement['text'])}”. Where does this "
                "happen, and what would help it happen less?"
            )
        else:
            prompts.append(
                f"“{_unstop(statement['text'])}” was one of the statements people agreed with "
                "least. What gets in the way, and who could help change that?"
            )

    asked = set(data.get("highlights", {}).get("weakest", [])[:2])
    for key in data.get("highlights", {}).get("most_divided", []):
        if key not in asked:
            prompts.append(
                f"People see “{_unstop(statements[key]['text'])}” very differently. Why might "
                "some partners experience this so differently from others?"
            )
            break

    gap = data.get("lead_gap")
    if gap and gap["points"] >= scoring.HEATMAP_GAP_MIN:
        prompts.append(
            "Lead partners rate shared leadership and power much higher than the other partners "
            "do. How could the other partners have more say in setting the direction?"
        )
    else:
        for heatmap in data.get("heatmaps", []):
            big = [row for row in heatmap["rows"] if row["gap"] and row["gap"]["big"]]
            if big:
                row = max(big, key=lambda r: r["gap"]["points"])
                labels = {column["key"]: column["label"] for column in heatmap["columns"]}
                condition = next(
                    c["name"] for c in data["conditions"] if c["key"] == row["condition"]
                )
                prompts.append(
                    f"On “{condition}”, the “{labels[row['gap']['low']]}” group gave a "
                    f"much lower score than the “{labels[row['gap']['high']]}” group. What "
                    "might explain the difference, and how could you hear more from them?"
                )
                break

    for key in data.get("highlights", {}).get("dont_know", [])[:1]:
        prompts.append(
            f"Many people did not know whether “{_unstop(statements[key]['text'])}”. How could "
            "the partnership share more about this?"
        )
    return prompts[:MAX_PROMPTS]


def _unstop(text: str) -> str:
    return text.rstrip().rstrip(".")


# --- The snapshot ---------------------------------------------------------------------------


def build_snapshot(cycle: Cycle) -> CycleResult:
    """Work out and store the results of a closed or released cycle. See the module docstring."""
    if not cycle.has_results:
        raise ValueError("Results exist only for closed or released cycles.")
    with transaction.atomic():
        data, condition_scores, overall, n_responses = _compute(cycle)
        return CycleResult.objects.create(
            cycle=cycle,
            n_responses=n_responses,
            condition_scores=condition_scores,
            overall_index=overall,
            trends=data.get("trends") or {},
            data=data,
        )


def _compute(cycle: Cycle) -> tuple[dict, dict[str, float], float | None, int]:
    k = cycle.min_group_size
    inputs = _load(cycle)
    respondents = inputs.respondents
    n_responses = len(respondents)
    enough = suppression.is_shown(n_responses, k)
    previous = _previous_result(cycle)
    previous_scores = previous.condition_scores if previous else {}
    previous_statements = (
        {s["key"]: s.get("mean") for s in previous.data.get("statements", [])} if previous else {}
    )
    others = _benchmark_scores(cycle)
    columns = _heatmap_columns(inputs.partners, respondents.values())
    has_leads = any(partner["is_lead"] for partner in inputs.partners) or any(
        respondent.is_lead for respondent in respondents.values()
    )
    dimensions = [d for d in DIMENSIONS if d != "lead" or has_leads]

    conditions = []
    heat_rows: dict[str, list[dict]] = {dimension: [] for dimension in dimensions}
    overall_by_respondent: dict[Any, list[float]] = defaultdict(list)
    lead_gap = None
    for condition in inputs.conditions:
        rows = inputs.per_respondent.get(condition["pk"], {})
        scores = {}
        for pk, (total, scored, _dont_know) in rows.items():
            score = scoring.respondent_condition_score(total, scored, condition["statement_count"])
            if score is not None:
                scores[pk] = score
                overall_by_respondent[pk].append(score)
        entry: dict[str, Any] = {
            "key": condition["key"],
            "name": condition["name"],
            "order": condition["order"],
            "statement_count": condition["statement_count"],
            "score": None,
            "trend": None,
            "benchmark": None,
        }
        n_answered = len(rows)
        # The don't-know rate and "people who answered" are shown beside the score's own count;
        # together they must not let anyone work out how many people (1..k-1) said "don't know"
        # or were left out by the half-answered rule.
        n_with_dont_know = sum(1 for *_rest, dont_know in rows.values() if dont_know)
        if (
            suppression.is_shown(n_answered, k)
            and _zero_or_at_least(n_with_dont_know, k)
            and _zero_or_at_least(n_answered - len(scores), k)
        ):
            answers = sum(scored + dont_know for _total, scored, dont_know in rows.values())
            entry["dont_know_rate"] = scoring.dont_know_rate(
                sum(dont_know for *_rest, dont_know in rows.values()), answers
            )
            entry["n_answered"] = n_answered

        groups = shown_groups({pk: respondents[pk] for pk in scores}, k)
        cells: dict[str, dict[str, dict]] = {dimension: {} for dimension in dimensions}
        for (dimension, name), members in groups.items():
            if (dimension, name) == ALL:
                entry.update(_figure(members, scores, respondents))
            elif dimension in cells:
                figure = _figure(members, scores, respondents)
                del figure["spread"]
                cells[dimension][name] = figure
        entry["trend"] = _trend(entry["score"], previous_scores.get(condition["key"]))
        if entry["score"] is not None:
            found = scoring.benchmark(
                entry["score"],
                [scores_[condition["key"]] for scores_ in others if condition["key"] in scores_],
            )
            if found:
                entry["benchmark"] = {
                    "median": found.median,
                    "q1": found.q1,
                    "q3": found.q3,
                    "places": found.n_places,
                    "position": found.position,
                }
        conditions.append(entry)

        for dimension in dimensions:
            shown = cells[dimension]
            order = [column["key"] for column in columns[dimension]]
            gap = scoring.heatmap_gap(cell["score"] for cell in shown.values())
            gap_entry = None
            if gap is not None:
                high = max(shown, key=lambda name: (shown[name]["score"], -order.index(name)))
                low = min(shown, key=lambda name: (shown[name]["score"], order.index(name)))
                gap_entry = {
                    "points": gap,
                    "high": high,
                    "low": low,
                    "big": scoring.is_big_gap(gap),
                }
            heat_rows[dimension].append(
                {"condition": condition["key"], "cells": shown, "gap": gap_entry}
            )

        if condition["key"] == scoring.LEADERSHIP_KEY and "lead" in cells:
            lead, other = cells["lead"].get("lead"), cells["lead"].get("other")
            points = scoring.lead_gap(lead and lead["score"], other and other["score"])
            if points is not None:
                lead_gap = {
                    "points": points,
                    "lead": lead["score"],
                    "other": other["score"],
                    "n_lead": lead["n"],
                    "n_other": other["n"],
                }

    condition_scores = {c["key"]: c["score"] for c in conditions if c["score"] is not None}
    index = scoring.overall_index(condition_scores, [c["key"] for c in conditions])
    overall: dict[str, Any] = {"score": index}
    if index is not None:
        # Every condition is shown, so at least k respondents have a condition score.
        respondent_overall = [
            scoring.respondent_overall(values) for values in overall_by_respondent.values()
        ]
        spread = scoring.spread(respondent_overall)
        overall.update(
            n=len(respondent_overall),
            band=scoring.band(index),
            spread=spread,
            agreement=scoring.agreement(spread),
        )
    overall["trend"] = _trend(index, previous.overall_index if previous else None)

    statements = _statements(inputs, conditions, k, previous_statements)
    spectrum = _spectrum(inputs.spectrum_counts, k)
    leadership = next((c for c in conditions if c["key"] == scoring.LEADERSHIP_KEY), None)
    collaboration = scoring.collaboration_type(
        lead_gap=lead_gap["points"] if lead_gap else None,
        mode=spectrum["mode"] if spectrum else None,
        leadership_score=leadership["score"] if leadership else None,
        leadership_agreement=leadership.get("agreement") if leadership else None,
    )
    start, end = benchmark_window(cycle)
    heatmaps = []
    for dimension in dimensions:
        heatmap = {
            "key": dimension,
            "title": HEATMAP_TITLES[dimension],
            "columns": columns[dimension],
            "rows": heat_rows[dimension],
        }
        if dimension == "lead":
            heatmap["lead_partners"] = sorted(p["name"] for p in inputs.partners if p["is_lead"])
        heatmaps.append(heatmap)

    data: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "k": k,
        "enough_responses": enough,
        "bank": {"id": cycle.bank_id, "name": cycle.bank.name, "version": cycle.bank.version},
        "previous_cycle": (
            {"id": previous.cycle_id, "name": previous.cycle.name} if previous else None
        ),
        "overall": overall,
        "conditions": conditions,
        "trends": {
            c["key"]: {"change": c["trend"]["change"], "direction": c["trend"]["direction"]}
            for c in conditions
            if c["trend"] is not None
        },
        "heatmaps": heatmaps,
        "lead_gap": lead_gap,
        "spectrum": spectrum,
        "collaboration_type": {
            "key": collaboration.key,
            "label": collaboration.label,
            "reasons": list(collaboration.reasons),
        },
        "statements": statements,
        "highlights": _highlights(statements),
        "comments": _comments(cycle) if enough else [],
        "benchmark_window": {"start": start.isoformat(), "end": end.isoformat()},
    }
    if enough:
        data["n_responses"] = n_responses
    data["prompts"] = conversation_prompts(data)
    return data, condition_scores, index, n_responses


def _zero_or_at_least(n: int, k: int) -> bool:
    return n == 0 or suppression.is_shown(n, k)


def _statements(
    inputs: _Inputs, conditions: list[dict], k: int, previous: Mapping[str, float | None]
) -> list[dict]:
    condition_of = {c["pk"]: c for c in inputs.conditions}
    results = []
    for order, statement in enumerate(inputs.statements):
        by_partner = inputs.per_statement_partner.get(statement["pk"], {})
        answered = sum(row[2] for row in by_partner.values())
        if not suppression.is_shown(answered, k):
            continue  # nothing about a statement fewer than k people answered
        scored = sum(row[1] for row in by_partner.values())
        condition = condition_of[statement["condition_id"]]
        entry: dict[str, Any] = {
            "key": statement["key"],
            "text": statement["text"],
            "condition": condition["key"],
            "condition_name": condition["name"],
            "reverse_keyed": statement["reverse_keyed"],
            "order": order,
            "mean": None,
            "trend": None,
        }
        # With the count of those who scored it, these give the number who said "don't know":
        # shown only when that number, and the number who scored it, are each 0 or at least k.
        if _zero_or_at_least(answered - scored, k) and _zero_or_at_least(scored, k):
            entry["n_answered"] = answered
            entry["dont_know_rate"] = scoring.dont_know_rate(answered - scored, answered)
        if suppression.is_shown(scored, k):
            mean = scoring.balanced_mean(
                {partner: [total / n] for partner, (total, n, _answered) in by_partner.items() if n}
            )
            distribution = inputs.distributions.get(statement["pk"], {})
            values = [
                scoring.statement_score(value, statement["reverse_keyed"])
                for value, count in sorted(distribution.items())
                for _ in range(count)
            ]
            spread = scoring.spread(values)
            entry.update(
                mean=mean,
                n=scored,
                band=scoring.band(mean),
                spread=spread,
                agreement=scoring.agreement(spread),
                trend=_trend(mean, previous.get(statement["key"])),
            )
        results.append(entry)
    return results


def _comments(cycle: Cycle) -> list[dict]:
    comments = [
        {"condition": key, "condition_name": name, "text": text}
        for key, name, text in Comment.objects.filter(cycle=cycle)
        .order_by()
        .values_list("condition__key", "condition__name", "text")
    ]
    # A fresh random order, not the database's: insertion order could match submission order.
    random.SystemRandom().shuffle(comments)
    return comments


class ReleasedResultsAreFrozen(Exception):
    """A released snapshot is never rebuilt."""


@transaction.atomic
def rebuild_snapshot(cycle: Cycle) -> CycleResult:
    """Replace the snapshot of a closed, unreleased cycle (used by recompute_results)."""
    # Read the status from the database, under the cycle's row lock, so that a release landing
    # meanwhile cannot be overtaken by a rebuild.
    status = Cycle.objects.select_for_update().values_list("status", flat=True).get(pk=cycle.pk)
    if status != CycleStatus.CLOSED:
        raise ReleasedResultsAreFrozen(
            f"{cycle} is {CycleStatus(status).label.lower()}: only the results of a closed, "
            "unreleased round can be worked out again."
        )
    CycleResult.objects.filter(cycle=cycle).delete()
    return build_snapshot(cycle)


def cycles_to_recompute():
    """Closed, unreleased cycles in the order they closed, so trends see rebuilt predecessors."""
    return (
        Cycle.objects.filter(status=CycleStatus.CLOSED)
        .select_related("bank", "place")
        .order_by(F("closed_at").asc(nulls_first=True), "pk")
    )


# --- Reading snapshots across places --------------------------------------------------------


def latest_results(place_ids: Iterable[int] | QuerySet) -> list[dict]:
    """Each place's latest cycle with results, reading only the narrow columns: one query.

    The latest cycle per place is picked by a window function over the places' cycles (one
    pass, in SQLite and PostgreSQL alike), and only those cycles' snapshots are read. The
    places may come as a subquery of ids.
    """
    if not isinstance(place_ids, QuerySet):
        place_ids = list(place_ids)
    newest_first = Window(
        RowNumber(),
        partition_by=F("place_id"),
        order_by=[F("closed_at").desc(nulls_last=True), F("pk").desc()],
    )
    latest = (
        Cycle.objects.with_results()
        .filter(place_id__in=place_ids, result__isnull=False)
        .annotate(newest=newest_first)
        .filter(newest=1)
        .values("pk")
    )
    return list(
        CycleResult.objects.filter(cycle_id__in=latest)
        .order_by()
        .values(
            "cycle_id",
            "condition_scores",
            "overall_index",
            "trends",
            place_id=F("cycle__place_id"),
            bank_id=F("cycle__bank_id"),
            cycle_name=F("cycle__name"),
            status=F("cycle__status"),
        )
    )


def condition_columns(bank_ids: Iterable[int]) -> list[dict]:
    """Condition keys and names across these banks, in bank order: one query."""
    columns: dict[str, dict] = {}
    for key, name in (
        Condition.objects.filter(bank_id__in=list(bank_ids))
        .order_by("order", "key", "-bank__version")
        .values_list("key", "name")
    ):
        columns.setdefault(key, {"key": key, "name": name})
    return list(columns.values())
