"""The workshop's pure parts: pairing across organisations and the (weighted) ranking."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from workshops import pairing, ranking

people_lists = st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=0, max_size=40)


@given(people_lists, st.integers(0, 1000))
def test_everyone_is_in_exactly_one_pair_or_one_three(orgs, seed):
    people = list(enumerate(orgs))
    groups = pairing.make_groups(people, seed=seed)
    placed = [p for g in groups for p in g]
    assert sorted(placed) == [p for p, _ in people]
    sizes = Counter(len(g) for g in groups)
    if len(people) == 1:
        assert sizes == {1: 1}
    elif people:
        assert set(sizes) <= {2, 3} and sizes[3] == len(people) % 2


@given(people_lists, st.integers(0, 1000))
def test_nobody_meets_their_own_organisation_unless_it_is_over_half_the_room(orgs, seed):
    people = list(enumerate(orgs))
    org_of = dict(people)
    groups = pairing.make_groups(people, seed=seed)
    largest = max(Counter(o for o in orgs if o is not None).values(), default=0)
    same = pairing.same_organisation_pairs(groups, org_of)
    if largest <= len(people) // 2:
        assert same == 0
    else:
        # The surplus of the largest organisation is paired within it, and no more.
        surplus = largest - (len(people) - largest)
        assert same <= surplus // 2 + 1


def test_late_joiner_goes_to_the_smallest_pair_without_their_organisation():
    groups = {"p1": ["a", "b"], "p2": ["a", "c"], "p3": ["b", "c", "d"]}
    assert pairing.best_group_for(groups, "b") == "p2"
    assert pairing.best_group_for(groups, None) == "p1"
    assert pairing.best_group_for({"p1": ["a", "a"]}, "a") == "p1"


def test_plain_ranking_counts_votes_and_keeps_ties_in_order():
    result = ranking.rank(
        ["x", "y", "z"],
        [(1, "y"), (2, "y"), (3, "z")],
        {1: "A", 2: "A", 3: "B"},
        weight_equally=False,
    )
    assert [(r.idea, r.votes, r.weighted) for r in result] == [
        ("y", 2, None),
        ("z", 1, None),
        ("x", 0, None),
    ]


def test_equal_weighting_gives_each_organisation_one_say():
    # Four council voters all pick x; the one charity voter picks y; one voter gave no org.
    votes = [(1, "x"), (2, "x"), (3, "x"), (4, "x"), (5, "y"), (6, "y")]
    orgs = {1: "council", 2: "council", 3: "council", 4: "council", 5: "charity", 6: None}
    result = ranking.rank(["x", "y"], votes, orgs, weight_equally=True)
    assert [r.idea for r in result] == ["y", "x"]
    assert result[0].weighted == 2 / 3 and result[1].weighted == 1 / 3
    assert result[1].votes == 4


def test_no_votes_at_all():
    result = ranking.rank(["x"], [], {}, weight_equally=True)
    assert [(r.idea, r.votes, r.weighted) for r in result] == [("x", 0, 0.0)]
