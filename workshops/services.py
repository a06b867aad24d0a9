"""Workshop writes that touch several rows or models, each in one transaction.

Every write that belongs to a step checks, inside its transaction, that the workshop is still at
that step: a phone or a projector that is a step behind gets `StepError` with a clear message and
nothing is changed, so nothing is half-done and nothing typed is lost (the view shows it back).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from actions.models import Action
from assessments.models import Condition, Cycle, Statement
from workshops import pairing
from workshops.models import (
    LIFETIME,
    MAX_TOPICS,
    Group,
    Idea,
    Participant,
    Step,
    Theme,
    Vote,
    Workshop,
    bump,
    new_code,
)


class WorkshopError(Exception):
    """A write refused, with the message to show."""


class StepError(WorkshopError):
    pass


class VoteBudgetError(WorkshopError):
    pass


def step_name(step: str) -> str:
    return Step(step).label


def _current(workshop: Workshop) -> Workshop:
    """The workshop as stored now, its row held until the transaction ends where the database
    can (SQLite's IMMEDIATE transactions already serialise writers)."""
    return Workshop.objects.select_for_update().get(pk=workshop.pk)


def _require_step(workshop: Workshop, step: str, doing: str) -> Workshop:
    current = _current(workshop)
    if not current.is_open():
        raise StepError(f"The workshop has ended, so {doing} is no longer possible.")
    if current.step != step:
        raise StepError(
            f"The workshop has moved to the {step_name(current.step)} step, so {doing} was not "
            f"done. It belongs to the {step_name(step)} step."
        )
    return current


# --- Starting and moving -------------------------------------------------------------------


def start_workshop(
    cycle: Cycle,
    user,
    *,
    conditions: Iterable[Condition],
    statements: Iterable[Statement],
    votes_per_participant: int,
    weight_partners_equally: bool,
) -> Workshop:
    conditions, statements = list(conditions), list(statements)
    if not 1 <= len(conditions) + len(statements) <= MAX_TOPICS:
        raise WorkshopError(f"Choose between one and {MAX_TOPICS} topics to focus on.")
    now = timezone.now()
    for _ in range(5):  # a clash of random codes is rare; try again with a new one
        try:
            with transaction.atomic():
                workshop = Workshop.objects.create(
                    place=cycle.place,
                    cycle=cycle,
                    code=new_code(),
                    created_by=user,
                    votes_per_participant=votes_per_participant,
                    weight_partners_equally=weight_partners_equally,
                    expires_at=now + LIFETIME,
                )
        except IntegrityError:
            continue
        workshop.focus_conditions.set(conditions)
        workshop.focus_statements.set(statements)
        return workshop
    raise WorkshopError("Could not make a new code. Please try again.")


@transaction.atomic
def move_to(workshop: Workshop, step: str, *, expected: str) -> None:
    """From step `expected` to the next one, `step`. The Pair step makes the pairs."""
    current = _current(workshop)
    if current.step != expected or current.next_step != step:
        raise StepError(
            f"The workshop is at the {step_name(current.step)} step already (someone moved it "
            "on from another screen), so nothing was changed."
        )
    if step == Step.PAIR:
        _make_pairs(current)
    changes = {"step": step}
    if step == Step.ENDED:
        changes["ended_at"] = timezone.now()
    bump(workshop, **changes)


def _make_pairs(workshop: Workshop) -> None:
    people = list(Participant.objects.filter(workshop=workshop).values_list("pk", "partner_id"))
    groups = pairing.make_groups(people, seed=workshop.pk)
    for number, members in enumerate(groups, start=1):
        group = Group.objects.create(workshop=workshop, number=number)
        Participant.objects.filter(pk__in=members).update(group=group)
        Idea.objects.filter(writer__in=members).update(group=group)


@transaction.atomic
def move_explaining(workshop: Workshop, *, expected: int, to: int) -> None:
    current = _require_step(workshop, Step.EXPLAIN, "moving to another pair")
    if current.explaining != expected:
        raise StepError("Another screen has already moved to another pair; nothing was changed.")
    if not 0 <= to < current.groups.count():
        raise WorkshopError("There is no such pair.")
    bump(workshop, explaining=to)


# --- Joining -------------------------------------------------------------------------------


@transaction.atomic
def join(workshop: Workshop, *, display_name: str, partner) -> Participant:
    current = _current(workshop)
    if not current.is_open():
        raise StepError("The workshop has ended, so nobody can join it now.")
    number = (current.participants.aggregate(n=Max("number"))["n"] or 0) + 1
    participant = Participant.objects.create(
        workshop=current, number=number, display_name=display_name.strip(), partner=partner
    )
    if current.is_past(Step.OWN) and current.groups.exists():
        # Late: into the smallest pair without someone of their organisation.
        groups = {
            g: [m.partner_id for m in g.members.all()]
            for g in current.groups.prefetch_related("members")
        }
        participant.group = pairing.best_group_for(groups, partner.pk if partner else None)
        participant.save(update_fields=["group"])
    return participant


# --- Ideas ---------------------------------------------------------------------------------


@transaction.atomic
def add_idea(participant: Participant, *, step: str, text: str, signed: bool) -> Idea:
    """An idea of the participant's own (Own step) or of their pair (Pair step)."""
    if step not in (Step.OWN, Step.PAIR):
        raise StepError("Ideas are written in the Own and Pair steps only.")
    _require_step(participant.workshop, step, "adding this idea")
    if step == Step.PAIR and participant.group is None:
        raise WorkshopError("You are not in a pair yet: ask the facilitator to add you to one.")
    return Idea.objects.create(
        workshop=participant.workshop,
        writer=participant,
        group=participant.group if step == Step.PAIR else None,
        text=text.strip(),
        signed_name=participant.display_name if signed else "",
    )


@transaction.atomic
def drop_idea(participant: Participant, idea_id: int, *, step: str) -> None:
    """Own step: take back one of your ideas. Pair step: drop a repeat from your pair's list."""
    if step not in (Step.OWN, Step.PAIR):
        raise StepError("Ideas are taken out in the Own and Pair steps only.")
    _require_step(participant.workshop, step, "taking this idea out")
    ideas = (
        Idea.objects.by_writer(participant)
        if step == Step.OWN
        else Idea.objects.for_group(participant.group)
        if participant.group
        else Idea.objects.none()
    )
    if not ideas.filter(pk=idea_id).update(dropped=True):
        raise WorkshopError("That idea is not one you can take out here; nothing was changed.")


# --- Votes ---------------------------------------------------------------------------------


@transaction.atomic
def vote(participant: Participant, idea_id: int) -> None:
    workshop = _require_step(participant.workshop, Step.RANK, "this vote")
    # Held so that two quick taps cannot both see a vote left.
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    idea = Idea.objects.for_workshop(workshop).filter(pk=idea_id).first()
    if idea is None:
        raise WorkshopError("That idea is not in this workshop; nothing was changed.")
    used = Vote.objects.by(participant).count()
    if Vote.objects.by(participant).filter(idea=idea).exists():
        raise WorkshopError("You have already voted for this idea.")
    if used >= workshop.votes_per_participant:
        raise VoteBudgetError(
            f"You have used all {workshop.votes_per_participant} of your votes. To vote for "
            "this idea, take a vote back from another one first."
        )
    Vote.objects.create(participant=participant, idea=idea)


@transaction.atomic
def unvote(participant: Participant, idea_id: int) -> None:
    _require_step(participant.workshop, Step.RANK, "taking this vote back")
    if not Vote.objects.by(participant).filter(idea_id=idea_id).delete()[0]:
        raise WorkshopError("You had not voted for that idea; nothing was changed.")


# --- Arrange -------------------------------------------------------------------------------


@transaction.atomic
def add_theme(workshop: Workshop, name: str) -> Theme:
    current = _require_step(workshop, Step.ARRANGE, "adding this theme")
    name = name.strip()
    if current.themes.filter(name__iexact=name).exists():
        raise WorkshopError(f"There is already a theme called “{name}”.")
    theme = Theme.objects.create(workshop=current, name=name)
    bump(workshop)
    return theme


@transaction.atomic
def set_theme(workshop: Workshop, idea_id: int, theme_id: int | None) -> None:
    current = _require_step(workshop, Step.ARRANGE, "putting this idea in a theme")
    theme = None
    if theme_id is not None:
        theme = current.themes.filter(pk=theme_id).first()
        if theme is None:
            raise WorkshopError("That theme is not in this workshop; nothing was changed.")
    if not Idea.objects.for_workshop(current).filter(pk=idea_id).update(theme=theme):
        raise WorkshopError("That idea is not in this workshop; nothing was changed.")
    bump(workshop)


@transaction.atomic
def make_actions(workshop: Workshop, idea_ids: Iterable[int], user) -> list[Action]:
    """One planned action per chosen idea, linked to the workshop's focus conditions and
    statements and to its round; an idea already turned into an action is not made twice."""
    current = _require_step(workshop, Step.ARRANGE, "making these actions")
    ids = set(idea_ids)
    ideas = list(
        Idea.objects.for_workshop(current)
        .filter(pk__in=ids, action__isnull=True)
        .select_related("theme")
        .order_by("pk")
    )
    if not ideas or len(ideas) != len(ids):
        raise WorkshopError(
            "Choose ideas of this workshop that are not actions yet; nothing was changed."
        )
    conditions = list(current.focus_conditions.all())
    statements = list(current.focus_statements.all())
    made = []
    for idea in ideas:
        description = f"From the workshop on {current.cycle.name}"
        description += f", theme “{idea.theme.name}”." if idea.theme else "."
        action = Action.objects.create(
            place=current.place,
            cycle=current.cycle,
            title=idea.text[:200],
            description=f"{idea.text}\n\n{description}",
            created_by=user,
        )
        action.conditions.set(conditions)
        action.statements.set(statements)
        Idea.objects.filter(pk=idea.pk).update(action=action)
        made.append(action)
    bump(workshop)
    return made
