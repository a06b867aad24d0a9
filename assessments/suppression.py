"""The confidentiality rules of DESIGN §6, as pure functions over group sizes.

k is the cycle's minimum group size: no figure may describe fewer than k respondents. Hiding each
small figure is not enough on its own, because an onlooker can subtract one shown figure from
another and so learn about the people in the difference. The rules below close those gaps.

Order of use: for each partition (the sectors of a place, its role levels, …) apply
`suppress_partition`; then pass every group still shown, with its members, to
`suppress_overlapping`. These are the cheap first pass; the exact audit (`audit.py`) then
checks every combination of the figures left. Hiding more groups at a later step never reopens
the first: a hidden group had at least k members, so it adds at least k to its partition's
hidden remainder.
"""

from collections.abc import Callable, Hashable, Mapping


def is_shown(n_contributors: int, k: int) -> bool:
    """Primary rule: a figure is shown only if at least k respondents went into it."""
    return n_contributors >= k


def _order(name: Hashable) -> str:
    # Group names may be of any hashable type; comparing their text gives one fixed order, so
    # the same figures always hide the same groups.
    return str(name)


def suppress_partition(total: int, groups: Mapping[Hashable, int], k: int) -> set[Hashable]:
    """Names of the groups to hide, when `groups` split `total` between them.

    Primary suppression hides every group with fewer than k respondents (and empty groups,
    which have no figure). That is not enough: if the total and all but one small group are
    shown, the small group is the total minus the rest. So while the hidden remainder (the
    total minus the shown groups) is between 1 and k − 1, the next-smallest shown group is
    hidden too, until the remainder is 0 or at least k.
    """
    if sum(groups.values()) > total:
        raise ValueError("The groups add up to more than the total, so they cannot split it.")
    if not is_shown(total, k):
        return set(groups)

    hidden = {name for name, n in groups.items() if not is_shown(n, k)}
    shown = sorted(
        (name for name in groups if name not in hidden),
        key=lambda name: (groups[name], _order(name)),
    )
    remainder = total - sum(groups[name] for name in shown)
    # One more group is always enough, as it holds at least k; the loop just states the rule.
    while 0 < remainder < k and shown:
        smallest = shown.pop(0)
        hidden.add(smallest)
        remainder += groups[smallest]
    return hidden


def suppress_overlapping(
    groups: Mapping[Hashable, frozenset],
    k: int,
    one_sided_ok: Callable[[Hashable, Hashable], bool] | None = None,
    hide_first: Callable[[Hashable], tuple] | None = None,
) -> set[Hashable]:
    """Names of the groups to hide so that no two shown groups differ by 1 to k − 1 people.

    Groups from different partitions overlap (a sector and "lead partners", say). If they differ
    by only a few respondents, comparing the two figures describes those few people. For each
    such pair the smaller group is hidden (of two the same size, the one whose name sorts first),
    until no such pair is left. Pass the whole place too (under any key, e.g. "all"): a group
    that is the place minus a few people is then hidden, while the place, being the larger,
    stays.

    `one_sided_ok(a, b)` names pairs that may differ by fewer than k on one side only, because
    a later, exact check decides about them (DESIGN §6: a role-lens group beside a partner-level
    group). With `hide_first` (a sort key, lowest first), the group of a clashing pair that sorts
    first is the one to go, rather than the smaller. Groups with fewer than k members are hidden
    as well, in case a caller passes one.
    """

    def size_then_name(name: Hashable) -> tuple[int, str]:
        return len(groups[name]), _order(name)

    hidden = {name for name, members in groups.items() if not is_shown(len(members), k)}
    while True:
        shown = sorted((name for name in groups if name not in hidden), key=size_then_name)
        clashes = [
            (smaller, larger)
            for i, smaller in enumerate(shown)
            for larger in shown[i + 1 :]
            if _differ_by_too_few(groups[smaller], groups[larger], k)
            and not (
                one_sided_ok is not None
                and one_sided_ok(smaller, larger)
                and _one_side_only(groups[smaller], groups[larger], k)
            )
        ]
        if not clashes:
            return hidden
        # Hide one group at a time, then look again: groups that clashed only with it can then
        # stay, so fewer figures are lost.
        if hide_first is None:
            hidden.add(max((smaller for smaller, _ in clashes), key=size_then_name))
        else:
            hidden.add(min((min(pair, key=hide_first) for pair in clashes), key=hide_first))


def _differ_by_too_few(a: frozenset, b: frozenset, k: int) -> bool:
    return 0 < len(a - b) < k or 0 < len(b - a) < k


def _one_side_only(a: frozenset, b: frozenset, k: int) -> bool:
    """Too few on one side, but 0 or at least k on the other."""
    return not (0 < len(a - b) < k and 0 < len(b - a) < k)


def count_band(n: int, k: int, total: int) -> tuple[int, int]:
    """The range a count of people or answers is shown as (DESIGN §6, counts).

    Two counts shown side by side can be subtracted: "8 people answered" beside a statement's
    "7 scored it" says that one person said "don't know". So every count but the place's total
    is shown as the band of k values it falls in (10–14 for 12 at k = 5), cut at the total.
    Set against the total or against any other band, a band leaves a range of differences that
    always holds 0 or a number of at least k, never only 1..k − 1. A count equal to the total is
    shown as it is: the total is shown anyway.
    """
    if n == total:
        return n, n
    low = n - n % k
    return low, min(low + k - 1, total)
