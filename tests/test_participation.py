"""Participation for the facilitator: who has started and submitted, never what they said."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import CycleStatus, DraftResponse
from assessments.participation import InviteeStatus, invitee_rows, partner_participation
from tests.factories import CycleFactory, InvitationFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(place_a):
    return CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN)


@pytest.fixture
def known(cycle, partner_a, place_a):
    """Ashford Council: 4 invited (and 1 withdrawn), 1 started, 2 submitted.
    Food Bank: 2 invited, 1 started, none submitted. Youth Club: nobody invited."""
    food_bank = PartnerFactory(place=place_a, name="Food Bank")
    youth_club = PartnerFactory(place=place_a, name="Youth Club")
    council = [InvitationFactory(cycle=cycle, partner=partner_a) for _ in range(4)]
    council[0].submitted = council[1].submitted = True
    council[0].save()
    council[1].save()
    DraftResponse.objects.create(invitation=council[2])
    withdrawn = InvitationFactory(
        cycle=cycle, partner=partner_a, revoked_at=timezone.now(), submitted=False
    )
    DraftResponse.objects.create(invitation=withdrawn)
    food = [InvitationFactory(cycle=cycle, partner=food_bank) for _ in range(2)]
    DraftResponse.objects.create(invitation=food[0])
    # Another cycle of the same place must not be counted.
    other = CycleFactory(place=place_a, bank=cycle.bank)
    InvitationFactory.create_batch(3, cycle=other, partner=partner_a, submitted=True)
    return {"council": partner_a, "food_bank": food_bank, "youth_club": youth_club}


def test_counts_and_response_rate_per_partner(cycle, known):
    participation = partner_participation(cycle)
    rows = {
        row.partner.name: (row.invited, row.started, row.submitted, row.response_rate)
        for row in participation.partners
    }
    assert rows == {
        "Ashford Council": (4, 3, 2, 50.0),
        "Food Bank": (2, 1, 0, 0.0),
        "Youth Club": (0, 0, 0, None),
    }
    assert (participation.invited, participation.started, participation.submitted) == (6, 4, 2)
    assert participation.response_rate == pytest.approx(100 * 2 / 6)


def test_participation_is_one_query(cycle, known, django_assert_num_queries):
    with django_assert_num_queries(1):
        partner_participation(cycle)


def test_invitee_statuses(cycle, partner_a):
    not_started = InvitationFactory(cycle=cycle, partner=partner_a)
    started = InvitationFactory(cycle=cycle, partner=partner_a)
    DraftResponse.objects.create(invitation=started)
    submitted = InvitationFactory(cycle=cycle, partner=partner_a, submitted=True)
    withdrawn = InvitationFactory(cycle=cycle, partner=partner_a, revoked_at=timezone.now())
    rows = {row.invitation.pk: row for row in invitee_rows(cycle)}
    assert {pk: row.status for pk, row in rows.items()} == {
        not_started.pk: InviteeStatus.NOT_STARTED,
        started.pk: InviteeStatus.STARTED,
        submitted.pk: InviteeStatus.SUBMITTED,
        withdrawn.pk: InviteeStatus.WITHDRAWN,
    }
    assert rows[not_started.pk].url.endswith(f"/r/{not_started.token}/")
    # Once started, the link would open the person's saved answers: it is not shown any more.
    assert rows[started.pk].url == ""
    assert rows[started.pk].can_withdraw and rows[not_started.pk].can_withdraw
    assert rows[submitted.pk].url == rows[withdrawn.pk].url == ""
    assert not rows[submitted.pk].can_withdraw and not rows[withdrawn.pk].can_withdraw


def test_cycle_page_shows_participation(client, facilitator_a, cycle, known):
    client.force_login(facilitator_a)
    response = client.get(reverse("cycle_detail", args=["ashford", cycle.pk]))
    page = response.content.decode()
    assert '<th scope="col" class="text-end">Response rate</th>' in page
    assert "50%" in page and "33%" in page
    for label in ("Not started", "Started", "Submitted", "Withdrawn"):
        assert f"<td>{label}</td>" in page


def test_cycle_page_never_shows_answers(client, facilitator_a, cycle, partner_a):
    invitation = InvitationFactory(cycle=cycle, partner=partner_a)
    DraftResponse.objects.create(
        invitation=invitation,
        answers={"1": 5},
        comments={"1": "A very particular remark about the council"},
        role_level="volunteer",
    )
    client.force_login(facilitator_a)
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert "very particular remark" not in page
    assert "Volunteer" not in page
    assert "<td>Started</td>" in page


def add_invitations(cycle, partners, n: int) -> None:
    for i in range(n):
        invitation = InvitationFactory(cycle=cycle, partner=partners[i % len(partners)])
        if i % 3 == 0:
            DraftResponse.objects.create(invitation=invitation)
        elif i % 3 == 1:
            invitation.submitted = True
            invitation.save()


def test_cycle_page_query_count_does_not_grow_with_invitations(
    client, facilitator_a, cycle, partner_a, place_a
):
    partners = [partner_a, PartnerFactory(place=place_a), PartnerFactory(place=place_a)]
    client.force_login(facilitator_a)
    url = reverse("cycle_detail", args=["ashford", cycle.pk])
    add_invitations(cycle, partners, 2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_invitations(cycle, partners, 18)
    PartnerFactory.create_batch(3, place=place_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["invitees"]) == 20
    assert len(many) == len(few)


def test_members_cannot_see_participation(client, member_a, cycle, known):
    client.force_login(member_a)
    assert client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).status_code == 403
