"""The confidentiality rules of DESIGN §6: no figure may describe fewer than k people, directly
or by subtracting one shown figure from another."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.suppression import (
    is_shown,
    suppress_overlapping,
    suppress_partition,
)


def _remainder(total: int, groups: dict, hidden: set) -> int:
    return total - sum(n for name, n in groups.items() if name not in hidden)


def test_is_shown_needs_at_least_k():
    assert not is_shown(4, 5)
    assert is_shown(5, 5)
    assert not is_shown(2, 3)
    assert is_shown(3, 3)


# --- Partitions ---------------------------------------------------------------------------------


def test_nothing_hidden_when_every_group_is_large_enough():
    assert suppress_partition(20, {"council": 10, "nhs": 5, "charities": 5}, k=5) == set()


def test_primary_suppression_hides_small_groups():
    # b (4) and c (3) are under 5 and hidden; together they leave 7 hidden, which is at least 5,
    # so nobody can be singled out by subtracting a and d from the total.
    groups = {"a": 8, "b": 4, "c": 3, "d": 5}
    hidden = suppress_partition(20, groups, k=5)
    assert hidden == {"b", "c"}
    assert _remainder(20, groups, hidden) == 7


def test_secondary_suppression_hides_the_next_smallest_group():
    # Total 12, k = 5: c (2) is hidden, but 12 − 5 − 5 = 2 would reveal c's two people.
    # The next smallest shown groups are a and b (5 each); a comes first by name.
    # Hidden remainder is then 2 + 5 = 7.
    groups = {"a": 5, "b": 5, "c": 2}
    hidden = suppress_partition(12, groups, k=5)
    assert hidden == {"a", "c"}
    assert _remainder(12, groups, hidden) == 7


def test_secondary_suppression_tie_break_does_not_depend_on_order():
    assert suppress_partition(12, {"c": 2, "b": 5, "a": 5}, k=5) == {"a", "c"}


def test_secondary_suppression_picks_the_smallest_shown_group():
    # Remainder after c is hidden: 20 − 12 − 6 = 2 → hide b (6), not a (12). Remainder 8.
    assert suppress_partition(20, {"a": 12, "b": 6, "c": 2}, k=5) == {"b", "c"}


def test_total_below_k_hides_everything():
    assert suppress_partition(4, {"a": 3, "b": 1}, k=5) == {"a", "b"}
    assert suppress_partition(0, {}, k=5) == set()


def test_empty_groups_are_hidden_and_change_nothing():
    assert suppress_partition(10, {"a": 5, "b": 5, "faith": 0}, k=5) == {"faith"}


def test_people_outside_every_group_count_in_the_remainder():
    # 10 respondents, only 9 of them in a group: after hiding b, 10 − 6 = 4 are unaccounted for,
    # which would describe b's three people plus one, so a is hidden too.
    assert suppress_partition(10, {"a": 6, "b": 3}, k=5) == {"a", "b"}


def test_lower_k_of_3():
    # k = 3: c (2) hidden; remainder 2 → hide a (3, the smallest shown); remainder 5.
    assert suppress_partition(11, {"a": 3, "b": 6, "c": 2}, k=3) == {"a", "c"}


def test_groups_adding_up_to_more_than_the_total_are_an_error():
    with pytest.raises(ValueError, match="The groups add up to more than the total"):
        suppress_partition(5, {"a": 3, "b": 3}, k=3)


@given(
    sizes=st.lists(st.integers(min_value=0, max_value=15), max_size=8),
    unassigned=st.integers(min_value=0, max_value=6),
    k=st.integers(min_value=3, max_value=5),
)
def test_partition_never_leaves_a_small_group_or_remainder(sizes, unassigned, k):
    groups = {f"g{i}": n for i, n in enumerate(sizes)}
    total = sum(sizes) + unassigned
    hidden = suppress_partition(total, groups, k)

    assert hidden <= set(groups)
    if total < k:
        assert hidden == set(groups)
        return
    assert all(n >= k for name, n in groups.items() if name not in hidden)
    remainder = _remainder(total, groups, hidden)
    assert remainder == 0 or remainder >= k


# --- Overlapping groups -------------------------------------------------------------------------


def test_overlapping_groups_differing_by_fewer_than_k_hide_the_smaller():
    # The sector is respondents 1–6, the lead partners 1–8: lead − sector describes 2 people.
    groups = {"council sector": frozenset(range(1, 7)), "lead partners": frozenset(range(1, 9))}
    assert suppress_overlapping(groups, k=5) == {"council sector"}


def test_identical_groups_may_both_show():
    # Differing by 0 reveals nothing new.
    same = frozenset(range(10))
    assert suppress_overlapping({"sector": same, "lead": same}, k=5) == set()


def test_groups_differing_by_at_least_k_on_each_side_may_both_show():
    # {0..9} vs {5..14}: 5 on each side.
    groups = {"a": frozenset(range(10)), "b": frozenset(range(5, 15))}
    assert suppress_overlapping(groups, k=5) == set()


def test_a_small_difference_on_either_side_is_enough_to_hide():
    # {1..10} vs {3..12}: the same size, 2 on each side. The one whose name sorts first goes.
    groups = {"b": frozenset(range(3, 13)), "a": frozenset(range(1, 11))}
    assert suppress_overlapping(groups, k=5) == {"a"}


def test_the_whole_place_stays_and_a_group_of_almost_everyone_is_hidden():
    # Everyone but 2 people in one group: the place minus that group is those 2.
    everyone = frozenset(range(1, 21))
    groups = {
        "all": everyone,
        "front line and managers": frozenset(range(1, 19)),
        "lead partners": frozenset(range(1, 9)),
    }
    assert suppress_overlapping(groups, k=5) == {"front line and managers"}


def test_hiding_the_larger_offender_first_saves_a_smaller_group():
    # x (5) and y (7) differ by 2; y and z differ by 1 (y has person 6, z lacks it).
    # x and z are safe together: x is inside z, and z has 5 more.
    # Hiding y settles both clashes, so x and z can show.
    x = frozenset(range(1, 6))
    y = frozenset(range(1, 8))
    z = frozenset({1, 2, 3, 4, 5, 7, 8, 9, 10, 11})
    assert suppress_overlapping({"x": x, "y": y, "z": z}, k=5) == {"y"}


def test_a_chain_of_near_groups_leaves_only_the_largest():
    # 6 ⊂ 8 ⊂ 10, each 2 apart: with k = 5 only the largest can stay.
    groups = {n: frozenset(range(n)) for n in (6, 8, 10)}
    assert suppress_overlapping(groups, k=5) == {6, 8}


def test_groups_smaller_than_k_are_hidden_too():
    groups = {"tiny": frozenset({1, 2}), "all": frozenset(range(1, 30))}
    assert suppress_overlapping(groups, k=5) == {"tiny"}


@given(
    memberships=st.lists(st.frozensets(st.integers(min_value=0, max_value=14)), max_size=6),
    k=st.integers(min_value=3, max_value=5),
)
def test_no_two_shown_groups_differ_by_fewer_than_k(memberships, k):
    groups = {f"g{i}": members for i, members in enumerate(memberships)}
    hidden = suppress_overlapping(groups, k)
    shown = [groups[name] for name in groups if name not in hidden]

    assert all(len(members) >= k for members in shown)
    for a in shown:
        for b in shown:
            assert len(a - b) == 0 or len(a - b) >= k
