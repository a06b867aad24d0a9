"""What may be shown, worked out from the ground truth by brute force, against what the
confidentiality rules (assessments/suppression.py, assessments/audit.py) hide.

Nothing here uses those modules' helpers to decide what is safe: for a small round every set of
groups that could be shown is tried, and a set is safe when no figure and no difference of shown
figures describes 1..k−1 people — counted person by person, or by an independent rank test over
one column per respondent (tests/test_audit.py's `brute_force_leak`). Each rule is then held to
two things: what it shows is safe, and it hides nothing that need not be hidden.
"""

from __future__ import annotations

from itertools import combinations

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from assessments.audit import hide_until_safe
from assessments.suppression import suppress_overlapping, suppress_partition
from tests.test_audit import brute_force_leak

# --- Partitions: a total split between groups, some people in none -----------------------------


def differences_described(total: int, shown: dict[str, int]) -> set[int]:
    """Every number of people some shown figure, or a difference of shown figures, describes.

    The figures of a partition are the total and its shown groups; any sum of shown groups
    (itself a group of people) can be set against another sum or against the total."""
    described = set()
    names = list(shown)
    for size in range(len(names) + 1):
        for chosen in combinations(names, size):
            inside = sum(shown[name] for name in chosen)
            if chosen:
                described.add(inside)
            described.add(total - inside)
    return described


def partition_is_safe(total: int, groups: dict[str, int], hidden: set[str], k: int) -> bool:
    if total < k:
        return hidden == set(groups)  # nothing of a round below k is shown
    shown = {name: n for name, n in groups.items() if name not in hidden}
    return all(not 0 < n < k for n in differences_described(total, shown))


def fewest_hidden(total: int, groups: dict[str, int], k: int) -> int:
    """The fewest groups any safe choice hides, by trying every choice."""
    names = list(groups)
    for size in range(len(names) + 1):
        for chosen in combinations(names, size):
            if partition_is_safe(total, groups, set(chosen), k):
                return size
    raise AssertionError("hiding every group is always safe")


partitions = st.integers(3, 5).flatmap(
    lambda k: st.tuples(
        st.just(k),
        st.lists(st.integers(0, 3 * k), min_size=4, max_size=8),
        st.integers(0, 2 * k),  # people in none of the groups (no role level given, say)
    )
)


@given(partitions)
@example((5, [5, 5, 5, 5], 0))  # every group exactly k
@example((5, [5, 6, 7, 9], 5))  # a remainder of exactly k: nothing more to hide
@example((5, [2, 3, 6, 7, 8], 0))  # hidden 2 + 3 = k exactly
@example((5, [4, 6, 7, 8, 9, 10], 0))  # a remainder of k − 1: the smallest shown goes
@example((3, [1, 1, 3, 3, 4, 5, 6, 7], 1))  # eight groups, a remainder of exactly k
@example((4, [0, 0, 0, 4, 4, 4], 3))  # empty groups and a remainder of k − 1
@example((5, [1, 1, 1, 1], 0))  # a round below k
def test_a_partition_shows_what_is_safe_and_hides_no_more_than_it_must(case):
    k, sizes, outside = case
    groups = {f"g{i}": n for i, n in enumerate(sizes)}
    total = sum(sizes) + outside
    hidden = suppress_partition(total, groups, k)
    event(f"secondary suppression: {len(hidden) > sum(0 < n < k for n in sizes)}")
    assert partition_is_safe(total, groups, hidden, k), hidden
    # An empty group has no figure to show; of the others, no more are hidden than must be.
    people = {name: n for name, n in groups.items() if n}
    assert set(groups) - set(people) <= hidden
    if total >= k:
        assert len(hidden & set(people)) == fewest_hidden(total, people, k), hidden


@pytest.mark.parametrize(
    ("sizes", "outside", "k", "hidden"),
    [
        # The remainder is exactly k: the small groups' 5 people stand together.
        ([2, 3, 5, 6, 7, 8], 0, 5, {"g0", "g1"}),
        ([5, 6, 7, 8], 5, 5, set()),
        # One short of k: the next-smallest shown group goes too, and only it.
        ([4, 5, 6, 7, 8], 0, 5, {"g0", "g1"}),
        ([5, 6, 7, 8], 4, 5, {"g0"}),
        # Of two as small, the one whose name sorts first.
        ([6, 6, 6, 6], 1, 5, {"g0"}),
        # Seven and eight groups.
        ([3, 3, 3, 3, 3, 3, 2], 0, 3, {"g6", "g0"}),
        ([3, 3, 3, 3, 3, 3, 3, 3], 3, 3, set()),
    ],
)
def test_partition_edges_by_hand(sizes, outside, k, hidden):
    groups = {f"g{i}": n for i, n in enumerate(sizes)}
    total = sum(sizes) + outside
    assert suppress_partition(total, groups, k) == hidden
    assert partition_is_safe(total, groups, hidden, k)


# --- Overlapping groups: every pair of shown groups ---------------------------------------------


def pairs_are_safe(groups: dict[str, frozenset], shown: set[str], k: int) -> bool:
    for name in shown:
        if len(groups[name]) < k:
            return False
    for a, b in combinations(sorted(shown), 2):
        if 0 < len(groups[a] - groups[b]) < k or 0 < len(groups[b] - groups[a]) < k:
            return False
    return True


memberships = st.integers(3, 4).flatmap(
    lambda k: st.tuples(
        st.just(k),
        st.lists(
            st.frozensets(st.integers(0, 11), min_size=0, max_size=12), min_size=1, max_size=6
        ),
    )
)


@given(memberships)
@example((3, [frozenset(range(6)), frozenset(range(5)), frozenset(range(1, 6))]))
@example((3, [frozenset(range(9)), frozenset(range(6)), frozenset(range(3, 9))]))
def test_overlapping_groups_show_what_is_safe_and_nothing_could_come_back(case):
    k, sets = case
    everyone = frozenset().union(*sets)
    groups = {f"g{i}": members for i, members in enumerate(sets)}
    groups["all"] = everyone
    hidden = suppress_overlapping(groups, k)
    shown = set(groups) - hidden
    event(f"a group of k or more hidden: {any(len(groups[name]) >= k for name in hidden)}")
    assert pairs_are_safe(groups, shown, k), hidden
    if len(everyone) >= k:
        assert "all" in shown  # the place, being the largest, stays
    # Nothing hidden that need not be: no hidden group could be shown again beside the rest.
    for name in hidden:
        assert not pairs_are_safe(groups, shown | {name}, k), name


# --- The exact audit: every set of shown groups, every set of 1..k−1 people ---------------------


@st.composite
def rounds(draw):
    """A round of k..14 people: each with a partner (some partners lead), one fine split of them
    into 4 to 8 groups (role levels, say), and the lead partners' people beside it."""
    k = draw(st.integers(3, 4))
    n_groups = draw(st.integers(4, 8))
    n = draw(st.integers(k, 11 if k == 4 else 14))
    partners = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    labels = draw(st.lists(st.integers(0, n_groups - 1), min_size=n, max_size=n))
    leads = draw(st.frozensets(st.integers(0, 4)))
    return k, partners, [labels, [int(p in leads) for p in partners]]


def round_groups(k, partners, splits) -> tuple[dict, dict]:
    n = len(partners)
    partner_of = dict(enumerate(partners))
    groups = {("all", 0): frozenset(range(n))}
    for s, labels in enumerate(splits):
        for label in sorted(set(labels)):
            members = frozenset(i for i in range(n) if labels[i] == label)
            if len(members) >= k:  # the primary rule is not what is tested here
                groups[(f"split{s}", label)] = members
    return groups, partner_of


@settings(max_examples=60, deadline=None)
@given(rounds())
@example((3, [0, 0, 1, 1, 2, 2, 3, 3, 0], [[0, 0, 0, 1, 1, 1, 2, 2, 2]]))
@example((3, [0] * 10, [[0, 0, 0, 1, 1, 1, 2, 2, 2, 3], [0, 1, 2, 3, 4, 5, 6, 7, 7, 7]]))
@example((4, [0, 1, 2, 3] * 2, [[0, 0, 0, 0, 1, 1, 1, 1]]))  # a remainder of exactly k
# Found by this test: the place and all four again describe nobody, so only "three" goes.
@example((3, [0, 0, 0, 0], [[0, 0, 0, 1], [0, 0, 0, 0]]))
# Found by this test: a group hidden for the first leak is needed by none once the second went.
@example((4, [0] * 8 + [1], [[0, 0, 0, 0, 0, 1, 1, 1, 1], [1] * 8 + [0]]))
def test_the_audit_leaves_nothing_to_find_and_hides_nothing_it_need_not(case):
    k, partners, splits = case
    groups, partner_of = round_groups(k, partners, splits)
    hidden = hide_until_safe(
        groups,
        partner_of,
        k,
        hide_first=lambda name: (name == ("all", 0), repr(name)),
        keep=[("all", 0)],
    )
    shown = {name: members for name, members in groups.items() if name not in hidden}
    event(f"groups hidden: {len(hidden)}")
    assert ("all", 0) in shown
    assert brute_force_leak(shown, partner_of, k) is None
    # Nothing hidden that need not be: each hidden group, shown again, would give someone away.
    for name in hidden:
        assert brute_force_leak({**shown, name: groups[name]}, partner_of, k) is not None, name
