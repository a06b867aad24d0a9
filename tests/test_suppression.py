"""The confidentiality rules of DESIGN §6: no figure may describe fewer than k people, directly
or by subtracting one shown figure from another."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.suppression import (
    count_band,
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
    with pytest.raises(
        ValueError, match=r"^The groups add up to more than the total, so they cannot split it\.$"
    ):
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


# --- Choosing which of two clashing groups goes --------------------------------------------------


def test_a_pair_allowed_to_differ_on_one_side_only_may_both_show():
    # "role" is "all" less 2 people (one side only): allowed for this pair, so both stay.
    groups = {"all": frozenset(range(10)), "role": frozenset(range(8))}
    allowed = {("role", "all")}

    def one_sided_ok(a, b):
        return (a, b) in allowed

    assert suppress_overlapping(groups, 5, one_sided_ok=one_sided_ok) == set()
    # Not for another pair, nor when the two differ by too few on both sides.
    assert suppress_overlapping(groups, 5, one_sided_ok=lambda a, b: False) == {"role"}
    assert suppress_overlapping(groups, 5, one_sided_ok=lambda a, b: (b, a) in allowed) == {"role"}
    both_sides = {"x": frozenset(range(8)), "y": frozenset(range(2, 10))}
    assert suppress_overlapping(both_sides, 5, one_sided_ok=lambda a, b: True) == {"x"}
    # One person apart on each side is too few on both sides.
    one_each = {"x": frozenset(range(8)), "y": frozenset(range(1, 9))}
    assert suppress_overlapping(one_each, 5, one_sided_ok=lambda a, b: True) == {"x"}
    # Exactly k on the other side is enough for a one-sided pair.
    k_on_one = {"x": frozenset(range(8)), "y": frozenset(range(2, 13))}
    assert suppress_overlapping(k_on_one, 5, one_sided_ok=lambda a, b: True) == set()
    assert suppress_overlapping(k_on_one, 5) == {"x"}


def test_with_an_order_the_first_of_a_clashing_pair_goes_not_the_smaller():
    groups = {
        "all": frozenset(range(20)),
        "lead": frozenset(range(12)),  # the larger of the pair, but first to go
        "sector": frozenset(range(10)),
        "other": frozenset(range(12, 20)),
    }
    order = {"lead": (0,), "sector": (1,), "other": (2,), "all": (9,)}
    assert suppress_overlapping(groups, 5, hide_first=order.__getitem__) == {"lead"}
    # Without an order, the smaller goes.
    assert suppress_overlapping(groups, 5) == {"sector"}
    # Of several clashing pairs, the group first in the order over all of them goes.
    order = {"lead": (1,), "sector": (0,), "other": (2,), "all": (9,)}
    assert suppress_overlapping(groups, 5, hide_first=order.__getitem__) == {"sector"}


def test_with_an_order_the_first_over_all_clashing_pairs_goes():
    # p clashes with q, q with r; p and r are far enough apart. r goes first (the first of the
    # order), which leaves p and q clashing, so q goes too; q first would have settled both.
    groups = {"p": frozenset(range(6)), "q": frozenset(range(8)), "r": frozenset(range(10))}
    order = {"r": (0,), "q": (1,), "p": (2,)}
    assert suppress_overlapping(groups, 3, hide_first=order.__getitem__) == {"r", "q"}


def test_without_an_order_the_largest_of_the_smaller_sides_goes_first():
    # z clashes with b (2 apart), b with c (2 apart); z and c are 4 apart, enough at k = 3.
    # Hiding b, the larger of the two smaller sides, settles both clashes: z and c stay.
    groups = {"z": frozenset(range(6)), "b": frozenset(range(8)), "c": frozenset(range(10))}
    assert suppress_overlapping(groups, 3) == {"b"}


# --- Counts shown as bands -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k", "total", "band"),
    [
        (12, 5, 30, (10, 14)),
        (10, 5, 30, (10, 14)),
        (14, 5, 30, (10, 14)),
        (4, 5, 30, (0, 4)),
        (0, 5, 30, (0, 4)),
        (28, 5, 30, (25, 29)),
        (27, 5, 28, (25, 28)),  # cut at the total
        (30, 5, 30, (30, 30)),  # the total itself is shown as it is
        (7, 3, 20, (6, 8)),
    ],
)
def test_a_count_is_shown_as_the_band_of_k_it_falls_in(n, k, total, band):
    assert count_band(n, k, total) == band


@given(
    k=st.integers(3, 5),
    total=st.integers(3, 40),
    data=st.data(),
)
def test_no_two_bands_pin_a_difference_to_1_to_k_minus_1(k, total, data):
    # Brute force: every count a band could stand for, against every count of another band (or
    # the total): some pair of them differs by 0 or by k or more.
    a = data.draw(st.integers(0, total))
    b = data.draw(st.integers(0, total))
    band_a, band_b = count_band(a, k, total), count_band(b, k, total)
    assert band_a[0] <= a <= band_a[1] and band_b[0] <= b <= band_b[1]
    differences = {
        abs(x - y) for x in range(band_a[0], band_a[1] + 1) for y in range(band_b[0], band_b[1] + 1)
    }
    assert any(d == 0 or d >= k for d in differences)
    if a != total:
        assert band_a[1] - band_a[0] == min(k - 1, total - band_a[0])
