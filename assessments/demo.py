"""Demo cycles and responses that make the dashboard worth looking at.

Three featured places tell three stories — Riverside: the lead partner rates shared leadership high
and everyone else low (weak collaboration); Hillmarsh: improving cycle after cycle; Westbrook:
polarised. Five quieter places give the benchmark its comparison group. Answers are drawn from a
seeded generator, so every run produces the same figures. Riverside also has a round open now,
with invitations nobody has answered yet, so the respondent's pages can be tried too.

Every released round carries its invitations, partner by partner: one marked submitted for each
response, and a few people who were invited and never answered, so that a round's participation
agrees with its results. Like any round's, their names and addresses (at example.org) are erased
once the round was released more than the retention period ago.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from assessments import services, tokens
from assessments.models import (
    Answer,
    Comment,
    Cycle,
    CycleStatus,
    Invitation,
    QuestionBank,
    Response,
    RoleLevel,
    SpectrumType,
    Statement,
)
from places.models import Partner, Place, Sector, Size

CYCLE_DATES = [
    (dt.date(2025, 3, 3), dt.date(2025, 3, 28)),
    (dt.date(2025, 10, 6), dt.date(2025, 10, 31)),
    (dt.date(2026, 5, 5), dt.date(2026, 5, 29)),
]
CYCLE_NAMES = ["Spring 2025", "Autumn 2025", "Spring 2026"]

BACKGROUND_PLACES = [
    ("northmoor", "Northmoor", 62),
    ("saltcombe", "Saltcombe", 71),
    ("kingsley-vale", "Kingsley Vale", 55),
    ("oakridge", "Oakridge", 78),
    ("fenbury", "Fenbury", 48),
]

COMMENTS = {
    "relationships": [
        "People are friendly in meetings, but we rarely talk between them.",
        "Trust has grown since we started meeting in each other's buildings.",
        "Smaller groups still feel like guests rather than partners.",
    ],
    "vision": [
        "I could not explain our shared purpose in one sentence yet.",
        "Families have told us what matters to them and it has changed our plans.",
    ],
    "leadership": [
        "Decisions seem to be made before the meeting starts.",
        "The co-chair arrangement has made a real difference to who gets heard.",
        "Funding decisions still sit with one organisation.",
    ],
    "infrastructure": [
        "Shared training days would help front-line staff get to know each other.",
        "We still cannot share basic information between organisations.",
    ],
}


@dataclass(frozen=True)
class Story:
    """How a place's respondents tend to answer: a base level per cycle, and adjustments."""

    base_by_cycle: tuple[float, float, float]
    lead_leadership_boost: float = 0.0  # lead partners' extra score on leadership
    others_leadership_drop: float = 0.0  # everyone else's lower score on leadership
    polarised: bool = False
    spectrum: tuple[str, ...] = ()


STORIES = {
    "riverside": Story(
        base_by_cycle=(58, 60, 61),
        lead_leadership_boost=22,
        others_leadership_drop=25,
        spectrum=(SpectrumType.WEAK, SpectrumType.WEAK, SpectrumType.PARTNERSHIP),
    ),
    "hillmarsh": Story(
        base_by_cycle=(45, 62, 80),
        spectrum=(SpectrumType.COOPERATION, SpectrumType.PARTNERSHIP, SpectrumType.STRONG),
    ),
    "westbrook": Story(
        base_by_cycle=(55, 57, 56),
        polarised=True,
        spectrum=(SpectrumType.STRONG, SpectrumType.WEAK, SpectrumType.STRONG),
    ),
}

ROLE_MIX = [
    RoleLevel.SENIOR_LEADER,
    RoleLevel.MANAGER,
    RoleLevel.MANAGER,
    RoleLevel.FRONT_LINE,
    RoleLevel.FRONT_LINE,
    RoleLevel.FRONT_LINE,
    RoleLevel.VOLUNTEER,
    RoleLevel.RESIDENT,
]


def _value(level: float, reverse: bool, rng: random.Random) -> int | None:
    if rng.random() < 0.05:
        return None  # don't know
    scale = 1 + level / 25 + rng.gauss(0, 0.6)
    value = min(5, max(1, round(scale)))
    return 6 - value if reverse else value


def _respondent_levels(story: Story, cycle_index: int, partner: Partner, rng: random.Random):
    base = story.base_by_cycle[cycle_index] + rng.gauss(0, 6)
    if story.polarised:
        base = rng.choice([22, 88]) + rng.gauss(0, 5)
    leadership = base
    if partner.is_lead:
        leadership += story.lead_leadership_boost
    else:
        leadership -= story.others_leadership_drop
    return base, leadership


def _make_responses(
    cycle: Cycle, story: Story, cycle_index: int, statements, rng: random.Random
) -> None:
    partners = list(cycle.place.partners.order_by("name"))
    responses, answers = [], []
    for partner in partners:
        count = {Size.LARGE: 11, Size.NATIONAL: 9, Size.MEDIUM: 8, Size.SMALL: 6}.get(
            partner.size, 5
        )
        for _ in range(count):
            base, leadership = _respondent_levels(story, cycle_index, partner, rng)
            spectrum = (
                rng.choice(story.spectrum[max(0, cycle_index - 1) : cycle_index + 1])
                if story.spectrum
                else rng.choice(list(SpectrumType.values))
            )
            response = Response(
                cycle=cycle,
                partner=partner,
                **partner.group_attributes(),
                role_level=rng.choice(ROLE_MIX),
                spectrum_choice=spectrum,
                submitted_on=cycle.opens_on + dt.timedelta(days=rng.randint(0, 20)),
            )
            responses.append(response)
            for statement in statements:
                level = leadership if statement.condition.key == "leadership" else base
                answers.append(
                    Answer(
                        response=response,
                        statement=statement,
                        value=_value(level, statement.reverse_keyed, rng),
                    )
                )
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers, batch_size=2000)
    conditions = {s.condition.key: s.condition for s in statements}
    Comment.objects.bulk_create(
        Comment(cycle=cycle, condition=conditions[key], text=text)
        for key, texts in COMMENTS.items()
        if key in conditions
        for text in rng.sample(texts, k=min(2, len(texts)))
    )


def _close_and_release(cycle: Cycle, opens_on: dt.date, closes_on: dt.date) -> None:
    """Open, close and release the round as if on its own dates: each cycle closed on its
    closing day and was released a fortnight later, so its trend and benchmark see the history
    before it, built once as any round's results are."""
    opened_at = dt.datetime.combine(opens_on, dt.time(9), tzinfo=dt.UTC)
    closed_at = dt.datetime.combine(closes_on, dt.time(17), tzinfo=dt.UTC)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN, opened_at=opened_at)
    cycle.status, cycle.opened_at = CycleStatus.OPEN, opened_at
    services.close_cycle(cycle, at=closed_at)
    services.release_cycle(cycle, at=closed_at + dt.timedelta(days=14))


def _background_place(slug: str, name: str) -> Place:
    place, created = Place.objects.get_or_create(
        slug=slug, defaults={"name": name, "description": "Another partnership using the check."}
    )
    if created:
        Partner.objects.bulk_create(
            [
                Partner(
                    place=place,
                    name=f"{name} Council",
                    sector=Sector.LOCAL_AUTHORITY,
                    size=Size.LARGE,
                    is_lead=True,
                ),
                Partner(place=place, name=f"{name} Health", sector=Sector.NHS, size=Size.LARGE),
                Partner(
                    place=place,
                    name=f"{name} Voluntary Action",
                    sector=Sector.VOLUNTARY,
                    size=Size.SMALL,
                ),
                Partner(
                    place=place, name=f"{name} Residents", sector=Sector.RESIDENTS, size=Size.MICRO
                ),
            ]
        )
    return place


@transaction.atomic
def load_demo_results(bank: QuestionBank, seed: int = 2026) -> int:
    """Create closed, released demo cycles unless they exist. Returns how many were created."""
    rng = random.Random(seed)
    statements = list(Statement.objects.for_bank(bank).select_related("condition").order_by("pk"))
    plans = []  # (place, story, cycle index)
    for slug, story in STORIES.items():
        place = Place.objects.get(slug=slug)
        plans += [(place, story, index) for index in range(len(CYCLE_DATES))]
    for slug, name, level in BACKGROUND_PLACES:
        place = _background_place(slug, name)
        # Released before the featured places' latest cycle closed, so its benchmark has them.
        plans.append((place, Story(base_by_cycle=(level, level, level)), 1))

    created = 0
    # Chronological order, so each cycle's trend and benchmark see the cycles before it.
    for place, story, index in sorted(plans, key=lambda plan: plan[2]):
        opens_on, closes_on = CYCLE_DATES[index]
        cycle, new = Cycle.objects.get_or_create(
            place=place,
            name=CYCLE_NAMES[index],
            defaults={"bank": bank, "opens_on": opens_on, "closes_on": closes_on},
        )
        if new:
            _make_responses(cycle, story, index, statements, rng)
            _close_and_release(cycle, opens_on, closes_on)
            created += 1
        # Also for a round loaded before released rounds had invitations.
        if cycle.status == CycleStatus.RELEASED and not cycle.invitations.exists():
            _invite_as_answered(cycle, random.Random(f"{seed}-{place.slug}-{index}"))
    return created


FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellie", "Farah", "George", "Hana", "Isaac", "Jade",
    "Kwame", "Laura", "Mo", "Nadia", "Owen", "Poppy", "Rahul", "Sofia", "Tariq", "Una",
    "Viktor", "Wendy", "Yusuf", "Zara",
]  # fmt: skip
SURNAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Edwards", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nguyen", "O'Brien", "Patel", "Quinn", "Roberts",
    "Singh", "Taylor", "Usman", "Walker", "Young",
]  # fmt: skip
NEVER_ANSWERED = (0, 2)  # people at each partner who were invited and did not answer


def _invite_as_answered(cycle: Cycle, rng: random.Random) -> None:
    """Invitations for a released round, partner by partner: one submitted for each response
    from that partner, and a few never answered, all emailed when the round opened. Written as
    history, not through services.create_invitations, which would queue emails for them. Names
    and addresses are erased at once if the round was released more than the retention period
    ago, as the daily job would have done."""
    answered = dict(
        Response.objects.filter(cycle=cycle)
        .order_by()
        .values_list("partner_id")
        .annotate(n=Count("pk"))
    )
    people = [f"{first} {last}" for first in FIRST_NAMES for last in SURNAMES]
    rng.shuffle(people)  # 552 names, never two alike in one round
    invitations = []
    for partner in cycle.place.partners.order_by("name"):
        n_answered = answered.get(partner.pk, 0)
        for i in range(n_answered + rng.randint(*NEVER_ANSWERED)):
            name, salt = people.pop(), tokens.new_salt()
            invitations.append(
                Invitation(
                    cycle=cycle,
                    partner=partner,
                    name=name,
                    email=_demo_email(name),
                    token_salt=salt,
                    token_hash=tokens.hash_token(tokens.token_for(salt)),
                    last_sent_at=cycle.opened_at,
                    submitted=i < n_answered,
                )
            )
    Invitation.objects.bulk_create(invitations)
    now = timezone.now()
    Invitation.objects.filter(cycle=cycle).due_for_erasure(now).erase_personal_data(now)


OPEN_CYCLE_NAME = "Current round"
OPEN_CYCLE_DAYS = 28
# One invitee per Riverside partner, in the partners' name order (places/demo.py).
OPEN_CYCLE_INVITEES = [
    "Priya Shah",
    "Tom Walsh",
    "Grace Adeyemi",
    "Marek Nowak",
    "Ruth Evans",
    "Sam Okafor",
    "Lily Chen",
]


def _demo_email(name: str) -> str:
    local = name.lower().replace(" ", ".").replace("'", "")
    return f"{local}@example.org"  # example.org: never a real inbox


@transaction.atomic
def load_demo_open_cycle(bank: QuestionBank) -> Invitation | None:
    """Riverside's open round, with one invitation for someone at each partner and no answers
    yet, so the respondent's journey can be tried from a personal link.

    Returns the invitation whose link load_demo prints: the first not yet answered (None once
    all are). Safe to run twice: a round whose closing date has passed since is given four more
    weeks, so the printed link still opens the questionnaire.
    """
    place = Place.objects.get(slug="riverside")
    today = timezone.localdate()
    closes_on = today + dt.timedelta(days=OPEN_CYCLE_DAYS)
    cycle, new = Cycle.objects.get_or_create(
        place=place,
        name=OPEN_CYCLE_NAME,
        defaults={"bank": bank, "opens_on": today, "closes_on": closes_on},
    )
    if new:
        services.open_cycle(cycle)
        partners = place.partners.order_by("name")
        services.create_invitations(
            cycle,
            [
                services.InviteeLine(name=name, email=_demo_email(name), partner=partner)
                for name, partner in zip(OPEN_CYCLE_INVITEES, partners, strict=False)
            ],
        )
    elif cycle.status == CycleStatus.OPEN and cycle.closes_on < today:
        Cycle.objects.filter(pk=cycle.pk).update(closes_on=closes_on)
    # The first link that can still be answered: whoever tried the first one may have sent it.
    usable = cycle.invitations.filter(submitted=False, revoked_at__isnull=True)
    return usable.select_related("partner", "cycle__place").order_by("pk").first()
