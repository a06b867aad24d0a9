"""The results snapshot: database aggregation checked against a slow pure-Python reference, and
the confidentiality rules checked on what is stored."""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from assessments import results, scoring, services, suppression
from assessments.models import (
    Answer,
    Cycle,
    CycleResult,
    CycleStatus,
    Response,
    RoleLevel,
    SpectrumType,
    Statement,
)
from assessments.snapshot import Figure, Snapshot, Trend
from places.models import Sector
from tests.factories import (
    NO_ANSWER,
    CommentFactory,
    PartnerFactory,
    PlaceFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
    walk_counts,
)

SIX = ("relationships", "vision", "principles", "behaviours", "infrastructure", "leadership")


def _close(cycle: Cycle) -> CycleResult:
    services.close_cycle(cycle)
    return CycleResult.objects.get(cycle=cycle)


def _release(cycle: Cycle) -> CycleResult:
    result = _close(cycle)
    services.release_cycle(cycle)
    return result


def _condition(data: Snapshot, key: str) -> Figure | None:
    """The whole place's figure on a condition; None when hidden."""
    return data.condition(key).place


def _cells(data: Snapshot, breakdown: str, condition: str) -> dict[str, Figure]:
    found = data.breakdown(breakdown)
    return next(r for r in found.rows if r.condition == condition).cells


def assert_nothing_under_k(result: CycleResult) -> None:
    k = result.data["k"]
    counts = list(walk_counts(result.data))
    small = [(path, n) for path, n in counts if n is not None and n < k]
    assert not small, small


# --- The database expression is the rule --------------------------------------------------------


def test_database_statement_score_is_the_scoring_rule(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2, reverse_keyed={"c0_s1"})
    cycle = open_cycle_for(place_a, bank)
    partner = PartnerFactory(place=place_a)
    for value in range(1, 6):
        add_responses(cycle, partner, values=value)
    rows = (
        Answer.objects.filter(response__cycle=cycle)
        .values("statement__reverse_keyed", "value")
        .annotate(score=Sum(results.statement_score_expression()))
    )
    assert len(rows) == 10
    for row in rows:
        expected = scoring.statement_score(row["value"], row["statement__reverse_keyed"])
        assert row["score"] == expected


# --- Against a slow reference -------------------------------------------------------------------


def _random_place(seed: int, k: int = 3):
    rng = random.Random(seed)
    place = PlaceFactory()
    reverse = {f"{key}_s{rng.randrange(4)}" for key in SIX[:3]}
    bank = make_keyed_bank(SIX[:3] + ("leadership",), n_statements=4, reverse_keyed=reverse)
    cycle = open_cycle_for(place, bank, min_group_size=k)
    sectors = [Sector.LOCAL_AUTHORITY, Sector.NHS, Sector.VOLUNTARY, Sector.FAITH]
    partners = [
        PartnerFactory(place=place, sector=rng.choice(sectors), is_lead=i < 2) for i in range(7)
    ]
    roles = [RoleLevel.SENIOR_LEADER, RoleLevel.MANAGER, RoleLevel.FRONT_LINE]

    def answer(statement, i):
        roll = rng.random()
        if roll < 0.08:
            return NO_ANSWER
        if roll < 0.2:
            return None
        # Some partners are more positive, so groups differ.
        return min(5, max(1, rng.randint(1, 5) + (statement.pk + i) % 2))

    for _ in range(rng.randint(30, 55)):
        add_responses(
            cycle,
            rng.choice(partners),
            values=answer,
            role_level=rng.choice(roles),
            spectrum=rng.choice(list(SpectrumType)),
        )
    return cycle


def _reference(cycle: Cycle) -> dict:
    """Everything worked out answer by answer, the slow way, with no scoring.py."""
    k = cycle.min_group_size
    statements = list(Statement.objects.for_bank(cycle.bank).select_related("condition"))
    n_statements = defaultdict(int)
    for statement in statements:
        n_statements[statement.condition.key] += 1
    responses = {r.pk: r for r in Response.objects.filter(cycle=cycle).select_related("partner")}
    scores_by = defaultdict(lambda: defaultdict(list))  # response -> condition -> [scores]
    statement_scores = defaultdict(lambda: defaultdict(list))  # statement -> partner -> [scores]
    statement_answers = defaultdict(int)
    for answer in Answer.objects.filter(response__cycle=cycle).select_related(
        "statement__condition"
    ):
        statement_answers[answer.statement.key] += 1
        if answer.value is None:
            continue
        if answer.statement.reverse_keyed:
            score = (5 - answer.value) * 25
        else:
            score = (answer.value - 1) * 25
        scores_by[answer.response_id][answer.statement.condition.key].append(score)
        partner = responses[answer.response_id].partner_id
        statement_scores[answer.statement.key][partner].append(score)

    respondent = defaultdict(dict)  # condition -> response -> score
    for pk, by_condition in scores_by.items():
        for key, values in by_condition.items():
            if len(values) * 2 >= n_statements[key]:
                respondent[key][pk] = sum(values) / len(values)

    def balanced(members, key):
        by_partner = defaultdict(list)
        for pk in members:
            by_partner[responses[pk].partner_id].append(respondent[key][pk])
        return statistics.mean(statistics.mean(v) for v in by_partner.values())

    def group_of(dimension, response):
        if dimension == "sector":
            return response.partner.sector
        if dimension == "role_level":
            return response.role_level
        return "lead" if response.partner.is_lead else "other"

    conditions, groups = {}, {}
    for key, members in respondent.items():
        conditions[key] = (balanced(members, key), len(members))
        for dimension in ("sector", "role_level", "lead"):
            split = defaultdict(list)
            for pk in members:
                split[group_of(dimension, responses[pk])].append(pk)
            for name, group in split.items():
                groups[(key, dimension, name)] = (balanced(group, key), len(group))
    statement_means = {
        key: (
            statistics.mean(statistics.mean(v) for v in by_partner.values()),
            sum(len(v) for v in by_partner.values()),
        )
        for key, by_partner in statement_scores.items()
    }
    shown = {key: value for key, value in conditions.items() if value[1] >= k}
    index = (
        statistics.mean(score for score, _n in shown.values())
        if len(shown) == len(n_statements)
        else None
    )
    return {
        "conditions": conditions,
        "groups": groups,
        "statements": statement_means,
        "statement_answers": statement_answers,
        "index": index,
    }


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_snapshot_matches_a_slow_reference(db, seed):
    cycle = _random_place(seed)
    result = _close(cycle)
    data, expected = result.snapshot, _reference(cycle)
    k = cycle.min_group_size

    for key, (score, n) in expected["conditions"].items():
        condition = _condition(data, key)
        if n >= k:
            assert condition.score == pytest.approx(score)
            assert condition.n == n
            assert result.condition_scores[key] == pytest.approx(score)
        else:
            assert condition is None
    if expected["index"] is None:
        assert result.overall_index is None
    else:
        assert result.overall_index == pytest.approx(expected["index"])
        assert data.overall.score == pytest.approx(expected["index"])

    compared = 0
    for breakdown in data.breakdowns:
        if breakdown.key not in ("sector", "role_level", "lead"):
            continue
        for row in breakdown.rows:
            for name, cell in row.cells.items():
                score, n = expected["groups"][(row.condition, breakdown.key, name)]
                assert cell.score == pytest.approx(score)
                assert cell.n == n
                compared += 1
    assert compared > 10  # the random place has enough shown cells to mean something

    for statement in data.statements:
        if statement.n_answered is not None:  # shown only when it reveals no small count
            assert statement.n_answered == expected["statement_answers"][statement.key]
        if statement.mean is not None:
            mean, n = expected["statements"][statement.key]
            assert statement.mean == pytest.approx(mean)
            assert statement.n == n
    assert_nothing_under_k(result)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_shown_groups_follow_the_suppression_rules(db, seed):
    cycle = _random_place(seed, k=5)
    result = _close(cycle)
    responses = {r.pk: r for r in Response.objects.filter(cycle=cycle).select_related("partner")}
    data = result.snapshot
    for breakdown in data.breakdowns:
        for row in breakdown.rows:
            condition = _condition(data, row.condition)
            total = condition.n if condition else 0
            # Partition rule: the hidden remainder of every shown split is 0 or at least k.
            remainder = total - sum(cell.n for cell in row.cells.values())
            assert remainder == 0 or remainder >= 5, (breakdown.key, row)
    assert_nothing_under_k(result)
    assert len(responses) == result.n_responses


# --- The rules, one at a time -------------------------------------------------------------------


def test_half_answered_rule(place_a):
    bank = make_keyed_bank(("c0",), n_statements=4)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    # Half of the statements scored: counts, with its mean of 100.
    add_responses(
        cycle, partner, count=3, values={"c0_s0": 5, "c0_s1": 5, "c0_s2": None, "c0_s3": None}
    )
    # One of four scored (the rest don't know or left out): left out of the condition.
    add_responses(cycle, partner, count=2, values={"c0_s0": 1, "c0_s1": None, "c0_s2": None})
    data = _close(cycle).snapshot
    condition = _condition(data, "c0")
    assert condition.n == 3
    assert condition.score == 100.0
    # 5 answered, 3 counted: showing both would say that 2 people (under k) were left out.
    assert data.condition("c0").n_answered is None
    # Statement c0_s0 still counts every respondent who scored it.
    s0 = data.statement("c0_s0")
    assert s0.n == 5
    assert s0.mean == pytest.approx(60.0)


def test_every_partner_counts_equally(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    big = PartnerFactory(place=place_a, sector=Sector.NHS)
    small = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    add_responses(cycle, big, count=10, values=5)  # 100
    add_responses(cycle, small, count=5, values=2)  # 25
    data = _close(cycle).snapshot
    condition = _condition(data, "c0")
    assert condition.n == 15
    # Balanced: (100 + 25) / 2, not the respondents' mean of 75.
    assert condition.score == pytest.approx(62.5)
    assert condition.band == "developing"
    assert data.statements[0].mean == pytest.approx(62.5)


def test_nothing_under_k_is_stored_even_with_few_responses(place_a):
    bank = make_keyed_bank(SIX, n_statements=3)
    cycle = open_cycle_for(place_a, bank)  # k = 5
    partner = PartnerFactory(place=place_a, is_lead=True)
    add_responses(cycle, partner, count=4, values=4)
    CommentFactory(cycle=cycle, text="Only four of us answered.")
    result = _close(cycle)
    assert result.n_responses == 4
    assert result.condition_scores == {}
    assert result.overall_index is None
    data = result.snapshot
    assert data.enough_responses is False
    assert data.n_responses is None
    assert data.statements == []
    assert data.comments == []
    assert data.spectrum is None
    assert all(c.place is None for c in data.conditions)
    assert all(not row.cells for b in data.breakdowns for row in b.rows)
    assert data.collaboration_type.key == "unknown"
    assert [count for count in walk_counts(result.data) if count[1] is not None] == []


def test_secondary_suppression_hides_the_next_smallest_group(place_a):
    bank = make_keyed_bank(("c0",), n_statements=3)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    nhs = PartnerFactory(place=place_a, sector=Sector.NHS)
    voluntary = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    faith = PartnerFactory(place=place_a, sector=Sector.FAITH)
    add_responses(cycle, nhs, count=6, values=4)
    add_responses(cycle, voluntary, count=6, values=2)
    add_responses(cycle, faith, count=3, values=5)
    data = _close(cycle).snapshot
    cells = _cells(data, "sector", "c0")
    # Faith (3) is under k; showing the place (15), NHS and voluntary would reveal it as the
    # remainder, so the next smallest (NHS, first by name of the two sixes) goes too.
    assert set(cells) == {"voluntary"}
    assert cells["voluntary"].n == 6
    assert _condition(data, "c0").n == 15
    # The columns still list every sector of the place's partners.
    assert [c.key for c in data.breakdown("sector").columns] == ["nhs", "voluntary", "faith"]


def test_overlapping_groups_that_differ_by_a_few_are_hidden(place_a):
    bank = make_keyed_bank(("leadership",), n_statements=3)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    council = PartnerFactory(place=place_a, sector=Sector.LOCAL_AUTHORITY, is_lead=True)
    council_team = PartnerFactory(place=place_a, sector=Sector.LOCAL_AUTHORITY)
    charity = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    add_responses(cycle, council, count=6, values=5)
    add_responses(cycle, council_team, count=2, values=1)
    add_responses(cycle, charity, count=7, values=3)
    data = _close(cycle).snapshot
    sectors = _cells(data, "sector", "leadership")
    leads = _cells(data, "lead", "leadership")
    # Local authority (8) and lead partners (6) differ by the 2 in the council team; voluntary
    # (7) and other partners (9) differ by the same 2. Comparing either pair would describe
    # those two people, so one of each pair is hidden: sectors go before lead and other
    # partners (DESIGN §6), and lead against the rest, on its own, describes nobody in
    # particular, so it stays.
    assert set(sectors) == set()
    assert set(leads) == {"lead", "other"}
    assert data.lead_gap.points == pytest.approx(100.0 - (0.0 + 50.0) / 2)
    members = {
        "local_authority": frozenset(range(8)),
        "other": frozenset([6, 7, *range(8, 15)]),
        "all": frozenset(range(15)),
    }
    assert suppression.suppress_overlapping(members, 5) == set()


def test_lead_gap_and_collaboration_type(place_a):
    bank = make_keyed_bank(("c0", "leadership"), n_statements=3)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    council = PartnerFactory(place=place_a, sector=Sector.LOCAL_AUTHORITY, is_lead=True)
    charity = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)
    add_responses(cycle, council, count=4, values=5, spectrum=SpectrumType.STRONG)
    add_responses(cycle, charity, count=4, values=3, spectrum=SpectrumType.STRONG)
    data = _close(cycle).snapshot
    assert data.lead_gap.points == pytest.approx(50.0)
    assert data.collaboration_type.key == "weak_steered"
    assert "50 points higher" in data.collaboration_type.reasons[0]
    assert any("Lead partners rate shared leadership" in p for p in data.prompts)


def test_spectrum_merges_rare_answers_into_other(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=6, spectrum=SpectrumType.STRONG)
    add_responses(cycle, partner, count=2, spectrum=SpectrumType.WEAK)
    add_responses(cycle, partner, count=1, spectrum=SpectrumType.PARTNERSHIP)
    data = _close(cycle).snapshot
    spectrum = data.spectrum
    assert spectrum.n == 9
    assert data.mode == "strong"
    assert [(c.key, c.n) for c in spectrum.categories] == [("strong", 6)]
    assert spectrum.categories[0].share == pytest.approx(6 / 9)
    # Weak (2) and partnership (1) are each under k; together they are 3, which may be shown.
    assert (spectrum.other.n, spectrum.other.share) == (3, pytest.approx(3 / 9))


def test_spectrum_other_never_reveals_a_small_remainder(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=6, spectrum=SpectrumType.STRONG)
    add_responses(cycle, partner, count=2, spectrum=SpectrumType.WEAK)
    add_responses(cycle, partner, count=1, spectrum=SpectrumType.PARTNERSHIP)
    data = _close(cycle).snapshot
    # The rare answers make only 3 < k, so the strong answers are folded in with them.
    assert data.spectrum.categories == []
    assert data.spectrum.other.n == 9
    # Six people chose "all at the helm": the mode stands, though its bar is hidden (§5).
    assert data.mode == "strong"


def test_comments_only_with_k_responses_and_for_the_whole_place(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    partner = PartnerFactory(place=place_a)
    few = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(few, partner, count=2)
    CommentFactory(cycle=few, text="Too few of us.")
    assert _close(few).snapshot.comments == []

    enough = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(enough, partner, count=3)
    texts = {f"Comment {i}" for i in range(8)}
    for text in texts:
        CommentFactory(cycle=enough, text=text)
    comments = _close(enough).snapshot.comments
    assert {c.text for c in comments} == texts
    assert set(vars(comments[0])) == {"condition", "condition_name", "text"}


def test_comments_are_shuffled_with_system_randomness(place_a, monkeypatch):
    calls = []
    monkeypatch.setattr(
        results.random.SystemRandom, "shuffle", lambda self, items: calls.append(len(items))
    )
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a), count=3)
    CommentFactory(cycle=cycle)
    _close(cycle)
    # Closing rewrites the responses and comments in random order (the answers are shuffled by
    # the database: see the next test), then the snapshot shuffles its comments.
    assert calls == [3, 1, 1]


def _response_contents(cycle) -> list:
    by_response = defaultdict(list)
    for response_id, key, value in Answer.objects.filter(response__cycle=cycle).values_list(
        "response_id", "statement__key", "value"
    ):
        by_response[response_id].append((key, -1 if value is None else value))
    return sorted(
        (r.partner_id, r.role_level, r.spectrum_choice, tuple(sorted(by_response[r.pk])))
        for r in Response.objects.filter(cycle=cycle)
    )


@pytest.mark.parametrize("batch", [500, 2])  # one INSERT, or one per two responses
def test_closing_keeps_each_response_with_its_own_answers_under_new_ids(
    place_a, batch, monkeypatch
):
    monkeypatch.setattr(services, "_COPY_BATCH", batch)
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0", "c1"), n_statements=3), min_group_size=3)
    council, charity = PartnerFactory(place=place_a), PartnerFactory(place=place_a)
    add_responses(
        cycle, council, count=2, values=lambda statement, i: 1 + (statement.order + i) % 5
    )
    add_responses(cycle, charity, values={"c0_s0": None, "c0_s1": 2, "c1_s2": 5})
    add_responses(cycle, charity, role_level=RoleLevel.FRONT_LINE, values=3)
    other = open_cycle_for(place_a, cycle.bank, min_group_size=3)
    add_responses(other, council, count=2, values=2)
    before, other_before = _response_contents(cycle), _response_contents(other)
    old_ids = set(Response.objects.filter(cycle=cycle).values_list("pk", flat=True))
    old_answer_ids = set(Answer.objects.filter(response__cycle=cycle).values_list("pk", flat=True))
    answers = Answer.objects.count()

    _close(cycle)

    assert _response_contents(cycle) == before
    assert _response_contents(other) == other_before  # another cycle's answers are untouched
    assert not old_ids & set(Response.objects.values_list("pk", flat=True))
    assert not old_answer_ids & set(Answer.objects.values_list("pk", flat=True))
    assert Answer.objects.count() == answers == 12 + 3 + 6 + 12


def test_statement_figures_and_dont_know_hot_spots(place_a):
    assert scoring.DONT_KNOW_HOT_SPOT_MIN == 0.2
    bank = make_keyed_bank(("c0",), n_statements=4)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    # s0: 3 of 8 don't know (37.5%, a hot spot; 3 people, so it may be shown); s1: none;
    # s2: 1 of 8: its rate (with the 7 who scored it) would describe one person, so it is hidden.
    add_responses(cycle, partner, count=3, values={"c0_s0": None, "c0_s1": 4, "c0_s2": 4})
    add_responses(cycle, partner, count=4, values={"c0_s0": 4, "c0_s1": 4, "c0_s2": 4})
    add_responses(cycle, partner, count=1, values={"c0_s0": 4, "c0_s1": 4, "c0_s2": None})
    data = _close(cycle).snapshot
    statements = {s.key: s for s in data.statements}
    assert "c0_s3" not in statements  # nobody answered it
    assert statements["c0_s0"].dont_know_rate == pytest.approx(3 / 8)
    assert statements["c0_s0"].n == 5 and statements["c0_s0"].n_answered == 8
    assert statements["c0_s1"].dont_know_rate == 0
    assert statements["c0_s2"].n == 7
    assert statements["c0_s2"].dont_know_rate is None
    assert statements["c0_s2"].n_answered is None
    assert data.highlights.dont_know == ["c0_s0"]


def test_a_statement_few_people_scored_hides_its_counts(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    # s0: 2 scored, 3 don't know. The mean is hidden (2 < k); so are the rate and "answered",
    # which with each other would give the 2.
    add_responses(cycle, partner, count=2, values={"c0_s0": 4, "c0_s1": 4})
    add_responses(cycle, partner, count=3, values={"c0_s0": None, "c0_s1": 4})
    statement = _close(cycle).snapshot.statement("c0_s0")
    assert statement.mean is None
    assert statement.dont_know_rate is None
    assert statement.n_answered is None


def test_prompts_are_written_from_the_weakest_and_most_divided(place_a):
    bank = make_keyed_bank(("c0", "c1"), n_statements=3, reverse_keyed={"c1_s2"})
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)

    def values(statement, i):
        if statement.key == "c0_s1":
            return 1 if i % 2 else 5  # divided
        if statement.key == "c1_s2":
            return 5  # agreeing with a reverse-keyed statement: the weakest score, 0
        return 2 if statement.condition.key == "c1" else 4

    add_responses(cycle, partner, count=6, values=values)
    data = _close(cycle).snapshot
    prompts = data.prompts
    assert 3 <= len(prompts) <= 5
    texts = {s["key"]: s["text"].rstrip(".") for s in bank_statements(bank)}
    assert "“Condition c1” had the lowest score" in prompts[0]
    assert any(texts["c1_s2"] in p and p.startswith("Many people agreed") for p in prompts)
    assert any(texts["c0_s1"] in p and "very differently" in p for p in prompts)
    assert data.highlights.most_divided[0] == "c0_s1"


def bank_statements(bank):
    return list(Statement.objects.for_bank(bank).values("key", "text"))


# --- Trend and benchmark ------------------------------------------------------------------------


def test_trend_matches_conditions_and_statements_by_key_across_bank_versions(place_a):
    v1 = make_keyed_bank(("c0", "c1"), n_statements=3, name="Health check", version=1)
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, v1, min_group_size=3)
    add_responses(first, partner, count=3, values=3)  # 50 everywhere
    _release(first)

    v2 = v1.copy_as_draft()
    # The new version drops one statement and adds another: they have nothing to compare with.
    Statement.objects.filter(condition__bank=v2, key="c0_s2").delete()
    condition = v2.conditions.get(key="c0")
    Statement.objects.create(condition=condition, key="c0_new", text="A new statement.", order=9)
    v2.publish()
    second = open_cycle_for(place_a, v2, min_group_size=3)
    add_responses(second, partner, count=3, values=4)  # 75 everywhere
    result = _close(second)
    data = result.snapshot

    assert (data.previous_cycle.id, data.previous_cycle.name) == (first.pk, first.name)
    assert data.condition("c0").trend == Trend(previous=50.0, change=25.0, direction="up")
    assert result.trends["c1"] == {"change": 25.0, "direction": "up"}
    assert data.overall.trend.change == pytest.approx(25.0)
    assert data.statement("c0_s0").trend.change == 25.0
    assert data.statement("c0_new").trend is None


def test_a_statement_whose_wording_changed_has_no_trend(place_a):
    v1 = make_keyed_bank(("c0",), n_statements=2, name="Health check", version=1)
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, v1, min_group_size=3)
    add_responses(first, partner, count=3, values=3)
    _release(first)
    v2 = v1.copy_as_draft()
    Statement.objects.filter(condition__bank=v2, key="c0_s0").update(text="Reworded.")
    v2.publish()
    second = open_cycle_for(place_a, v2, min_group_size=3)
    add_responses(second, partner, count=3, values=4)
    data = _close(second).snapshot
    assert data.statement("c0_s0").trend is None  # same key, new wording: not comparable
    assert data.statement("c0_s1").trend.change == 25.0
    assert data.condition("c0").trend.change == 25.0  # conditions match by key


def test_trend_ignores_a_previous_cycle_that_was_never_released(place_a):
    bank = make_keyed_bank(("c0",))
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(first, partner, count=3, values=3)
    _close(first)  # closed, never released
    second = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(second, partner, count=3, values=4)
    data = _close(second).snapshot
    assert data.previous_cycle is None
    assert data.condition("c0").trend is None


def _released_place(bank, value: int) -> Cycle:
    place = PlaceFactory()
    cycle = open_cycle_for(place, bank, min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place), count=3, values=value)
    _release(cycle)
    return cycle


def test_benchmark_needs_five_other_places_in_the_window(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    partner = PartnerFactory(place=place_a)
    others = [_released_place(bank, value) for value in (2, 3, 3, 4)]  # 25, 50, 50, 75

    four = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(four, partner, count=3, values=5)
    assert _close(four).snapshot.condition("c0").benchmark is None

    # A fifth place, and a sixth whose release is too old to count.
    others.append(_released_place(bank, 5))
    old = _released_place(bank, 1)
    Cycle.objects.filter(pk=old.pk).update(released_at=timezone.now() - dt.timedelta(days=25 * 31))
    five = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(five, partner, count=3, values=1)
    benchmark = _close(five).snapshot.condition("c0").benchmark
    assert benchmark.places == 5
    assert benchmark.median == pytest.approx(50.0)
    assert (benchmark.q1, benchmark.q3) == (pytest.approx(50.0), pytest.approx(75.0))
    assert benchmark.position == "below"


def test_benchmark_uses_each_places_latest_release_only(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycles = [_released_place(bank, 3) for _ in range(5)]
    # A later, higher release of the first place replaces its earlier one.
    later = open_cycle_for(cycles[0].place, bank, min_group_size=3)
    add_responses(later, PartnerFactory(place=cycles[0].place), count=3, values=5)
    _release(later)
    scores = results._benchmark_scores(_closed_now(place_a, bank))
    expected = [c.result.condition_scores for c in [later, *cycles[1:]]]
    assert sorted(scores, key=str) == sorted(expected, key=str)  # as stored, decoded
    assert all(isinstance(score, float) for found in scores for score in found.values())


def _closed_now(place, bank) -> Cycle:
    cycle = open_cycle_for(place, bank, min_group_size=3)
    cycle.status, cycle.closed_at = CycleStatus.CLOSED, timezone.now()
    return cycle


def test_months_before_handles_short_months():
    moment = dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)
    assert results.months_before(moment, 24) == dt.datetime(2024, 2, 28, 12, tzinfo=dt.UTC)
    leap = dt.datetime(2028, 2, 29, tzinfo=dt.UTC)
    assert results.months_before(leap, 24) == dt.datetime(2026, 2, 28, tzinfo=dt.UTC)
    assert results.months_before(dt.datetime(2026, 3, 31, tzinfo=dt.UTC), 1).day == 28


# --- Building and rebuilding --------------------------------------------------------------------


def test_closing_a_cycle_builds_its_snapshot(place_a):
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a), count=3, values=4)
    services.close_cycle(cycle)
    result = CycleResult.objects.get(cycle=cycle)
    assert result.n_responses == 3
    assert result.condition_scores == {"c0": 75.0}


def test_closing_is_undone_if_the_snapshot_fails(place_a, monkeypatch):
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)

    def broken(cycle):
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "build_snapshot", broken)
    with pytest.raises(RuntimeError, match="^boom$"):
        services.close_cycle(cycle)
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.OPEN
    assert not CycleResult.objects.exists()


def test_no_snapshot_for_a_cycle_without_results(place_a):
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)))
    with pytest.raises(ValueError, match="closed or released"):
        results.build_snapshot(cycle)


def _comparable(data: dict) -> dict:
    return {**data, "comments": sorted(c["text"] for c in data["comments"])}


def test_recompute_results_rebuilds_the_same_figures(place_a):
    cycle = _random_place(7)
    first = _close(cycle)
    CommentFactory(cycle=cycle, text="Kept.")
    call_command("recompute_results", stdout=io.StringIO())
    rebuilt = CycleResult.objects.get(cycle=cycle)
    assert rebuilt.pk != first.pk
    assert rebuilt.condition_scores == first.condition_scores
    assert rebuilt.overall_index == first.overall_index
    expected = _comparable(first.data)
    expected["comments"] = ["Kept."]
    assert _comparable(rebuilt.data) == expected


def test_recompute_results_in_order_refreshes_trends(place_a):
    bank = make_keyed_bank(("c0",))
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(first, partner, count=3, values=3)
    _close(first)
    second = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(second, partner, count=3, values=4)
    _close(second)
    assert second.result.snapshot.condition("c0").trend is None
    # The first is released after the second closed: a rebuild picks it up.
    services.release_cycle(first)
    call_command("recompute_results", stdout=io.StringIO())
    data = CycleResult.objects.get(cycle=second).snapshot
    assert data.condition("c0").trend.change == 25.0


def test_recompute_results_for_one_cycle(place_a, capsys):
    done = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)
    add_responses(done, PartnerFactory(place=place_a), count=3)
    first = _close(done)
    call_command("recompute_results", "--cycle", str(done.pk))
    assert CycleResult.objects.get(cycle=done).pk != first.pk
    assert "Rebuilt 1 snapshot" in capsys.readouterr().out

    still_open = open_cycle_for(place_a, make_keyed_bank(("c0",)))
    with pytest.raises(CommandError, match="not closed"):
        call_command("recompute_results", "--cycle", str(still_open.pk))
    with pytest.raises(CommandError, match="no cycle"):
        call_command("recompute_results", "--cycle", "999999")


def test_a_cycle_closed_without_close_cycle_still_gets_results(place_a):
    # Imported or demo data may set the status directly, with no closing time.
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a), count=3, values=4)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    call_command("recompute_results", stdout=io.StringIO())
    result = CycleResult.objects.get(cycle=cycle)
    assert result.condition_scores == {"c0": 75.0}
    assert result.data["benchmark_window"]["end"].startswith(str(cycle.closes_on))


def test_trends_are_kept_in_their_own_column_for_the_comparison(place_a):
    bank = make_keyed_bank(("c0", "leadership"), n_statements=2)
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(first, partner, count=4, values=2)
    _close(first)
    services.release_cycle(first)
    second = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(second, partner, count=4, values=4)
    result = _close(second)
    assert result.trends == result.snapshot.trends
    assert result.trends  # the second cycle has a previous release to compare with
    [latest] = results.latest_results([place_a.pk])
    assert latest["cycle_id"] == second.pk
    assert latest["trends"] == result.trends


def test_collaboration_type_never_names_a_hidden_spectrum_answer(place_a):
    # k = 5: co-operation 2, partnership 1, weak 1, strong 1. Every answer is hidden ("other" 5),
    # so the most common one, co-operation (2 people), must not be named by the label either.
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    partner = PartnerFactory(place=place_a)
    for spectrum, count in (
        (SpectrumType.COOPERATION, 2),
        (SpectrumType.PARTNERSHIP, 1),
        (SpectrumType.WEAK, 1),
        (SpectrumType.STRONG, 1),
    ):
        add_responses(cycle, partner, count=count, spectrum=spectrum)
    data = _close(cycle).snapshot
    assert data.spectrum.categories == []
    # Two people at most chose any one answer: fewer than k, so there is no mode (§5).
    assert data.mode is None
    assert data.collaboration_type.key == "unknown"


def test_a_mode_chosen_by_k_people_stands_when_the_bars_are_hidden(place_a):
    # k = 5: six chose "all at the helm" and three "on one organisation's boat". The three
    # are too few to show; showing the six would give them away as the rest, so every bar is
    # hidden — but at least k people chose the mode, so the type is still worked out.
    bank = make_keyed_bank(("c0", "leadership"), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=6, values=5, spectrum=SpectrumType.STRONG)
    add_responses(cycle, partner, count=3, values=5, spectrum=SpectrumType.WEAK)
    data = _close(cycle).snapshot
    assert data.spectrum.categories == []
    assert data.mode == "strong"
    assert data.collaboration_type.key == "strong"


def test_release_publishes_the_snapshot_reviewed_at_close(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    partner = PartnerFactory(place=place_a)
    first = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(first, partner, count=4, values=2)
    _close(first)  # closed, not yet released
    second = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(second, partner, count=4, values=4)
    reviewed = _close(second)
    assert reviewed.snapshot.previous_cycle is None  # nothing released to compare with
    services.release_cycle(first)
    services.release_cycle(second)
    published = CycleResult.objects.get(cycle=second)
    # The very row the facilitator reviewed: no second version for anyone to set against it.
    assert published.pk == reviewed.pk
    assert published.data == reviewed.data


def test_released_results_are_never_rebuilt(place_a):
    cycle = open_cycle_for(place_a, make_keyed_bank(("c0",)), min_group_size=3)
    add_responses(cycle, PartnerFactory(place=place_a), count=3)
    _close(cycle)
    services.release_cycle(cycle)
    released = CycleResult.objects.get(cycle=cycle).pk
    out = io.StringIO()
    call_command("recompute_results", stdout=out)
    assert "Rebuilt 0 snapshot(s)." in out.getvalue()
    assert CycleResult.objects.get(cycle=cycle).pk == released
    with pytest.raises(CommandError, match=f"Cycle {cycle.pk} is released: its results are frozen"):
        call_command("recompute_results", "--cycle", str(cycle.pk))
    with pytest.raises(results.ReleasedResultsAreFrozen, match="only the results of a closed"):
        results.rebuild_snapshot(cycle)
    assert CycleResult.objects.get(cycle=cycle).pk == released
