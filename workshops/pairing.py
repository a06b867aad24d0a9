"""Pairing people for the Pair step, across organisations where the room allows. Pure Python.

Everyone is listed organisation by organisation, the largest first, and the list is folded in
half: the i-th person meets the (i + n/2)-th. Two people of one organisation then meet only when
that organisation has more than half the room, and then as few times as possible. Someone who
gave no organisation counts as an organisation of their own: they can meet anyone.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Hashable, Sequence


def make_groups(
    people: Sequence[tuple[Hashable, Hashable | None]], seed: int = 0
) -> list[list[Hashable]]:
    """`people` as (person, organisation or None); pairs, with one three when the count is odd.
    One person alone makes a group of one; nobody makes no groups."""
    rng = random.Random(seed)
    by_org: dict[Hashable, list[Hashable]] = defaultdict(list)
    for person, organisation in people:
        by_org[("org", organisation) if organisation is not None else ("alone", person)].append(
            person
        )
    organisations = list(by_org.values())
    for members in organisations:
        rng.shuffle(members)
    rng.shuffle(organisations)
    organisations.sort(key=len, reverse=True)  # stable: ties keep the shuffled order
    ordered = [person for members in organisations for person in members]
    org_of = {person: key for key, members in by_org.items() for person in members}
    n = len(ordered)
    if n < 2:
        return [ordered] if ordered else []
    half = n // 2
    groups = [[ordered[i], ordered[i + half]] for i in range(half)]
    if n % 2:
        spare = ordered[-1]
        # The three: a pair neither of whose people shares the spare person's organisation.
        fits = [g for g in groups if all(org_of[p] != org_of[spare] for p in g)]
        (fits or groups)[0].append(spare)
    return groups


def same_organisation_pairs(groups: Sequence[Sequence[Hashable]], org_of) -> int:
    """How many groups hold two or more people of one (given) organisation."""
    count = 0
    for group in groups:
        orgs = [org_of[p] for p in group if org_of[p] is not None]
        if len(orgs) != len(set(orgs)):
            count += 1
    return count


def best_group_for(
    groups: dict[Hashable, list[Hashable | None]], organisation: Hashable | None
) -> Hashable:
    """For someone who joins after the pairs were made: the smallest group without their
    organisation, or the smallest group. `groups` maps a group to its members' organisations."""

    def fit(group) -> tuple:
        members = groups[group]
        clash = organisation is not None and organisation in members
        return (clash, len(members))

    return min(groups, key=fit)
