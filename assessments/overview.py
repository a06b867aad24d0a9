"""What the home and place pages say about each place: the latest released overall score and its
band, the overall score over the released rounds, and the open round's progress.

Released rounds only, and only the overall index, which the snapshot stores only when every
condition is shown (so never a figure the dashboard hides). The open round's progress is a count
of people who have submitted, for facilitators only (DESIGN §6: participation is theirs).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from assessments import scoring
from assessments.models import Cycle, CycleResult, CycleStatus
from assessments.results_display import BAND_LABELS

# Rounds drawn in the small trend: enough to see a direction, small enough for a phone.
TREND_ROUNDS = 6
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120, 32, 4


@dataclass(frozen=True)
class RoundScore:
    cycle_id: int
    name: str
    score: float | None  # None: this round has no overall score (a condition was hidden)

    @property
    def shown(self) -> str:
        return scoring.display(self.score)

    @property
    def band(self) -> str:
        return BAND_LABELS.get(scoring.band(self.score) or "", "")

    @property
    def band_key(self) -> str:
        return scoring.band(self.score) or ""


@dataclass(frozen=True)
class OpenRound:
    cycle: Cycle
    submitted: int
    invited: int


@dataclass
class PlaceOverview:
    rounds: list[RoundScore] = field(default_factory=list)  # released, oldest first
    open_round: OpenRound | None = None

    @property
    def latest(self) -> RoundScore | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def trend(self) -> list[RoundScore]:
        """The last few released rounds that have an overall score, oldest first."""
        return [r for r in self.rounds if r.score is not None][-TREND_ROUNDS:]

    @property
    def trend_text(self) -> str:
        return " → ".join(r.shown for r in self.trend)

    @property
    def sparkline(self) -> dict | None:
        """Points of a small line over 0–100, or None with fewer than two rounds to join."""
        trend = self.trend
        if len(trend) < 2:
            return None
        step = (SPARK_WIDTH - 2 * SPARK_PAD) / (len(trend) - 1)
        plot = SPARK_HEIGHT - 2 * SPARK_PAD
        points = [
            (
                round(SPARK_PAD + i * step, 1),
                round(SPARK_PAD + (100 - scoring.shown(r.score)) / 100 * plot, 1),
            )
            for i, r in enumerate(trend)
        ]
        return {
            "width": SPARK_WIDTH,
            "height": SPARK_HEIGHT,
            "points": " ".join(f"{x},{y}" for x, y in points),
            "last": points[-1],
        }


def overviews(place_ids: Iterable[int], facilitated: Iterable[int]) -> dict[int, PlaceOverview]:
    """Each place's overview; two queries whatever the number of places or rounds. The open
    round's progress is filled in for the places in `facilitated` only."""
    place_ids, facilitated = list(place_ids), list(facilitated)
    found: dict[int, PlaceOverview] = defaultdict(PlaceOverview)
    released = (
        CycleResult.objects.filter(
            cycle__place_id__in=place_ids, cycle__status=CycleStatus.RELEASED
        )
        .order_by("cycle__closed_at", "cycle__opens_on", "cycle_id")
        .values("cycle_id", "overall_index", place_id=F("cycle__place_id"), name=F("cycle__name"))
    )
    for row in released:
        found[row["place_id"]].rounds.append(
            RoundScore(cycle_id=row["cycle_id"], name=row["name"], score=row["overall_index"])
        )
    if facilitated:
        active = Q(invitations__revoked_at__isnull=True)
        open_rounds = (
            Cycle.objects.filter(place_id__in=facilitated, status=CycleStatus.OPEN)
            .annotate(
                n_invited=Count("invitations", filter=active),
                n_submitted=Count("invitations", filter=active & Q(invitations__submitted=True)),
            )
            .order_by("opens_on", "pk")
        )
        for cycle in open_rounds:
            found[cycle.place_id].open_round = OpenRound(
                cycle=cycle, submitted=cycle.n_submitted, invited=cycle.n_invited
            )
    return {place_id: found[place_id] for place_id in place_ids}
