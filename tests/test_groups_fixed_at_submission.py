"""The groups a response counts in are fixed when it is submitted (DESIGN §6, issue 15).

The attack: a facilitator reads a closed round's results, moves a small partner to another sector
(or makes it a lead partner), releases, and reads the results again. Because every organisation
counts equally, the difference between the two versions of a group's score would be the moved
partner's own score — with one respondent there, one person's answers. These tests perform it
through the pages and show that both readings are the same.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import services
from assessments.models import CycleResult, CycleStatus, DraftResponse, Response, RoleLevel
from places.models import Sector, Size
from tests.factories import (
    InvitationFactory,
    PartnerFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_with_a_lone_respondent(place_a, partner_a):
    """k = 3. "Voluntary & community": Charity One (3 people) and Charity Two (1 person)."""
    bank = make_keyed_bank(("c0", "leadership"), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner_a.sector, partner_a.size = Sector.LOCAL_AUTHORITY, Size.LARGE
    partner_a.save()
    nhs = PartnerFactory(place=place_a, name="Ashford Health", sector=Sector.NHS)
    charity_one = PartnerFactory(place=place_a, name="Charity One", sector=Sector.VOLUNTARY)
    charity_two = PartnerFactory(
        place=place_a, name="Charity Two", sector=Sector.VOLUNTARY, size=Size.MICRO
    )
    add_responses(cycle, partner_a, count=3, values=lambda s, i: 3 + i % 2)
    add_responses(cycle, nhs, count=3, values=lambda s, i: 2 + i % 3)
    add_responses(cycle, charity_one, count=3, values=lambda s, i: 4 - i % 2)
    add_responses(cycle, charity_two, count=1, values=1, role_level=RoleLevel.VOLUNTEER)
    services.close_cycle(cycle)
    return cycle, charity_two


def _csv(client, cycle) -> str:
    url = reverse("dashboard_csv", args=[cycle.place.slug, cycle.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _dashboard(client, cycle) -> str:
    """The report itself: the page's <main>, which holds every figure (and no CSRF token)."""
    response = client.get(reverse("dashboard", args=[cycle.place.slug, cycle.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def _sector_rows(csv_text: str, sector_label: str) -> list[str]:
    return [line for line in csv_text.splitlines() if f",{sector_label}," in line]


def test_moving_a_partner_between_close_and_release_changes_no_figure(
    client, facilitator_a, round_with_a_lone_respondent
):
    cycle, charity_two = round_with_a_lone_respondent
    client.force_login(facilitator_a)
    before = _csv(client, cycle)
    # The voluntary sector's figures are shown (4 people), so there is something to compare.
    assert _sector_rows(before, "Voluntary & community")

    edit = reverse("partner_edit", args=[cycle.place.slug, charity_two.pk])
    moved = client.post(
        edit, {"name": "Charity Two", "sector": Sector.FAITH, "size": Size.LARGE, "is_lead": "on"}
    )
    assert moved.status_code == 302
    charity_two.refresh_from_db()
    assert (charity_two.sector, charity_two.is_lead) == (Sector.FAITH, True)

    released = client.post(reverse("cycle_release", args=[cycle.place.slug, cycle.pk]))
    assert released.status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RELEASED

    after = _csv(client, cycle)
    # Same export, figure for figure: 2 × before − after gives nothing but the same score.
    assert after == before
    assert _sector_rows(after, "Voluntary & community") == _sector_rows(
        before, "Voluntary & community"
    )
    assert "Faith group" not in after


def test_recompute_before_release_uses_the_groups_stored_at_submission(
    facilitator_a, round_with_a_lone_respondent
):
    cycle, charity_two = round_with_a_lone_respondent
    reviewed = CycleResult.objects.get(cycle=cycle)
    charity_two.sector, charity_two.is_lead, charity_two.size = Sector.FAITH, True, Size.LARGE
    charity_two.save()
    call_command("recompute_results", "--cycle", str(cycle.pk), stdout=io.StringIO())
    rebuilt = CycleResult.objects.get(cycle=cycle)
    assert rebuilt.pk != reviewed.pk
    # Every figure the same (a rebuilt heading may name the partner's new sector, empty).
    assert [b.rows for b in rebuilt.snapshot.breakdowns] == [
        b.rows for b in reviewed.snapshot.breakdowns
    ]
    assert rebuilt.snapshot.lead_gap == reviewed.snapshot.lead_gap
    assert rebuilt.condition_scores == reviewed.condition_scores


def test_the_member_dashboard_is_the_same_after_a_partner_is_edited(
    client, member_a, facilitator_a, round_with_a_lone_respondent
):
    cycle, charity_two = round_with_a_lone_respondent
    services.release_cycle(cycle)
    client.force_login(member_a)
    first = _dashboard(client, cycle)
    charity_two.sector = Sector.FAITH
    charity_two.save()
    assert _dashboard(client, cycle) == first


def test_a_response_keeps_its_partners_groups_as_they_were_when_submitted(place_a):
    bank = make_keyed_bank(("c0",), n_statements=2)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    partner = PartnerFactory(place=place_a, sector=Sector.VOLUNTARY, size=Size.SMALL, is_lead=False)
    invitation = InvitationFactory(cycle=cycle, partner=partner)
    DraftResponse.objects.create(
        invitation=invitation,
        partner=partner,
        role_level=RoleLevel.FRONT_LINE,
        spectrum_choice="strong",
        answers={str(pk): 4 for pk in bank.conditions.values_list("statements", flat=True)},
    )
    assert services.submit_response(invitation)

    partner.sector, partner.size, partner.is_lead = Sector.BUSINESS, Size.NATIONAL, True
    partner.save()
    response = Response.objects.get(cycle=cycle)
    assert (response.sector, response.size, response.is_lead, response.role_level) == (
        Sector.VOLUNTARY,
        Size.SMALL,
        False,
        RoleLevel.FRONT_LINE,
    )
    # Closing rewrites every response: the stored groups go with it.
    services.close_cycle(cycle)
    response = Response.objects.get(cycle=cycle)
    assert (response.sector, response.size, response.is_lead) == (
        Sector.VOLUNTARY,
        Size.SMALL,
        False,
    )
