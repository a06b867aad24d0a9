"""Load data for performance work: many places, each with closed cycles full of responses.

`generate()` makes `places` places (slug `load-0001`, …) with six partners each, `cycles` cycles
per place six months apart, and `respondents` submitted responses in every cycle answering every
statement of the default bank; then it builds every cycle's results snapshot with
`results.build_snapshot`, round by round in the order the cycles closed, and releases each round a
fortnight after it closed, so trends and benchmarks see the rounds before them, as in real use.

Responses and answers go in with PostgreSQL's COPY when the database is PostgreSQL (psycopg 3),
and with `bulk_create` in batches anywhere else (SQLite at small sizes, for tests). Values come
from `random.Random(seed)`, so one seed always makes the same answers. Response ids are drawn from
the same generator, so they are random (as submitted responses' are) yet repeatable.

Users: `load-facilitator` facilitates every generated place (the comparison across all of them)
and `load-member-0001`, … is a partner member of each place (its dashboard). They have no usable
password: the benchmark signs them in with `Client.force_login`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from assessments.demo import ROLE_MIX
from assessments.models import (
    Answer,
    Comment,
    Condition,
    Cycle,
    CycleStatus,
    QuestionBank,
    Response,
    SpectrumType,
    Statement,
)
from assessments.results import build_snapshot
from places.models import Membership, Partner, Place, Role, Sector, Size

SLUG_PREFIX = "load-"
FACILITATOR = "load-facilitator"
MEMBER_PREFIX = "load-member-"
CYCLE_MONTHS_APART = 6
CYCLE_WEEKS_OPEN = 4
RELEASED_DAYS_AFTER_CLOSE = 14
PLACES_PER_CHUNK = 50  # places whose responses are generated and written together
BATCH_SIZE = 2000  # rows per INSERT on the portable path
COMMENTS_PER_CYCLE = 2

# (name suffix, sector, size, lead, weight: how many of the respondents tend to come from it)
PARTNERS = [
    ("Council", Sector.LOCAL_AUTHORITY, Size.LARGE, True, 8),
    ("Health and Care Trust", Sector.NHS, Size.LARGE, False, 7),
    ("Police", Sector.PUBLIC, Size.MEDIUM, False, 4),
    ("Voluntary Action", Sector.VOLUNTARY, Size.SMALL, False, 5),
    ("Community Co-operative", Sector.SOCIAL_ENTERPRISE, Size.MICRO, False, 3),
    ("Residents' Forum", Sector.RESIDENTS, Size.MICRO, False, 3),
]
ROLE_LEVELS = ROLE_MIX  # the same mix of roles as the demo places
SPECTRUM = list(SpectrumType.values)
COMMENT_TEXTS = [
    "We meet often, but the real decisions seem to be made elsewhere.",
    "Small groups are listened to far more than they were a year ago.",
    "Shared training has helped front-line staff get to know each other.",
    "We still cannot share basic information between organisations.",
    "The new co-chairs have changed who speaks up in meetings.",
]


class LoadDataExists(Exception):
    """Generated places are already in the database."""


@dataclass
class Timing:
    """Counts and seconds of one generate() run."""

    places: int = 0
    cycles: int = 0
    responses: int = 0
    answers: int = 0
    comments: int = 0
    method: str = ""
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


@dataclass(frozen=True)
class NewResponse:
    """One generated response, ready for insert_responses()."""

    id: uuid.UUID
    cycle_id: int
    partner_id: int
    sector: str
    size: str
    is_lead: bool
    role_level: str
    spectrum_choice: str
    submitted_on: dt.date
    values: list[tuple[int, int | None]]  # (statement id, 1..5 or None for don't know)


def default_bank() -> QuestionBank:
    """Bank v1, on which the figures in docs/PERFORMANCE.md were measured (loading every default
    bank). Moving the benchmark to v2 (47 statements, routing) is a separate, measured change."""
    from assessments.banks import load_bank_v1

    return load_bank_v1()


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- Drawing answers ------------------------------------------------------------------------


def _value(level: float, reverse: bool, rng: random.Random) -> int | None:
    if rng.random() < 0.05:
        return None  # don't know
    value = min(5, max(1, round(1 + level / 25 + rng.gauss(0, 0.7))))
    return 6 - value if reverse else value


def draw_responses(
    cycle_id: int,
    partners: list[tuple[Partner, int]],
    statements: list[tuple[int, bool]],
    count: int,
    level: float,
    submitted_on: dt.date,
    rng: random.Random,
) -> list[NewResponse]:
    """`count` responses to one cycle. `partners` are (partner, weight) pairs; `statements`
    are (statement id, reverse keyed) pairs; `level` is the place's typical score on 0–100."""
    own = [partner for partner, _weight in partners]
    weights = [weight for _partner, weight in partners]
    responses = []
    for _ in range(count):
        respondent_level = level + rng.gauss(0, 8)
        partner = rng.choices(own, weights)[0]
        responses.append(
            NewResponse(
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                cycle_id=cycle_id,
                partner_id=partner.pk,
                **partner.group_attributes(),
                role_level=rng.choice(ROLE_LEVELS),
                spectrum_choice=rng.choice(SPECTRUM),
                submitted_on=submitted_on,
                values=[(pk, _value(respondent_level, reverse, rng)) for pk, reverse in statements],
            )
        )
    return responses


# --- Writing rows ---------------------------------------------------------------------------


def insert_responses(responses: Iterable[NewResponse]) -> tuple[int, int]:
    """Write responses and their answers in bulk. Returns (responses, answers) written."""
    responses = list(responses)
    if is_postgresql():
        return _copy_responses(responses)
    Response.objects.bulk_create(
        (
            Response(
                id=r.id,
                cycle_id=r.cycle_id,
                partner_id=r.partner_id,
                sector=r.sector,
                size=r.size,
                is_lead=r.is_lead,
                role_level=r.role_level,
                spectrum_choice=r.spectrum_choice,
                submitted_on=r.submitted_on,
            )
            for r in responses
        ),
        batch_size=BATCH_SIZE,
    )
    answers = [
        Answer(response_id=r.id, statement_id=statement_id, value=value)
        for r in responses
        for statement_id, value in r.values
    ]
    Answer.objects.bulk_create(answers, batch_size=BATCH_SIZE)
    return len(responses), len(answers)


def _copy_responses(responses: list[NewResponse]) -> tuple[int, int]:
    response_table = Response._meta.db_table
    answer_table = Answer._meta.db_table
    answers = 0
    with connection.cursor() as cursor:
        copy_sql = (
            f"COPY {response_table} (id, cycle_id, partner_id, sector, size, is_lead, "  # noqa: S608
            "role_level, spectrum_choice, submitted_on) FROM STDIN"
        )
        with cursor.copy(copy_sql) as copy:
            for r in responses:
                copy.write_row(
                    (
                        r.id,
                        r.cycle_id,
                        r.partner_id,
                        r.sector,
                        r.size,
                        r.is_lead,
                        r.role_level,
                        r.spectrum_choice,
                        r.submitted_on,
                    )
                )
        copy_sql = f"COPY {answer_table} (response_id, statement_id, value) FROM STDIN"  # noqa: S608
        with cursor.copy(copy_sql) as copy:
            for r in responses:
                for statement_id, value in r.values:
                    copy.write_row((r.id, statement_id, value))
                answers += len(r.values)
    return len(responses), answers


def analyze() -> None:
    """Fresh planner statistics after a bulk load, so the plans are those of real use."""
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# --- The whole data set ---------------------------------------------------------------------


def cycle_dates(round_index: int, rounds: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """Rounds six months apart, the last closing six months before today."""
    closes_on = today - dt.timedelta(
        days=round(365.25 / 12 * CYCLE_MONTHS_APART) * (rounds - round_index)
    )
    return closes_on - dt.timedelta(weeks=CYCLE_WEEKS_OPEN), closes_on


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def clear() -> int:
    """Delete every generated place, its cycles and responses, and the generated users."""
    places = Place.objects.filter(slug__startswith=SLUG_PREFIX)
    count = places.count()
    with transaction.atomic():
        # Cycles first: responses and invitations protect their partners.
        Cycle.objects.filter(place__in=places).delete()
        places.delete()
        get_user_model().objects.filter(username__startswith=SLUG_PREFIX).delete()
    return count


def generate(
    places: int,
    cycles: int,
    respondents: int,
    seed: int,
    *,
    today: dt.date | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> Timing:
    """Generate the data set; see the module docstring. Refuses if generated places exist."""
    if Place.objects.filter(slug__startswith=SLUG_PREFIX).exists():
        raise LoadDataExists("Generated places are already here: clear them first.")
    rng = random.Random(seed)
    today = today or timezone.localdate()
    timing = Timing(method="COPY" if is_postgresql() else "bulk_create")
    bank = default_bank()
    statements = list(
        Statement.objects.for_bank(bank).order_by("pk").values_list("pk", "reverse_keyed")
    )
    conditions = list(Condition.objects.filter(bank=bank).values_list("pk", flat=True))

    started = time.perf_counter()
    place_ids, partners_of = _places_partners_and_people(places)
    timing.seconds["places, partners and people"] = time.perf_counter() - started
    timing.places = len(place_ids)
    progress(f"{len(place_ids)} places with {len(PARTNERS)} partners each")

    levels = {pk: rng.uniform(35, 80) for pk in place_ids}
    insert_seconds = snapshot_seconds = 0.0
    for round_index in range(cycles):
        opens_on, closes_on = cycle_dates(round_index, cycles, today)
        closed_at = timezone.make_aware(dt.datetime.combine(closes_on, dt.time(17)))
        started = time.perf_counter()
        round_cycles = []
        with transaction.atomic():
            for chunk in _chunks(place_ids, PLACES_PER_CHUNK):
                new_cycles = Cycle.objects.bulk_create(
                    Cycle(
                        place_id=place_id,
                        bank=bank,
                        name=f"Round {round_index + 1}",
                        status=CycleStatus.CLOSED,
                        opens_on=opens_on,
                        closes_on=closes_on,
                        opened_at=timezone.make_aware(dt.datetime.combine(opens_on, dt.time(9))),
                        closed_at=closed_at,
                    )
                    for place_id in chunk
                )
                round_cycles += new_cycles
                drawn = []
                for cycle in new_cycles:
                    levels[cycle.place_id] += rng.gauss(2, 4)  # most places improve a little
                    drawn += draw_responses(
                        cycle.pk,
                        partners_of[cycle.place_id],
                        statements,
                        respondents,
                        levels[cycle.place_id],
                        closes_on - dt.timedelta(days=rng.randint(0, 20)),
                        rng,
                    )
                n_responses, n_answers = insert_responses(drawn)
                timing.responses += n_responses
                timing.answers += n_answers
                comments = Comment.objects.bulk_create(
                    Comment(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        cycle_id=cycle.pk,
                        condition_id=rng.choice(conditions),
                        text=rng.choice(COMMENT_TEXTS),
                    )
                    for cycle in new_cycles
                    for _ in range(COMMENTS_PER_CYCLE)
                )
                timing.comments += len(comments)
        analyze()
        timing.cycles += len(round_cycles)
        insert_seconds += time.perf_counter() - started
        progress(
            f"Round {round_index + 1}: {len(round_cycles)} cycles, "
            f"{timing.responses} responses and {timing.answers} answers so far "
            f"({insert_seconds:.1f} s writing)"
        )

        started = time.perf_counter()
        for cycle in Cycle.objects.filter(pk__in=[c.pk for c in round_cycles]).select_related(
            "bank"
        ):
            build_snapshot(cycle)
        # Released a fortnight after closing: the next round's trends and benchmarks see it.
        Cycle.objects.filter(pk__in=[c.pk for c in round_cycles]).update(
            status=CycleStatus.RELEASED,
            released_at=closed_at + dt.timedelta(days=RELEASED_DAYS_AFTER_CLOSE),
        )
        snapshot_seconds += time.perf_counter() - started
        progress(
            f"Round {round_index + 1}: {len(round_cycles)} snapshots built and released "
            f"({snapshot_seconds:.1f} s building snapshots)"
        )
    timing.seconds["responses and answers"] = insert_seconds
    timing.seconds["snapshots"] = snapshot_seconds
    return timing


def partners_for(place: Place, name_prefix: str) -> list[Partner]:
    """The six partners of PARTNERS for a place, unsaved, in PARTNERS' order."""
    return [
        Partner(place=place, name=f"{name_prefix} {suffix}", sector=sector, size=size, is_lead=lead)
        for suffix, sector, size, lead, _weight in PARTNERS
    ]


def _places_partners_and_people(
    count: int,
) -> tuple[list[int], dict[int, list[tuple[Partner, int]]]]:
    """Places, their partners, a facilitator of all of them and one member per place."""
    with transaction.atomic():
        places = Place.objects.bulk_create(
            (
                Place(
                    name=f"Load place {n:04d}",
                    slug=f"{SLUG_PREFIX}{n:04d}",
                    description="Generated for performance measurement.",
                )
                for n in range(1, count + 1)
            ),
            batch_size=BATCH_SIZE,
        )
        partners = Partner.objects.bulk_create(
            (partner for place in places for partner in partners_for(place, place.name)),
            batch_size=BATCH_SIZE,
        )
        User = get_user_model()
        unusable = make_password(None)
        facilitator = User.objects.create(username=FACILITATOR, password=unusable)
        members = User.objects.bulk_create(
            (
                User(username=f"{MEMBER_PREFIX}{n:04d}", password=unusable)
                for n in range(1, count + 1)
            ),
            batch_size=BATCH_SIZE,
        )
        weights = [weight for *_rest, weight in PARTNERS]
        partners_of: dict[int, list[tuple[Partner, int]]] = {}
        for index, place in enumerate(places):
            own = partners[index * len(PARTNERS) : (index + 1) * len(PARTNERS)]
            partners_of[place.pk] = list(zip(own, weights, strict=True))
        Membership.objects.bulk_create(
            [Membership(user=facilitator, place=place, role=Role.FACILITATOR) for place in places]
            + [
                Membership(
                    user=member,
                    place=place,
                    role=Role.MEMBER,
                    partner=partners_of[place.pk][0][0],
                )
                for member, place in zip(members, places, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
    return [place.pk for place in places], partners_of
