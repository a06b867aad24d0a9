"""Routed statements in the results (issue 20, DESIGN §5): not asked is not a don't-know and not
in the half-answered rule's denominator; group gaps and the type use statements asked of
everyone; each routed statement says how many people it went to, as a band (§6)."""

from __future__ import annotations

import pytest

from assessments import results, services
from assessments.models import Answer, CycleResult, Response, SpectrumType, Statement
from places.models import Sector
from tests.factories import (
    NO_ANSWER,
    PartnerFactory,
    add_responses,
    make_routed_bank,
    open_cycle_for,
    walk_counts,
)

pytestmark = pytest.mark.django_db


def _close(cycle) -> CycleResult:
    services.close_cycle(cycle)
    return CycleResult.objects.get(cycle=cycle)


def test_not_asked_is_not_in_the_half_answered_denominator(place_a):
    bank = make_routed_bank(("c0",), n_everyone=4, n_routed=4)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    two_of_four = {"c0_s0": 5, "c0_s1": 5, "c0_s2": None, "c0_s3": None}
    # Not in meetings: 2 scored of the 4 they were asked is half, so they count.
    add_responses(cycle, partner, count=3, values=two_of_four, in_meetings=False)
    # In meetings: 2 scored of the 8 they were asked is under half, so they do not.
    add_responses(cycle, partner, count=3, values=two_of_four | {"c0_s4": None}, in_meetings=True)
    data = _close(cycle).snapshot
    figure = data.condition("c0").place
    assert figure.n == 3
    assert figure.score == pytest.approx(100.0)


def test_routed_answers_from_people_not_asked_count_for_nothing(place_a):
    bank = make_routed_bank(("c0",), n_everyone=4, n_routed=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=3, values=4, in_meetings=False)
    # A routed answer stored for someone not asked (never by submitting): left out entirely.
    routed = Statement.objects.get(key="c0_s5")
    for response in Response.objects.all():
        Answer.objects.create(response=response, statement=routed, value=1)
    data = _close(cycle).snapshot
    assert data.condition("c0").place.score == pytest.approx(75.0)
    assert data.statement("c0_s5") is None  # nobody was asked it
    assert data.condition("c0").dont_know_rate == 0


def test_people_not_in_meetings_are_not_dont_knows_on_routed_statements(place_a):
    bank = make_routed_bank(("c0",), n_everyone=4, n_routed=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=4, values=4, in_meetings=True)
    add_responses(cycle, partner, count=4, values=2, in_meetings=False)
    data = _close(cycle).snapshot
    routed = data.statement("c0_s4")
    assert routed.routed and routed.n_answered == 4 and routed.dont_know_rate == 0
    assert routed.mean == pytest.approx(75.0)
    assert routed.n_asked == 4
    assert not data.statement("c0_s0").routed and data.statement("c0_s0").n_asked is None
    assert data.routing


def test_how_many_a_routed_statement_went_to_is_not_stored_under_k(place_a):
    bank = make_routed_bank(("c0",), n_everyone=4, n_routed=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=5)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=2, values=4, in_meetings=True)
    add_responses(cycle, partner, count=6, values=4, in_meetings=False)
    result = _close(cycle)
    assert result.snapshot.statement("c0_s4") is None
    small = [(path, n) for path, n in walk_counts(result.data) if n is not None and n < 5]
    assert not small


def test_lead_gap_and_type_use_only_statements_asked_of_everyone(place_a):
    bank = make_routed_bank(("c0", "leadership"), n_everyone=4, n_routed=4)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    council = PartnerFactory(place=place_a, sector=Sector.LOCAL_AUTHORITY, is_lead=True)
    charity = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY)

    def lead_values(statement, i):
        return 5 if statement.routed else 4  # in meetings, and glowing about them

    add_responses(
        cycle, council, count=4, values=lead_values, in_meetings=True, spectrum=SpectrumType.STRONG
    )
    add_responses(
        cycle, charity, count=4, values=4, in_meetings=False, spectrum=SpectrumType.STRONG
    )
    data = _close(cycle).snapshot
    # On every statement they were asked, the leads score 87.5 and the others 75 …
    lead_cells = next(r for r in data.breakdown("lead").rows if r.condition == "leadership").cells
    assert lead_cells["lead"].score == pytest.approx(87.5)
    assert lead_cells["other"].score == pytest.approx(75.0)
    # … but on the statements asked of everyone they agree: no gap, and the type's leadership
    # score (75) is the everyone-statements one, not the place's 81.25.
    assert data.lead_gap.points == pytest.approx(0.0)
    assert data.condition("leadership").place.score == pytest.approx(81.25)
    assert data.collaboration_type.key == "strong"
    assert "scores 75" in data.collaboration_type.reasons[0]
    assert results.ROUTING_NOTE in data.collaboration_type.reasons


def test_where_we_need_to_be_is_reported_beside_where_we_are(place_a):
    bank = make_routed_bank(("c0",))
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=5, spectrum="weak", target="strong")
    add_responses(cycle, partner, count=2, spectrum="partnership", target="strong")
    data = _close(cycle).snapshot
    assert data.mode == "weak" and data.target_mode == "strong"
    assert [(c.key, c.n) for c in data.target_spectrum.categories] == [("strong", 7)]


def test_no_answer_marker_still_works_with_routing(place_a):
    bank = make_routed_bank(("c0",), n_everyone=4, n_routed=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a)
    add_responses(cycle, partner, count=3, values={"c0_s0": 4, "c0_s1": NO_ANSWER})
    assert Answer.objects.count() == 3
