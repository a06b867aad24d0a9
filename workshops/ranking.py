"""The Rank step's result. Pure Python.

Each idea's plain score is its number of votes. Weighted equally by partner organisation, as
the health check's scores are (`scoring.balanced_mean`), each organisation's voters share one
equal say: an idea scores the mean, over the organisations that voted, of the votes it got from
that organisation's voters per voter. Voters who gave no organisation count as one group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

NO_ORGANISATION = ("no organisation given",)


@dataclass(frozen=True)
class Ranked:
    idea: Hashable
    votes: int
    weighted: float | None  # None unless weighting by organisation


def rank(
    ideas: Sequence[Hashable],
    votes: Iterable[tuple[Hashable, Hashable]],
    organisation_of: dict[Hashable, Hashable | None],
    *,
    weight_equally: bool,
) -> list[Ranked]:
    """`votes` as (voter, idea); `organisation_of` maps every voter to an organisation or None.
    Highest first; ties keep the order of `ideas`."""
    per_idea: dict[Hashable, int] = defaultdict(int)
    by_org: dict[Hashable, dict[Hashable, int]] = defaultdict(lambda: defaultdict(int))
    voters_in: dict[Hashable, set] = defaultdict(set)
    for voter, idea in votes:
        org = organisation_of.get(voter) or NO_ORGANISATION
        per_idea[idea] += 1
        by_org[org][idea] += 1
        voters_in[org].add(voter)
    weighted: dict[Hashable, float] = {}
    if weight_equally and voters_in:
        for idea in ideas:
            weighted[idea] = sum(
                by_org[org][idea] / len(voters) for org, voters in voters_in.items()
            ) / len(voters_in)
    ranked = [
        Ranked(idea, per_idea[idea], weighted.get(idea, 0.0) if weight_equally else None)
        for idea in ideas
    ]
    order = {idea: i for i, idea in enumerate(ideas)}
    if weight_equally:
        return sorted(ranked, key=lambda r: (-(r.weighted or 0.0), -r.votes, order[r.idea]))
    return sorted(ranked, key=lambda r: (-r.votes, order[r.idea]))
