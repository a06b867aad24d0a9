"""The scoring rules of DESIGN §5, as small functions over already-aggregated numbers.

Pure Python on purpose: the database does the GROUP BY over answers, and these functions turn
per-respondent or per-partner figures into scores, bands and labels. Keeping Django out means every
rule can be tested by hand-worked arithmetic, without a database.

Scores are kept unrounded and shown as whole numbers, rounded half up (`shown`). A label that
stands beside a number the page shows — a band beside a score, an arrow beside a change, "above the
middle half (56 to 75)", a gap quoted in a reason — is judged on that shown number, so words and
number always agree. A change since last round is shown as the difference of the two shown scores
(`shown_change`), since both scores are shown too. Agreement is judged on the exact spread (the
spread itself is rarely shown). Every comparison first rounds away floating-point noise (`exact`),
so 24.999999999999996 computed for a spread that is 25 on paper is mixed, as 25 is.

Means use `statistics.fmean`, which adds floats exactly (`math.fsum`) and then divides; a plain
`sum() / len()` can turn an average of averages that is 75 on paper into 74.99999999999999 and drop
it into the band below. (`statistics.mean` divides exactly too, in fractions: 30 to 100 µs a
call where fmean takes about one, some 400 calls and 15 ms of the 150 ms that closing a cycle
took. The two can differ only in the last binary digit, and only where the exact mean is no
float at all, so no band or rounded figure changes.)
"""

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

# --- Thresholds: every number the rules depend on, each with a test -----------------------------
STRENGTH_MIN = 75.0  # Wilder inventory's 4.0 on its 1–5 scale, placed on 0–100
DEVELOPING_MIN = 50.0  # Wilder inventory's 3.0
ALIGNED_MAX_SPREAD = 25.0  # spread under this is aligned
POLARISED_MIN_SPREAD = 50.0  # spread over this is polarised; 25..50 inclusive is mixed
SPREAD_LOW_PERCENTILE = 15
SPREAD_HIGH_PERCENTILE = 85
LEAD_GAP_WEAK = 15.0  # lead partners this much more positive than the rest: one of them steers
STRONG_LEADERSHIP_MIN = 75.0  # shared leadership and power needed to call it strong collaboration
TREND_MIN_CHANGE = 5.0  # smaller changes are shown as a number but get no arrow
HEATMAP_GAP_MIN = 15.0
DONT_KNOW_HOT_SPOT_MIN = 0.2  # a statement a fifth of people could not answer needs explaining
BENCHMARK_MIN_PLACES = 5
BENCHMARK_WINDOW_MONTHS = 24
MIN_ANSWERED_SHARE = 0.5  # a respondent must score at least half of a condition's statements
DEFAULT_MIN_GROUP_SIZE = 5
LOWEST_MIN_GROUP_SIZE = 3
LEADERSHIP_KEY = "leadership"

# The four collaboration-spectrum types, weakest first; the order settles ties in the mode.
SPECTRUM_ORDER = ("cooperation", "partnership", "weak", "strong")

# Percentile cut points from statistics.quantiles(n=20) fall at 5%, 10%, …, 95%.
_TWENTIETHS = 20
_SPREAD_LOW_INDEX = SPREAD_LOW_PERCENTILE // 5 - 1
_SPREAD_HIGH_INDEX = SPREAD_HIGH_PERCENTILE // 5 - 1

Band = Literal["strength", "developing", "concern"]
Agreement = Literal["aligned", "mixed", "polarised"]


# Digits kept before comparing with a threshold: far below anything shown, far above float noise.
_NOISE_DIGITS = 9


def exact(value: float) -> float:
    """The value with floating-point noise rounded away, for comparing with a threshold."""
    return round(value, _NOISE_DIGITS)


def shown(value: float) -> int:
    """The whole number a value is shown as: rounded half up (74.5 is 75, −4.5 is −4)."""
    return math.floor(exact(value) + 0.5)


def display(score: float | None) -> str:
    """A score as the page shows it; "" for no score."""
    if score is None:
        return ""
    return str(shown(score))


# --- Statements and respondents -----------------------------------------------------------------


def statement_score(value: int, reverse_keyed: bool) -> float:
    """Put a 1–5 answer on 0–100, so that 100 is always the healthy end."""
    if value not in range(1, 6):
        raise ValueError(f"An answer must be 1 to 5, not {value!r}.")
    return float((5 - value) * 25 if reverse_keyed else (value - 1) * 25)


def statements_asked(n_everyone: int, n_routed: int, in_meetings: bool | None) -> int:
    """How many of a condition's statements a respondent was asked.

    Routed statements (bank v2 on) are asked only of people who take part in partnership
    meetings or decisions. For everyone else they are *not asked*: not a don't-know, and not in
    the half-answered rule's denominator. `in_meetings` None means the question was never put
    (a bank without routing), so everything was asked.
    """
    return n_everyone + (0 if in_meetings is False else n_routed)


def respondent_condition_score(scored_sum: float, n_scored: int, n_statements: int) -> float | None:
    """A respondent's mean on one condition, or None if they scored fewer than half of it.

    A mean over one or two statements of a six-statement condition says more about those
    statements than about the condition, so such a respondent is left out of that condition.
    `n_statements` counts the statements this respondent was asked (`statements_asked`): a
    routed statement they were not asked is no answer missing, and answers to it are never
    passed here.
    """
    if n_scored <= 0 or n_scored < MIN_ANSWERED_SHARE * n_statements:
        return None
    return scored_sum / n_scored


def respondent_overall(condition_scores: Iterable[float | None]) -> float | None:
    """Mean of the conditions a respondent has a score for."""
    present = [score for score in condition_scores if score is not None]
    return statistics.fmean(present) if present else None


# --- Groups and the place -----------------------------------------------------------------------


def balanced_mean(values_by_partner: Mapping[Hashable, Sequence[float]]) -> float | None:
    """Mean over partners of each partner's mean.

    Every partner organisation counts equally, so a large organisation that sends many
    respondents cannot drown out a small one that sends two.
    """
    partner_means = [statistics.fmean(values) for values in values_by_partner.values() if values]
    return statistics.fmean(partner_means) if partner_means else None


def overall_index(
    condition_scores: Mapping[str, float | None], condition_keys: Iterable[str]
) -> float | None:
    """Mean of the condition scores, only when every condition has one.

    An index over five conditions could not be compared with one over six, nor with last time.
    """
    keys = list(condition_keys)
    present = [score for key in keys if (score := condition_scores.get(key)) is not None]
    if not keys or len(present) < len(keys):
        return None
    return statistics.fmean(present)


def band(score: float | None) -> Band | None:
    """The band of a score as shown: 74.6 is shown as 75 and is a strength."""
    if score is None:
        return None
    if shown(score) >= STRENGTH_MIN:
        return "strength"
    if shown(score) >= DEVELOPING_MIN:
        return "developing"
    return "concern"


def spread(scores: Sequence[float]) -> float | None:
    """Gap between the 15th and 85th percentile of respondents' scores.

    Not max minus min: the extremes are single people, and reporting them would both point at
    individuals and let one unusual answer decide whether a whole place looks divided.
    """
    if len(scores) < 2:
        return None
    cuts = statistics.quantiles(scores, n=_TWENTIETHS, method="inclusive")
    return cuts[_SPREAD_HIGH_INDEX] - cuts[_SPREAD_LOW_INDEX]


def agreement(spread_value: float | None) -> Agreement | None:
    """Judged on the exact spread: exactly 25 and exactly 50 are both mixed."""
    if spread_value is None:
        return None
    if exact(spread_value) < ALIGNED_MAX_SPREAD:
        return "aligned"
    if exact(spread_value) <= POLARISED_MIN_SPREAD:
        return "mixed"
    return "polarised"


def dont_know_rate(n_dont_know: int, n_answers: int) -> float | None:
    """Share (0–1) of answers that were *don't know*; None when there were no answers."""
    if n_answers <= 0:
        return None
    return n_dont_know / n_answers


def lead_gap(lead_score: float | None, other_score: float | None) -> float | None:
    """Lead partners' score minus the other partners' score.

    Callers pass None for a group too small to show (§6), so no gap is ever worked out from a
    figure that is itself hidden. With routed statements, the scores passed are over the
    statements asked of everyone only: otherwise a gap would partly measure who goes to
    meetings (lead partners mostly do) rather than how each group sees the partnership. The
    lens gaps and the collaboration type's leadership score are worked out the same way.
    """
    if lead_score is None or other_score is None:
        return None
    return lead_score - other_score


# --- Collaboration type -------------------------------------------------------------------------


def spectrum_mode(counts: Mapping[str, int], k: int) -> str | None:
    """The most common spectrum answer, if at least k people chose it; a tie goes to the weaker
    type.

    Settling ties downwards means a split partnership is never credited with the stronger label.
    The mode is a fact about the largest group of answers, so it stands even where the answers'
    distribution is hidden (DESIGN §5); fewer than k people behind it, and there is none. Keys
    that are not spectrum types (e.g. "" for not answered) are ignored.
    """
    mode, best = None, 0
    for key in SPECTRUM_ORDER:  # weakest first, and only a strictly higher count replaces it
        if counts.get(key, 0) > best:
            mode, best = key, counts[key]
    return mode if best >= k else None


@dataclass(frozen=True)
class CollaborationType:
    key: str
    label: str
    reasons: tuple[str, ...]


_LABELS = {
    "weak_steered": "Weak collaboration (one organisation steers)",
    "weak": "Weak collaboration",
    "strong": "Strong collaboration",
    "developing": "Developing collaboration",
    "partnership": "Partnership",
    "cooperation": "Co-operation",
    "unknown": "Not enough answers to say",
}


def _collaboration(key: str, *reasons: str) -> CollaborationType:
    return CollaborationType(key=key, label=_LABELS[key], reasons=reasons)


# The coarse splits of DESIGN §5 whose gap on shared leadership and power is given as a reason
# beside the type: (higher group, lower group) wording for a positive gap (first minus second).
LENS_GAP_WORDS = {
    "role_lens": ("people who lead and manage", "people who deliver services or live here"),
    "size_lens": ("larger organisations", "small organisations"),
}


def lens_gap_reasons(lens_gaps: Mapping[str, float]) -> tuple[str, ...]:
    """A sentence for each lens gap of LEAD_GAP_WEAK points or more (either way round)."""
    reasons = []
    for lens, (first, second) in LENS_GAP_WORDS.items():
        gap = lens_gaps.get(lens)
        if gap is None or shown(abs(gap)) < LEAD_GAP_WEAK:
            continue
        high, low = (first, second) if gap > 0 else (second, first)
        reasons.append(
            f"{high[0].upper()}{high[1:]} rate shared leadership and power "
            f"{display(abs(gap))} points higher than {low} do."
        )
    return tuple(reasons)


def collaboration_type(
    *,
    lead_gap: float | None,
    mode: str | None,
    leadership_score: float | None,
    leadership_agreement: str | None,
    lens_gaps: Mapping[str, float] | None = None,
) -> CollaborationType:
    """Label the partnership by the rules of DESIGN §5, in their order, with plain-words reasons.

    The reasons are shown to residents as "why this label", so they quote the figures that
    decided it, written as the dashboard shows them. Lens gaps (role, size) of LEAD_GAP_WEAK or
    more are added as reasons; they never decide the label (rule 1 is the lead gap only).
    """
    found = _collaboration_by_rules(lead_gap, mode, leadership_score, leadership_agreement)
    extra = lens_gap_reasons(lens_gaps or {})
    if not extra:
        return found
    return CollaborationType(key=found.key, label=found.label, reasons=found.reasons + extra)


def _collaboration_by_rules(
    lead_gap: float | None,
    mode: str | None,
    leadership_score: float | None,
    leadership_agreement: str | None,
) -> CollaborationType:
    if lead_gap is not None and shown(lead_gap) >= LEAD_GAP_WEAK:
        return _collaboration(
            "weak_steered",
            f"Lead partners rate shared leadership and power {display(lead_gap)} points higher "
            "than the other partners do, so one organisation appears to be steering.",
        )
    if mode is None:
        return _collaboration(
            "unknown",
            "Not enough people answered the question about how the partners work together "
            "to say what kind of collaboration this is.",
        )
    if mode not in SPECTRUM_ORDER:
        raise ValueError(f"Unknown spectrum type {mode!r}.")

    if mode == "weak":
        return _collaboration(
            "weak",
            "The answer given most often was that partners are on one organisation's boat: "
            "it steers, and the others are asked for an opinion now and then.",
        )
    if mode == "strong":
        return _strong_or_developing(leadership_score, leadership_agreement)
    if mode == "partnership":
        return _collaboration(
            "partnership",
            "The answer given most often was that partners have signed up to an agenda that "
            "someone else set, which is partnership rather than collaboration.",
        )
    return _collaboration(
        "cooperation",
        "The answer given most often was that partners work alongside each other towards "
        "their own goals, which is co-operation rather than collaboration.",
    )


def _strong_or_developing(score: float | None, agreement_: str | None) -> CollaborationType:
    said = "The answer given most often was that all partners share the steering"
    needed = f"the {display(STRONG_LEADERSHIP_MIN)} needed for strong collaboration"
    if score is not None and shown(score) >= STRONG_LEADERSHIP_MIN and agreement_ != "polarised":
        how_agreed = {
            "aligned": ", and people largely agree about it",
            "mixed": ", though views vary",
        }
        return _collaboration(
            "strong",
            f"{said}, and shared leadership and power scores {display(score)}, at or above "
            f"{needed}{how_agreed.get(agreement_ or '', '')}.",
        )

    # Say every condition that failed, so the partnership knows all it has to work on.
    failures = []
    if score is None:
        failures.append("there are not enough answers on shared leadership and power to confirm it")
    elif shown(score) < STRONG_LEADERSHIP_MIN:
        failures.append(f"shared leadership and power scores {display(score)}, below {needed}")
    if agreement_ == "polarised":
        failures.append(
            "people are sharply divided about shared leadership and power: "
            "some rate it high and others low"
        )
    return _collaboration("developing", f"{said}, but {', and '.join(failures)}.")


# --- Comparisons --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    change: float | None
    direction: Literal["up", "down"] | None


def shown_change(current: float, previous: float) -> int:
    """A change as the page shows it: the difference of the two scores as shown.

    Pages show last round's score beside this round's (the trend chart, the mark on each
    condition's bar), so the change must be their difference: 52.4 and 61.5 are shown as 52 and
    62, 10 apart, though 61.5 − 52.4 rounds to 9.
    """
    return shown(current) - shown(previous)


def trend(current: float | None, previous: float | None) -> Trend:
    """Change since the previous released cycle; an arrow only for changes that matter, judged
    on the change shown (`shown_change`).

    Scores move by a few points from one cycle to the next just because different people
    answered; an arrow for every wobble would tell partners a story that is not there.
    """
    if current is None or previous is None:
        return Trend(change=None, direction=None)
    change = current - previous
    if shown_change(current, previous) >= TREND_MIN_CHANGE:
        return Trend(change=change, direction="up")
    if shown_change(current, previous) <= -TREND_MIN_CHANGE:
        return Trend(change=change, direction="down")
    return Trend(change=change, direction=None)


@dataclass(frozen=True)
class Benchmark:
    median: float
    q1: float
    q3: float
    n_places: int
    position: Literal["above", "within", "below"] | None


def benchmark(value: float | None, others: Sequence[float]) -> Benchmark | None:
    """Where a place sits against the middle half of other places.

    Needs at least BENCHMARK_MIN_PLACES others: with fewer, the quartiles are too unsteady to
    mean much, and a small comparison group starts to reveal individual places.
    """
    if len(others) < BENCHMARK_MIN_PLACES:
        return None
    q1, median, q3 = statistics.quantiles(others, n=4, method="inclusive")
    position: Literal["above", "within", "below"] | None
    # Judged on the numbers shown, as the words quote them: "within the middle half (56 to 75)".
    if value is None:
        position = None
    elif shown(value) > shown(q3):
        position = "above"
    elif shown(value) < shown(q1):
        position = "below"
    else:
        position = "within"
    return Benchmark(median=median, q1=q1, q3=q3, n_places=len(others), position=position)


def heatmap_gap(scores: Iterable[float | None]) -> float | None:
    """Largest gap between the shown cells of one heatmap row (hidden cells are None)."""
    shown = [score for score in scores if score is not None]
    if len(shown) < 2:
        return None
    return max(shown) - min(shown)


def is_big_gap(gap: float | None) -> bool:
    return gap is not None and shown(gap) >= HEATMAP_GAP_MIN
