"""What the projector and the phones show, read in a fixed number of queries per page part.

Ideas are shown with their text and, only when the writer chose to add it, a name: nothing here
reads who wrote an idea into what a page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from workshops import ranking
from workshops.models import Group, Idea, Participant, Step, Vote, Workshop


@dataclass(frozen=True)
class ShownIdea:
    pk: int
    text: str
    signed_name: str
    theme_id: int | None
    has_action: bool


def shown(idea: Idea) -> ShownIdea:
    return ShownIdea(
        idea.pk, idea.text, idea.signed_name, idea.theme_id, idea.action_id is not None
    )


def groups_with_members(workshop: Workshop) -> list[Group]:
    return list(
        Group.objects.filter(workshop=workshop).prefetch_related(
            Prefetch("members", queryset=Participant.objects.select_related("partner"))
        )
    )


def group_ideas(group: Group) -> list[ShownIdea]:
    return [shown(i) for i in Idea.objects.for_group(group)]


def explaining_group(workshop: Workshop) -> tuple[Group | None, list[ShownIdea], int]:
    """The pair explaining now, their ideas, and how many pairs there are."""
    groups = list(Group.objects.filter(workshop=workshop))
    if not groups:
        return None, [], 0
    group = groups[min(workshop.explaining, len(groups) - 1)]
    return group, group_ideas(group), len(groups)


def counts(workshop: Workshop) -> dict:
    """The projector's live figures: people, ideas and votes so far (three small counts, rather
    than one query joining them all, whose rows would multiply)."""
    return {
        "people": Participant.objects.filter(workshop=workshop).count(),
        "ideas": Idea.objects.for_workshop(workshop).count(),
        "votes": Vote.objects.filter(participant__workshop=workshop).count(),
    }


@dataclass(frozen=True)
class RankedIdea:
    idea: ShownIdea
    votes: int
    weighted: str | None  # shown with one decimal, when weighting


def ranked_ideas(workshop: Workshop) -> list[RankedIdea]:
    ideas = {i.pk: shown(i) for i in Idea.objects.for_workshop(workshop)}
    votes = list(
        Vote.objects.filter(idea__in=list(ideas)).values_list(
            "participant_id", "idea_id", "participant__partner_id"
        )
    )
    organisation_of = {voter: org for voter, _, org in votes}
    result = ranking.rank(
        list(ideas),
        [(voter, idea) for voter, idea, _ in votes],
        organisation_of,
        weight_equally=workshop.weight_partners_equally,
    )
    return [
        RankedIdea(
            ideas[r.idea],
            r.votes,
            f"{r.weighted * 100:.0f}" if r.weighted is not None else None,
        )
        for r in result
    ]


def phone_state(workshop: Workshop, participant: Participant) -> str:
    """What a phone's panel depends on. While it is unchanged a poll redraws nothing, so text
    being typed is never wiped; in the Pair step it follows the pair's list too."""
    state = f"{workshop.step}.{workshop.version}"
    if workshop.step == Step.PAIR and participant.group_id:
        state += "." + Idea.objects.group_state(participant.group)
    return state


@dataclass(frozen=True)
class Ballot:
    ideas: list[ShownIdea]
    chosen: set[int]
    left: int


def ballot(workshop: Workshop, participant: Participant) -> Ballot:
    ideas = [shown(i) for i in Idea.objects.for_workshop(workshop)]
    chosen = set(Vote.objects.by(participant).values_list("idea_id", flat=True))
    return Ballot(ideas, chosen, max(0, workshop.votes_per_participant - len(chosen)))
