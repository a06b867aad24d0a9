"""The OPERA workshop (DESIGN §7b): a facilitator runs it on a released round's results; people
join on their phones with a code, no account. Every bit of its state is here, in the database,
so any app server answers any phone alike, and phones follow the facilitator by polling.

Who wrote an idea is stored (so a phone can show its own ideas and its pair's) but never shown:
only `Idea.signed_name`, which the writer chose to add, is.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from actions.models import Action
from assessments.models import Condition, Cycle, Statement
from places.models import Partner, Place

# Letters and digits that cannot be mistaken for each other when read off a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# A code stops working this long after the workshop started, even if nobody ended it.
LIFETIME = dt.timedelta(hours=12)
DEFAULT_VOTES = 3
MAX_TOPICS = 3


class Step(models.TextChoices):
    JOIN = "join", "Joining"
    OWN = "own", "Own"
    PAIR = "pair", "Pair"
    EXPLAIN = "explain", "Explain"
    RANK = "rank", "Rank"
    ARRANGE = "arrange", "Arrange"
    ENDED = "ended", "Ended"


STEP_ORDER = [s.value for s in Step]

# What each step asks of the people in the room, on the projector and on the phones.
STEP_HELP = {
    Step.JOIN: "Join on your phone with the code. You do not need an account.",
    Step.OWN: "On your own and in silence: write down every idea you have. Nobody sees them yet.",
    Step.PAIR: "Meet your partner. Put your ideas together, drop repeats and add better ones.",
    Step.EXPLAIN: "Each pair in turn tells the room about their ideas.",
    Step.RANK: "Vote for the ideas you think would help most.",
    Step.ARRANGE: "The facilitator groups the ideas into themes and turns the best into actions.",
    Step.ENDED: "This workshop has ended. Thank you for taking part.",
}


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper().replace("-", "")[: CODE_LENGTH * 2]


class WorkshopQuerySet(models.QuerySet):
    def for_place(self, place: Place) -> WorkshopQuerySet:
        return self.filter(place=place)

    def for_cycle(self, cycle: Cycle) -> WorkshopQuerySet:
        return self.filter(cycle=cycle).annotate(participant_count=Count("participants"))

    def live(self, now: dt.datetime) -> WorkshopQuerySet:
        return self.exclude(step=Step.ENDED).filter(expires_at__gt=now)


class Workshop(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="workshops")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="workshops")
    code = models.CharField(max_length=CODE_LENGTH, unique=True)
    step = models.CharField(max_length=16, choices=Step.choices, default=Step.JOIN)
    # Goes up whenever what every phone shows changes (a step, the pair explaining, a theme):
    # a phone's poll sends the version it shows and gets "nothing new" while it is current.
    version = models.PositiveIntegerField(default=1)
    explaining = models.PositiveSmallIntegerField(default=0)  # index of the pair explaining
    focus_conditions = models.ManyToManyField(Condition, blank=True, related_name="+")
    focus_statements = models.ManyToManyField(Statement, blank=True, related_name="+")
    votes_per_participant = models.PositiveSmallIntegerField(default=DEFAULT_VOTES)
    weight_partners_equally = models.BooleanField(
        "count every partner organisation equally in the ranking",
        default=False,
        help_text="As the scores do: a large organisation with many people in the room cannot "
        "outvote a small one.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(step__in=Step.values), name="workshop_step_valid"),
            models.CheckConstraint(
                condition=Q(votes_per_participant__gte=1, votes_per_participant__lte=20),
                name="workshop_votes_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Workshop {self.code} on {self.cycle}"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.step != Step.ENDED and (now or timezone.now()) < self.expires_at

    @property
    def next_step(self) -> str | None:
        index = STEP_ORDER.index(self.step)
        return STEP_ORDER[index + 1] if index + 1 < len(STEP_ORDER) else None

    @property
    def step_help(self) -> str:
        return STEP_HELP[self.step]

    def is_past(self, step: str) -> bool:
        return STEP_ORDER.index(self.step) > STEP_ORDER.index(step)

    def topics(self) -> list[tuple[str, str]]:
        """The focus topics: conditions, then statements, each as (name, the bank's guidance on
        what tends to help, or "")."""
        return [(c.name, c.guidance) for c in self.focus_conditions.all()] + [
            (s.text, s.condition.guidance)
            for s in self.focus_statements.select_related("condition")
        ]


class ParticipantQuerySet(models.QuerySet):
    def for_workshop(self, workshop: Workshop) -> ParticipantQuerySet:
        return self.filter(workshop=workshop).select_related("partner")


class Participant(models.Model):
    """One phone in the room: its browser session holds this row's id, so one device is one
    participant and nobody needs an account."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    # "Person 7" for someone who gave no name, so a pair can find each other in the room.
    number = models.PositiveSmallIntegerField()
    display_name = models.CharField("your name", max_length=60, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="your organisation",
    )
    group = models.ForeignKey(
        "Group", on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "number"], name="participant_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.display_name or f"Person {self.number}"


class Group(models.Model):
    """A pair from the Pair step (a three when the room is odd)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["workshop", "number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="group_unique_number"),
        ]

    def __str__(self) -> str:
        return f"Pair {self.number}"


class Theme(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="themes")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["workshop", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "name"], name="theme_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class IdeaQuerySet(models.QuerySet):
    def for_workshop(self, workshop: Workshop) -> IdeaQuerySet:
        return self.filter(workshop=workshop, dropped=False)

    def by_writer(self, participant: Participant) -> IdeaQuerySet:
        return self.filter(writer=participant, dropped=False)

    def for_group(self, group: Group) -> IdeaQuerySet:
        return self.filter(group=group, dropped=False)

    def group_state(self, group: Group) -> str:
        """Changes whenever the pair's list does: a phone in the Pair step re-draws then only."""
        found = self.filter(group=group).aggregate(n=Count("pk"), last=Max("updated_at"))
        last = found["last"].timestamp() if found["last"] else 0
        return f"{found['n']}-{last}"


class Idea(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="ideas")
    # Never shown: it lets the writer's phone list its own ideas, and the app put them in a pair.
    writer = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, related_name="ideas"
    )
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    text = models.CharField(max_length=300)
    # Shown with the idea; empty unless the writer chose to put their name to it.
    signed_name = models.CharField(max_length=60, blank=True)
    dropped = models.BooleanField(default=False)  # merged away in the Pair step
    theme = models.ForeignKey(
        Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="ideas"
    )
    action = models.ForeignKey(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IdeaQuerySet.as_manager()

    class Meta:
        ordering = ["workshop", "pk"]

    def __str__(self) -> str:
        return self.text


class VoteQuerySet(models.QuerySet):
    def by(self, participant: Participant) -> VoteQuerySet:
        return self.filter(participant=participant)


class Vote(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "idea"], name="vote_once_per_idea"),
        ]

    def __str__(self) -> str:
        return f"Vote for {self.idea_id}"


class JoinAttemptQuerySet(models.QuerySet):
    def recent_failures(self, address: str, since: dt.datetime) -> JoinAttemptQuerySet:
        return self.filter(address=address, attempted_at__gte=since)


class JoinAttempt(models.Model):
    """A wrong or expired code typed from an address. Kept in the database, like the sign-in
    throttle's failures, so every app server sees the same count."""

    address = models.GenericIPAddressField()
    attempted_at = models.DateTimeField(auto_now_add=True)

    objects = JoinAttemptQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["address", "attempted_at"], name="join_attempt_lookup")]

    def __str__(self) -> str:
        return f"{self.address} at {self.attempted_at}"


def bump(workshop: Workshop, **changes) -> None:
    """Save `changes` and raise the version every phone compares against, in one UPDATE."""
    Workshop.objects.filter(pk=workshop.pk).update(version=F("version") + 1, **changes)
    workshop.refresh_from_db(fields=["version", "step", "explaining", "ended_at"])
