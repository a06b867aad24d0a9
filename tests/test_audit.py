"""The exact audit of DESIGN §6, checked against brute force worked out here.

The brute force knows nothing of cells, merged columns or echelon forms: for every set of 1..k−1
respondents it asks whether some non-zero combination of the shown figures involves those people
alone, with one column per respondent and its own rank function.
"""

from __future__ import annotations

import random
from collections import defaultdict
from fractions import Fraction
from itertools import combinations

import pytest

from assessments import audit

# --- An independent brute force --------------------------------------------------------------


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [list(row) for row in matrix]
    rank = 0
    for column in range(len(rows[0]) if rows else 0):
        pivot = next((i for i in range(rank, len(rows)) if rows[i][column]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for i in range(len(rows)):
            if i != rank and rows[i][column]:
                factor = rows[i][column] / rows[rank][column]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[rank], strict=True)]
        rank += 1
    return rank


def brute_force_leak(groups: dict, partner_of: dict, k: int) -> tuple | None:
    """A set of 1..k−1 respondents whose answers some combination of the groups' scores, or of
    their shares of answers, involves alone; None if there is none."""
    people = sorted({m for members in groups.values() for m in members})
    balanced, plain = [], []
    for members in groups.values():
        per_partner = defaultdict(int)
        for m in members:
            per_partner[partner_of[m]] += 1
        balanced.append(
            [
                Fraction(1, len(per_partner) * per_partner[partner_of[p]]) if p in members else 0
                for p in people
            ]
        )
        plain.append([Fraction(1, len(members)) if p in members else 0 for p in people])
    for rows in (balanced, plain):
        full = _rank(rows)
        for size in range(1, k):
            for chosen in combinations(range(len(people)), size):
                rest = [[row[j] for j in range(len(people)) if j not in chosen] for row in rows]
                if _rank(rest) < full:
                    return tuple(people[j] for j in chosen)
    return None


# --- Small hand-made cases --------------------------------------------------------------------


def test_two_groups_one_person_apart_describe_that_person():
    # The place (6 people of one partner) and a group of five of them: the difference is one
    # person's score.
    partner_of = dict.fromkeys(range(6), "p")
    groups = {"all": frozenset(range(6)), "five": frozenset(range(5))}
    people, _rows = audit.leak(groups, partner_of, k=3)
    assert people == frozenset({5})
    assert brute_force_leak(groups, partner_of, 3) == (5,)


def test_partner_balancing_can_isolate_a_small_partner():
    # Charity A (3 people) and charity B (1 person) make up a sector; the place also has a
    # council of 4. Place = (council + sector mean of A and B)… every partner counts equally, so
    # place, council and "A alone" shown together give B's score.
    partner_of = {0: "c", 1: "c", 2: "c", 3: "c", 4: "a", 5: "a", 6: "a", 7: "b"}
    groups = {
        "all": frozenset(range(8)),
        "council": frozenset(range(4)),
        "charity a": frozenset({4, 5, 6}),
    }
    people, _rows = audit.leak(groups, partner_of, k=3)
    assert people == frozenset({7})


def test_a_partition_of_large_groups_passes():
    partner_of = {i: i % 3 for i in range(12)}
    groups = {
        "all": frozenset(range(12)),
        "first": frozenset(range(6)),
        "second": frozenset(range(6, 12)),
    }
    assert audit.leak(groups, partner_of, k=5) is None
    assert brute_force_leak(groups, partner_of, 5) is None


def test_hiding_follows_the_order_given_and_keeps_the_place():
    partner_of = dict.fromkeys(range(7), "p")
    groups = {
        ("all", ""): frozenset(range(7)),
        ("role", "six"): frozenset(range(6)),
        ("lead", "six too"): frozenset(range(1, 7)),
    }
    order = {"role": 0, "lead": 1, "all": 9}
    hidden = audit.hide_until_safe(
        groups, partner_of, 3, hide_first=lambda name: (order[name[0]],), keep=[("all", "")]
    )
    # Either group beside the place describes one person; the role group goes first, but the
    # lead group still clashes with the place, so it goes too.
    assert hidden == {("role", "six"), ("lead", "six too")}


# --- Random rounds against brute force --------------------------------------------------------


def _random_groups(rng: random.Random, k: int):
    n = rng.randint(k, 12)
    partner_of = {i: rng.randrange(4) for i in range(n)}
    everyone = frozenset(range(n))
    groups = {("all", 0): everyone}
    for split in range(rng.randint(1, 3)):
        labels = {i: rng.randrange(rng.randint(2, 3)) for i in range(n)}
        for label in set(labels.values()):
            members = frozenset(i for i in range(n) if labels[i] == label)
            if len(members) >= k:
                groups[(f"split{split}", label)] = members
    return groups, partner_of


@pytest.mark.parametrize("seed", range(60))
def test_the_audit_finds_a_leak_exactly_when_brute_force_does(seed):
    rng = random.Random(seed)
    k = rng.choice([3, 4, 5])
    groups, partner_of = _random_groups(rng, k)
    found = audit.leak(groups, partner_of, k)
    expected = brute_force_leak(groups, partner_of, k)
    assert (found is None) == (expected is None), (found, expected)
    if found is not None:
        assert 1 <= len(found[0]) < k


@pytest.mark.parametrize("seed", range(60))
def test_after_hiding_brute_force_finds_no_leak(seed):
    rng = random.Random(1000 + seed)
    k = rng.choice([3, 4, 5])
    groups, partner_of = _random_groups(rng, k)
    hidden = audit.hide_until_safe(
        groups,
        partner_of,
        k,
        hide_first=lambda name: (name == ("all", 0), repr(name)),
        keep=[("all", 0)],
    )
    shown = {name: members for name, members in groups.items() if name not in hidden}
    assert ("all", 0) in shown
    assert brute_force_leak(shown, partner_of, k) is None


def test_the_random_rounds_hold_leaks_to_find():
    # Otherwise the two tests above could pass by never meeting a leak.
    leaking = 0
    for seed in range(60):
        rng = random.Random(seed)
        k = rng.choice([3, 4, 5])
        groups, partner_of = _random_groups(rng, k)
        leaking += brute_force_leak(groups, partner_of, k) is not None
    assert leaking >= 20


# --- The coefficients, the culprit and the order ------------------------------------------------


def test_a_balanced_row_weighs_each_partner_equally():
    # Partner p has 3 members in the group, q has 1: each partner's half is shared among its
    # members, so p's members weigh 1/6 each and q's member 1/2.
    partner_of = {0: "p", 1: "p", 2: "p", 3: "q"}
    cell_of = {m: ("cell", m) for m in partner_of}
    assert audit.balanced_row(range(4), partner_of, cell_of) == {
        ("cell", 0): Fraction(1, 6),
        ("cell", 1): Fraction(1, 6),
        ("cell", 2): Fraction(1, 6),
        ("cell", 3): Fraction(1, 2),
    }


def test_a_plain_row_weighs_each_member_equally():
    cell_of = {m: ("cell", m) for m in range(4)}
    assert audit.plain_row(range(4), cell_of) == {("cell", m): Fraction(1, 4) for m in range(4)}


def test_group_names_of_different_types_are_audited_alike():
    # Names need only be hashable: a string beside tuples, as a caller may pass the place.
    partner_of = dict.fromkeys(range(6), "p")
    groups = {"all": frozenset(range(6)), ("role", 1): frozenset(range(5))}
    people, _rows = audit.leak(groups, partner_of, k=3)
    assert people == frozenset({5})
    hidden = audit.hide_until_safe(
        groups, partner_of, 3, hide_first=lambda name: (name == "all",), keep=["all"]
    )
    assert hidden == {("role", 1)}


def test_of_two_groups_either_of_which_would_do_the_first_in_the_order_goes():
    # X and Y are one person apart; each alone beside the place is safe.
    partner_of = dict.fromkeys(range(10), "p")
    groups = {"all": frozenset(range(10)), "X": frozenset(range(5)), "Y": frozenset(range(4))}
    for first, second in (("X", "Y"), ("Y", "X")):
        order = {first: (0,), second: (1,), "all": (9,)}
        hidden = audit.hide_until_safe(groups, partner_of, 3, order.__getitem__, keep=["all"])
        assert hidden == {first}


def test_the_culprit_is_a_group_whose_hiding_frees_the_people_described():
    # Four people of one partner: the place, three of them, and all four again under another
    # name. Person 3 is described by place − three; hiding "three" frees them (beside the place,
    # the group of all four describes nobody), hiding "four" does not. Names of mixed types.
    partner_of = dict.fromkeys(range(4), "p")
    three, four = ("three", 1), ("four", 1)
    shown = {"all": frozenset(range(4)), three: frozenset(range(3)), four: frozenset(range(4))}
    people = frozenset({3})
    assert audit._culprit(shown, [four, three], people, partner_of, 3) == three
    assert audit._culprit(shown, [three, four], people, partner_of, 3) == three
    rest = {"all": shown["all"], four: shown[four]}
    assert not audit._describes(rest, people, partner_of, 3)
    assert audit._describes({"all": shown["all"], three: shown[three]}, people, partner_of, 3)
    assert not audit._describes(rest, frozenset({9}), partner_of, 3)  # nobody of these shown


def test_when_no_single_group_frees_them_the_first_holding_any_of_them_goes():
    # Person 5 is described by place − A and by place − B: no one group frees them.
    partner_of = dict.fromkeys(range(6), "p")
    shown = {
        "all": frozenset(range(6)),
        "A": frozenset(range(5)),
        "B": frozenset(range(5)),
        "C": frozenset(range(6)),
    }
    people = frozenset({5})
    assert audit._culprit(shown, ["C", "A", "B"], people, partner_of, 3) == "C"
    assert audit._culprit(shown, ["A", "B"], people, partner_of, 3) == "A"
    assert audit._culprit(shown, ["A", "C", "B"], people, partner_of, 3) == "C"


def test_someone_else_described_is_not_these_people_described():
    # Place − five describes person 5; nothing describes person 0 (in a cell of five).
    partner_of = dict.fromkeys(range(6), "p")
    groups = {"all": frozenset(range(6)), "five": frozenset(range(5))}
    assert audit._describes(groups, frozenset({5}), partner_of, 3)
    assert not audit._describes(groups, frozenset({0}), partner_of, 3)


def test_kept_groups_that_give_someone_away_are_an_error():
    partner_of = dict.fromkeys(range(6), "p")
    groups = {"all": frozenset(range(6)), "five": frozenset(range(5))}
    with pytest.raises(ValueError, match=r"^The kept groups alone describe fewer than k people\.$"):
        audit.hide_until_safe(
            groups, partner_of, 3, hide_first=lambda name: (0,), keep=["all", "five"]
        )
