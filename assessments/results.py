"""Results snapshots: a closed cycle's results, worked out once in the database and stored.

`build_snapshot(cycle)` runs a handful of GROUP BY queries over the cycle's answers (never a Python
loop over single answers), applies the rules of `scoring.py`, decides which groups may be shown
(`breakdowns.py`, with the exact audit of `audit.py`), and stores one `CycleResult` whose `data` is
a `snapshot.Snapshot` (its fields are documented there). Every page and export reads that row only,
so what is not stored cannot leak: **no figure describing fewer than k respondents is stored at
all** (k = the cycle's minimum group size).

Respondents are grouped by the sector, size and lead flag stored on each response when it was
submitted, never by the partners' current ones. The snapshot is built once, at close; release
publishes it as it is. `manage.py recompute_results` rebuilds closed, unreleased snapshots only (in
the order the cycles closed, so that they pick up releases made since); a released snapshot is
never rebuilt (DESIGN §6).

Trend and benchmark depend on other cycles, so they are worked out at snapshot time and stored
too. The trend compares with the place's latest *released* cycle that closed before this one
(DESIGN §5: comparing with an unreleased cycle would let members work out its hidden figures),
matching conditions and statements by key across bank versions. The benchmark compares with the
latest release of every other place released in the BENCHMARK_WINDOW_MONTHS before this cycle
closed, read from their narrow `condition_scores` column.

Per condition, a group's figure is its partner-balanced score (`scoring.balanced_mean`), its
agreement, and its division: the shares of its contributors' scored answers that were
unfavourable, neutral and favourable. Statements are shown for the whole place only; comments for
the whole place only, in random order.
"""

from __future__ import annotations

import calendar
import dataclasses
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
from assessments import snapshot as snap
from assessments.breakdowns import (
    ALL,
    DIMENSIONS,
    LENS_GAP_GROUPS,
    TITLES,
    Respondent,
    columns,
    shown_groups,
)
from assessments.models import (
    Answer,
    Comment,
    Condition,
    Cycle,
    CycleResult,
    CycleStatus,
    Response,
    SpectrumType,
    Statement,
)
from places.models import Partner

HIGHLIGHT_COUNT = 3  # strongest, weakest and most divided statements each
DONT_KNOW_HOT_SPOT_MAX = 5  # at most this many don't-know hot spots
MAX_PROMPTS = 5

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


def _answers(cycle: Cycle, statement_ids: list[int], routed_ids: list[int]):
    # Only answers to the cycle's own bank count, whatever a tampered request once stored; and
    # a routed statement was not asked of people outside partnership meetings (DESIGN §5), so
    # an answer of theirs to it (which submitting never stores) would count for nothing.
    # The bank's statements are given by id rather than joined through condition and bank: with
    # the join, PostgreSQL can misjudge how many statements a bank has (its small tables are
    # rarely analysed) and walk every cycle's answers by statement instead of this cycle's by
    # response, which makes closing a cycle cost more the more answers there are anywhere.
    answers = Answer.objects.filter(response__cycle=cycle, statement_id__in=statement_ids)
    if routed_ids:
        answers = answers.exclude(statement_id__in=routed_ids, response__in_meetings=False)
    return answers.order_by()


@dataclass(frozen=True)
class _Tally:
    """One respondent's answers on one condition."""

    total: int  # sum of statement scores
    scored: int
    dont_know: int
    unfavourable: int
    neutral: int
    favourable: int


@dataclass
class _Inputs:
    conditions: list[dict]
    statements: list[dict]
    respondents: dict[Any, Respondent]
    in_meetings: dict[Any, bool | None]  # {response id: the meetings answer}
    per_respondent: dict[int, dict[Any, _Tally]]  # {condition id: {response id: tally}}
    # The same over the statements asked of everyone only (group gaps and the type use these).
    everyone_per_respondent: dict[int, dict[Any, _Tally]]
    # {statement id: {partner id: (sum, scored, answered)}}
    per_statement_partner: dict[int, dict[int, tuple[int, int, int]]]
    # {statement id: {value: count}}
    distributions: dict[int, dict[int, int]]
    spectrum_counts: dict[str, int]
    target_counts: dict[str, int]
    partners: list[dict]


def _add(a: _Tally | None, b: _Tally) -> _Tally:
    if a is None:
        return b
    return _Tally(
        *(x + y for x, y in zip(dataclasses.astuple(a), dataclasses.astuple(b), strict=True))
    )


def _leaning(low: tuple[int, ...], high: tuple[int, ...]) -> Q:
    """Answers whose score is at the given end: `low` values as worded, `high` when reversed."""
    return Q(value__in=low, statement__reverse_keyed=False) | Q(
        value__in=high, statement__reverse_keyed=True
    )


def _load(cycle: Cycle) -> _Inputs:
    """Every query the snapshot needs: a fixed number, whatever the number of answers."""
    conditions = list(
        Condition.objects.filter(bank_id=cycle.bank_id)
        .annotate(
            statement_count=Count("statements"),
            everyone_count=Count("statements", filter=Q(statements__routed=False)),
        )
        .order_by("order", "pk")
        .values("pk", "key", "name", "order", "statement_count", "everyone_count")
    )
    statements = list(
        Statement.objects.filter(condition__bank_id=cycle.bank_id)
        .order_by("condition__order", "order", "pk")
        .values("pk", "key", "text", "reverse_keyed", "routed", "condition_id")
    )
    # The groups fixed at submission, never the partners' current ones (DESIGN §6).
    respondents, in_meetings = {}, {}
    for row in (
        Response.objects.filter(cycle=cycle)
        .order_by()
        .values_list("pk", "partner_id", "sector", "size", "is_lead", "role_level", "in_meetings")
    ):
        respondents[row[0]] = Respondent(*row[1:6])
        in_meetings[row[0]] = row[6]

    statement_ids = [statement["pk"] for statement in statements]
    routed_ids = [statement["pk"] for statement in statements if statement["routed"]]
    score = statement_score_expression()
    per_respondent: dict[int, dict[Any, _Tally]] = defaultdict(dict)
    everyone_per_respondent: dict[int, dict[Any, _Tally]] = defaultdict(dict)
    for row in (
        _answers(cycle, statement_ids, routed_ids)
        .values("response_id", "statement__condition_id", "statement__routed")
        .annotate(
            total=Sum(score),
            scored=Count("value"),
            dont_know=Count("pk", filter=Q(value__isnull=True)),
            unfavourable=Count("pk", filter=_leaning((1, 2), (4, 5))),
            neutral=Count("pk", filter=Q(value=3)),
            favourable=Count("pk", filter=_leaning((4, 5), (1, 2))),
        )
    ):
        tally = _Tally(
            row["total"] or 0,
            row["scored"],
            row["dont_know"],
            row["unfavourable"],
            row["neutral"],
            row["favourable"],
        )
        condition_id, response_id = row["statement__condition_id"], row["response_id"]
        mine = per_respondent[condition_id]
        mine[response_id] = _add(mine.get(response_id), tally)
        if not row["statement__routed"]:
            everyone_per_respondent[condition_id][response_id] = tally

    per_statement_partner: dict[int, dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for row in (
        _answers(cycle, statement_ids, routed_ids)
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
        _answers(cycle, statement_ids, routed_ids)
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
    target_counts = dict(
        Response.objects.filter(cycle=cycle)
        .exclude(spectrum_target="")
        .order_by()
        .values_list("spectrum_target")
        .annotate(count=Count("pk"))
    )
    partners = list(
        Partner.objects.filter(place_id=cycle.place_id).values("name", "sector", "is_lead")
    )
    return _Inputs(
        conditions=conditions,
        statements=statements,
        respondents=respondents,
        in_meetings=in_meetings,
        per_respondent=per_respondent,
        everyone_per_respondent=everyone_per_respondent,
        per_statement_partner=per_statement_partner,
        distributions=distributions,
        spectrum_counts=spectrum_counts,
        target_counts=target_counts,
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


# --- The arithmetic side --------------------------------------------------------------------


def _figure(members: Iterable, scores: Mapping, respondents: Mapping, tallies: Mapping):
    """A group's partner-balanced score, agreement and division, over `members` with a score."""
    by_partner: dict[int, list[float]] = defaultdict(list)
    values = []
    unfavourable = neutral = favourable = 0
    for member in members:
        by_partner[respondents[member].partner].append(scores[member])
        values.append(scores[member])
        tally = tallies[member]
        unfavourable += tally.unfavourable
        neutral += tally.neutral
        favourable += tally.favourable
    score = scoring.balanced_mean(by_partner)
    spread = scoring.spread(values)
    answers = unfavourable + neutral + favourable
    return snap.Figure(
        score=score,
        n=len(values),
        band=scoring.band(score),
        spread=spread,
        agreement=scoring.agreement(spread),
        division=(
            snap.Division(unfavourable / answers, neutral / answers, favourable / answers)
            if answers
            else None
        ),
    )


def _trend(current: float | None, previous: float | None) -> snap.Trend | None:
    if current is None or previous is None:
        return None
    change = scoring.trend(current, previous)
    return snap.Trend(previous=previous, change=change.change, direction=change.direction)


def _spectrum(counts: Mapping[str, int], k: int) -> snap.Spectrum | None:
    total = sum(counts.get(key, 0) for key in scoring.SPECTRUM_ORDER)
    if not suppression.is_shown(total, k):
        return None
    present = {key: counts[key] for key in scoring.SPECTRUM_ORDER if counts.get(key)}
    hidden = suppression.suppress_partition(total, present, k)
    categories = [
        snap.SpectrumCategory(key=key, label=SPECTRUM_SHORT[key], n=n, share=n / total)
        for key, n in present.items()
        if key not in hidden
    ]
    # The partition rule leaves 0 or at least k in the remainder, so it can be shown as one.
    other = total - sum(category.n for category in categories)
    return snap.Spectrum(
        n=total,
        categories=categories,
        other=snap.SpectrumOther(n=other, share=other / total) if other else None,
    )


def _gap(first: snap.Figure | None, second: snap.Figure | None) -> snap.GroupGap | None:
    """First group's score minus the second's, when both are shown."""
    points = scoring.lead_gap(first and first.score, second and second.score)
    if points is None:
        return None
    return snap.GroupGap(
        points=points, first=first.score, second=second.score, n_first=first.n, n_second=second.n
    )


def _row_gap(cells: Mapping[str, snap.Figure], order: list[str]) -> snap.Gap | None:
    gap = scoring.heatmap_gap(cell.score for cell in cells.values())
    if gap is None:
        return None
    high = max(cells, key=lambda name: (cells[name].score, -order.index(name)))
    low = min(cells, key=lambda name: (cells[name].score, order.index(name)))
    return snap.Gap(points=gap, high=high, low=low, big=scoring.is_big_gap(gap))


def _highlights(statements: list[snap.StatementResult]) -> snap.Highlights:
    scored = [s for s in statements if s.mean is not None]
    by_mean = sorted(scored, key=lambda s: (-s.mean, s.order))
    strongest = by_mean[:HIGHLIGHT_COUNT]
    rest = [s for s in reversed(by_mean) if s not in strongest]
    weakest = rest[:HIGHLIGHT_COUNT]
    divided = sorted(
        (s for s in scored if s.agreement in ("mixed", "polarised")),
        key=lambda s: (-s.spread, s.order),
    )
    dont_know = sorted(
        (
            s
            for s in statements
            if s.dont_know_rate is not None
            and scoring.exact(s.dont_know_rate) >= scoring.DONT_KNOW_HOT_SPOT_MIN
        ),
        key=lambda s: (-s.dont_know_rate, s.order),
    )
    return snap.Highlights(
        strongest=[s.key for s in strongest],
        weakest=[s.key for s in weakest],
        most_divided=[s.key for s in divided[:HIGHLIGHT_COUNT]],
        dont_know=[s.key for s in dont_know[:DONT_KNOW_HOT_SPOT_MAX]],
    )


def conversation_prompts(result: snap.Snapshot) -> list[str]:
    """Questions for the partnership's next meeting, from its weakest and most divided results.

    Written from templates with the names in the snapshot, so they always match the figures.
    """
    prompts: list[str] = []
    scored = [c for c in result.conditions if c.place is not None]
    if len(scored) > 1:
        weakest = min(scored, key=lambda c: (c.place.score, c.order))
        prompts.append(
            f"“{weakest.name}” had the lowest score of all the conditions. What is one thing "
            "the partners could do differently before the next health check to strengthen it?"
        )

    asked = result.highlights.weakest[:2]
    for key in asked:
        statement = result.statement(key)
        if statement.reverse_keyed:
            prompts.append(
                f"Many people agreed that “{_unstop(statement.text)}”. Where does this "
                "happen, and what would help it happen less?"
            )
        else:
            prompts.append(
                f"“{_unstop(statement.text)}” was one of the statements people agreed with "
                "least. What gets in the way, and who could help change that?"
            )

    for key in result.highlights.most_divided:
        if key not in asked:
            prompts.append(
                f"People see “{_unstop(result.statement(key).text)}” very differently. Why "
                "might some partners experience this so differently from others?"
            )
            break

    gap = result.lead_gap
    if gap and scoring.is_big_gap(gap.points):
        prompts.append(
            "Lead partners rate shared leadership and power much higher than the other partners "
            "do. How could the other partners have more say in setting the direction?"
        )
    else:
        for breakdown in result.breakdowns:
            big = [row for row in breakdown.rows if row.gap and row.gap.big]
            if big:
                row = max(big, key=lambda r: r.gap.points)
                labels = {column.key: column.label for column in breakdown.columns}
                prompts.append(
                    f"On “{result.condition(row.condition).name}”, the “{labels[row.gap.low]}” "
                    f"group gave a much lower score than the “{labels[row.gap.high]}” group. "
                    "What might explain the difference, and how could you hear more from them?"
                )
                break

    for key in result.highlights.dont_know[:1]:
        prompts.append(
            f"Many people did not know whether “{_unstop(result.statement(key).text)}”. How "
            "could the partnership share more about this?"
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
        result, n_responses = compute(cycle)
        return CycleResult.objects.create(
            cycle=cycle,
            n_responses=n_responses,
            condition_scores=result.condition_scores,
            overall_index=result.overall.score,
            trends=result.trends,
            data=snap.dump(result),
        )


def compute(cycle: Cycle) -> tuple[snap.Snapshot, int]:
    """The cycle's results, as they will be stored, and how many responses it had."""
    k = cycle.min_group_size
    inputs = _load(cycle)
    respondents = inputs.respondents
    enough = suppression.is_shown(len(respondents), k)
    previous = _previous_result(cycle)
    previous_data = previous.snapshot if previous else None
    others = _benchmark_scores(cycle)
    sectors = {p["sector"] for p in inputs.partners} | {r.sector for r in respondents.values()}
    has_leads = any(p["is_lead"] for p in inputs.partners) or any(
        r.is_lead for r in respondents.values()
    )
    dimensions = [d for d in DIMENSIONS if d != "lead" or has_leads]
    column_keys = {d: [key for key, _label in columns(d, sectors)] for d in dimensions}

    conditions: list[snap.ConditionResult] = []
    rows: dict[str, list[snap.BreakdownRow]] = {dimension: [] for dimension in dimensions}
    overall_by_respondent: dict[Any, list[float]] = defaultdict(list)
    group_gaps: dict[str, snap.GroupGap] = {}
    type_leadership: snap.Figure | None = None
    for condition in inputs.conditions:
        tallies = inputs.per_respondent.get(condition["pk"], {})
        n_everyone = condition["everyone_count"]
        n_routed = condition["statement_count"] - n_everyone
        scores = {}
        for pk, tally in tallies.items():
            asked = scoring.statements_asked(n_everyone, n_routed, inputs.in_meetings[pk])
            score = scoring.respondent_condition_score(tally.total, tally.scored, asked)
            if score is not None:
                scores[pk] = score
                overall_by_respondent[pk].append(score)
        groups = shown_groups({pk: respondents[pk] for pk in scores}, dimensions, k)
        figures = {
            name: _figure(members, scores, respondents, tallies) for name, members in groups.items()
        }
        place = figures.get(ALL)
        previous_condition = previous_data.condition(condition["key"]) if previous_data else None
        benchmark = None
        if place is not None:
            found = scoring.benchmark(
                place.score,
                [row[condition["key"]] for row in others if condition["key"] in row],
            )
            if found:
                benchmark = snap.Benchmark(
                    median=found.median,
                    q1=found.q1,
                    q3=found.q3,
                    places=found.n_places,
                    position=found.position,
                )
        dont_know_rate, n_answered = _condition_dont_know(tallies, len(scores), k)
        conditions.append(
            snap.ConditionResult(
                key=condition["key"],
                name=condition["name"],
                order=condition["order"],
                statement_count=condition["statement_count"],
                place=place,
                dont_know_rate=dont_know_rate,
                n_answered=n_answered,
                trend=_trend(
                    place and place.score,
                    previous_condition.place.score
                    if previous_condition and previous_condition.place
                    else None,
                ),
                benchmark=benchmark,
            )
        )
        for dimension in dimensions:
            cells = {
                name: figures[(dimension, name)]
                for name in column_keys[dimension]
                if (dimension, name) in figures
            }
            rows[dimension].append(
                snap.BreakdownRow(
                    condition=condition["key"],
                    cells=cells,
                    gap=_row_gap(cells, column_keys[dimension]),
                )
            )
        if condition["key"] == scoring.LEADERSHIP_KEY:
            pairs = {"lead": ("lead", "other"), **LENS_GAP_GROUPS}
            gap_figures = figures
            if n_routed:
                # Group gaps and the type use the statements asked of everyone (DESIGN §5). A
                # gap is shown only where the heatmap shows both groups too, so no group is
                # named by a gap that the rules hid from the heatmap.
                everyone = _everyone_figures(inputs, condition, pairs, dimensions, k)
                gap_figures = {
                    name: figure
                    for name, figure in everyone.items()
                    if name == ALL or name in figures
                }
            type_leadership = gap_figures.get(ALL)
            for dimension, (first, second) in pairs.items():
                gap = _gap(
                    gap_figures.get((dimension, first)), gap_figures.get((dimension, second))
                )
                if gap is not None:
                    group_gaps[dimension] = gap

    condition_scores = {c.key: c.place.score for c in conditions if c.place is not None}
    index = scoring.overall_index(condition_scores, [c.key for c in conditions])
    overall_spread = None
    if index is not None:
        # Every condition is shown, so at least k respondents have a condition score.
        overall_spread = scoring.spread(
            [scoring.respondent_overall(values) for values in overall_by_respondent.values()]
        )
    overall = snap.Overall(
        score=index,
        n=len(overall_by_respondent) if index is not None else None,
        band=scoring.band(index),
        spread=overall_spread,
        agreement=scoring.agreement(overall_spread),
        trend=_trend(index, previous.overall_index if previous else None),
    )

    statements = _statements(inputs, k, previous_data)
    spectrum = _spectrum(inputs.spectrum_counts, k)
    mode = scoring.spectrum_mode(inputs.spectrum_counts, k)
    lead_gap = group_gaps.pop("lead", None)
    routing = any(statement["routed"] for statement in inputs.statements)
    collaboration = scoring.collaboration_type(
        lead_gap=lead_gap.points if lead_gap else None,
        mode=mode,
        leadership_score=type_leadership.score if type_leadership else None,
        leadership_agreement=type_leadership.agreement if type_leadership else None,
        lens_gaps={lens: gap.points for lens, gap in group_gaps.items()},
    )
    reasons = list(collaboration.reasons)
    if routing:
        reasons.append(ROUTING_NOTE)
    lead_partners = sorted(p["name"] for p in inputs.partners if p["is_lead"])
    breakdowns = [
        snap.Breakdown(
            key=dimension,
            title=TITLES[dimension],
            columns=[snap.Column(key, label) for key, label in columns(dimension, sectors)],
            rows=rows[dimension],
            lead_partners=lead_partners if dimension == "lead" else [],
        )
        for dimension in dimensions
    ]
    start, end = benchmark_window(cycle)
    result = snap.Snapshot(
        schema=snap.SCHEMA_VERSION,
        k=k,
        enough_responses=enough,
        n_responses=len(respondents) if enough else None,
        bank=snap.BankRef(id=cycle.bank_id, name=cycle.bank.name, version=cycle.bank.version),
        previous_cycle=(
            snap.CycleRef(id=previous.cycle_id, name=previous.cycle.name) if previous else None
        ),
        overall=overall,
        conditions=conditions,
        breakdowns=breakdowns,
        lead_gap=lead_gap,
        lens_gaps=group_gaps,
        spectrum=spectrum,
        mode=mode,
        collaboration_type=snap.CollaborationType(
            key=collaboration.key, label=collaboration.label, reasons=reasons
        ),
        statements=statements,
        highlights=_highlights(statements),
        prompts=[],
        comments=_comments(cycle) if enough else [],
        benchmark_window=snap.Window(start=start.isoformat(), end=end.isoformat()),
        target_spectrum=_spectrum(inputs.target_counts, k),
        target_mode=scoring.spectrum_mode(inputs.target_counts, k),
        previous_bank=(
            snap.BankRef(
                id=previous.cycle.bank_id,
                name=previous_data.bank.name,
                version=previous_data.bank.version,
            )
            if previous
            else None
        ),
        routing=routing,
    )
    return dataclasses.replace(result, prompts=conversation_prompts(result)), len(respondents)


ROUTING_NOTE = (
    "Some statements were asked only of people who take part in partnership meetings or "
    "decisions; the figures behind this label use only the statements asked of everyone."
)


def _everyone_figures(
    inputs: _Inputs, condition: dict, pairs: Mapping, dimensions: list[str], k: int
) -> dict:
    """The whole place's and the gap groups' figures on a condition, over the statements asked
    of everyone only; the groups are decided by the same rules and audit as any (§6)."""
    tallies = inputs.everyone_per_respondent.get(condition["pk"], {})
    scores = {}
    for pk, tally in tallies.items():
        score = scoring.respondent_condition_score(
            tally.total, tally.scored, condition["everyone_count"]
        )
        if score is not None:
            scores[pk] = score
    respondents = inputs.respondents
    gap_dimensions = [d for d in dimensions if d in pairs]
    groups = shown_groups({pk: respondents[pk] for pk in scores}, gap_dimensions, k)
    return {
        name: _figure(members, scores, respondents, tallies) for name, members in groups.items()
    }


def _condition_dont_know(
    tallies: Mapping[Any, _Tally], n_scored: int, k: int
) -> tuple[float | None, int | None]:
    """The condition's don't-know rate and the number who answered it, when they may be shown.

    Beside the score's own count they must not let anyone work out how many people (1..k−1)
    said "don't know" or were left out by the half-answered rule.
    """
    n_answered = len(tallies)
    with_dont_know = sum(1 for tally in tallies.values() if tally.dont_know)
    if not (
        suppression.is_shown(n_answered, k)
        and _zero_or_at_least(with_dont_know, k)
        and _zero_or_at_least(n_answered - n_scored, k)
    ):
        return None, None
    answers = sum(tally.scored + tally.dont_know for tally in tallies.values())
    dont_know = sum(tally.dont_know for tally in tallies.values())
    return scoring.dont_know_rate(dont_know, answers), n_answered


def _zero_or_at_least(n: int, k: int) -> bool:
    return n == 0 or suppression.is_shown(n, k)


def _statements(
    inputs: _Inputs, k: int, previous: snap.Snapshot | None
) -> list[snap.StatementResult]:
    condition_of = {c["pk"]: c for c in inputs.conditions}
    # The people a routed statement went to: everyone who said they take part in meetings.
    n_in_meetings = sum(1 for answer in inputs.in_meetings.values() if answer is not False)
    results = []
    for order, statement in enumerate(inputs.statements):
        by_partner = inputs.per_statement_partner.get(statement["pk"], {})
        answered = sum(row[2] for row in by_partner.values())
        if not suppression.is_shown(answered, k):
            continue  # nothing about a statement fewer than k people answered
        scored = sum(row[1] for row in by_partner.values())
        condition = condition_of[statement["condition_id"]]
        # With the count of those who scored it, these give the number who said "don't know":
        # shown only when that number, and the number who scored it, are each 0 or at least k.
        dont_know_shown = _zero_or_at_least(answered - scored, k) and _zero_or_at_least(scored, k)
        mean = spread = None
        if suppression.is_shown(scored, k):
            mean = scoring.balanced_mean(
                {partner: [total / n] for partner, (total, n, _answered) in by_partner.items() if n}
            )
            distribution = inputs.distributions.get(statement["pk"], {})
            spread = scoring.spread(
                [
                    scoring.statement_score(value, statement["reverse_keyed"])
                    for value, count in sorted(distribution.items())
                    for _ in range(count)
                ]
            )
        before = previous.statement(statement["key"]) if previous else None
        results.append(
            snap.StatementResult(
                key=statement["key"],
                text=statement["text"],
                condition=condition["key"],
                condition_name=condition["name"],
                reverse_keyed=statement["reverse_keyed"],
                order=order,
                mean=mean,
                n=scored if mean is not None else None,
                band=scoring.band(mean),
                spread=spread,
                agreement=scoring.agreement(spread),
                n_answered=answered if dont_know_shown else None,
                dont_know_rate=(
                    scoring.dont_know_rate(answered - scored, answered) if dont_know_shown else None
                ),
                # Statements trend only where key and wording are unchanged (DESIGN §5).
                trend=_trend(
                    mean, before.mean if before and before.text == statement["text"] else None
                ),
                routed=statement["routed"],
                n_asked=(
                    n_in_meetings
                    if statement["routed"] and suppression.is_shown(n_in_meetings, k)
                    else None
                ),
            )
        )
    return results


def _comments(cycle: Cycle) -> list[snap.CommentResult]:
    comments = [
        snap.CommentResult(condition=key, condition_name=name, text=text)
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


def round_history(cycle: Cycle) -> list[dict]:
    """The place's released rounds that closed before this one, oldest first, then this round:
    each one's name, overall index and condition scores, from the narrow columns. One query,
    whatever the number of responses, rounds or places.

    Released rounds only (a member must never see a round that was not released); this round
    itself is there whatever its status, since whoever reads its dashboard may see it. Later
    rounds are left out: this round's dashboard tells the story up to this round.
    """
    rows = list(
        CycleResult.objects.filter(
            Q(cycle_id=cycle.pk)
            | Q(
                cycle__place_id=cycle.place_id,
                cycle__status=CycleStatus.RELEASED,
                cycle__closed_at__lt=closed_moment(cycle),
            )
        )
        .order_by("cycle__closed_at", "cycle_id")
        .values("cycle_id", "overall_index", "condition_scores", name=F("cycle__name"))
    )
    # This round last, even if it has no closing time (imported history) to sort it by.
    return sorted(rows, key=lambda row: row["cycle_id"] == cycle.pk)


def condition_guidance(bank_id: int) -> dict[str, str]:
    """Each condition's guidance in this bank, by key (a published bank's never changes): one
    query. Conditions without guidance are left out."""
    return dict(
        Condition.objects.filter(bank_id=bank_id)
        .exclude(guidance="")
        .order_by()
        .values_list("key", "guidance")
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
