"""Who has taken part in a cycle: counts and statuses for the facilitator, never answers.

Started means the person has saved at least one page (a draft) or has submitted. Withdrawn links
are left out of every count: those people can no longer answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Q

from assessments.delivery import invitation_url
from assessments.models import Cycle, CycleStatus, Invitation
from places.models import Partner, Place


@dataclass(frozen=True)
class PartnerParticipation:
    partner: Partner
    invited: int
    started: int
    submitted: int

    @property
    def response_rate(self) -> float | None:
        """Submitted ÷ invited, 0–100; None when nobody is invited."""
        return 100 * self.submitted / self.invited if self.invited else None


@dataclass(frozen=True)
class Participation:
    partners: list[PartnerParticipation]

    @property
    def invited(self) -> int:
        return sum(row.invited for row in self.partners)

    @property
    def started(self) -> int:
        return sum(row.started for row in self.partners)

    @property
    def submitted(self) -> int:
        return sum(row.submitted for row in self.partners)

    @property
    def response_rate(self) -> float | None:
        return 100 * self.submitted / self.invited if self.invited else None


def cycle_summaries(place: Place):
    """The place's cycles, newest first, each with its active invited and submitted counts; one
    query."""
    active = Q(invitations__revoked_at__isnull=True)
    return (
        Cycle.objects.filter(place=place)
        .newest_first()
        .select_related("bank")
        .annotate(
            n_invited=Count("invitations", filter=active),
            n_submitted=Count("invitations", filter=active & Q(invitations__submitted=True)),
        )
    )


def partner_participation(cycle: Cycle) -> Participation:
    """One row per partner of the cycle's place, partners without invitations included; one
    query."""
    active = Q(invitations__cycle=cycle, invitations__revoked_at__isnull=True)
    submitted = active & Q(invitations__submitted=True)
    started = active & (Q(invitations__submitted=True) | Q(invitations__draft__isnull=False))
    partners = Partner.objects.filter(place_id=cycle.place_id).annotate(
        n_invited=Count("invitations", filter=active),
        n_started=Count("invitations", filter=started),
        n_submitted=Count("invitations", filter=submitted),
    )
    return Participation(
        [
            PartnerParticipation(
                partner=partner,
                invited=partner.n_invited,
                started=partner.n_started,
                submitted=partner.n_submitted,
            )
            for partner in partners
        ]
    )


class InviteeStatus(StrEnum):
    NOT_STARTED = "Not started"
    STARTED = "Started"
    SUBMITTED = "Submitted"
    WITHDRAWN = "Withdrawn"


@dataclass(frozen=True)
class InviteeRow:
    invitation: Invitation
    status: InviteeStatus
    # The personal link, only before the person has started: once a draft holds answers, the
    # link would open them, and facilitators must never see anyone's answers.
    url: str
    can_withdraw: bool


def invitee_rows(cycle: Cycle) -> list[InviteeRow]:
    """Every invitation of the cycle with its status; one query."""
    live = cycle.status in (CycleStatus.DRAFT, CycleStatus.OPEN)
    # Nobody gets a link to a cycle that is not open, the facilitator's copy included.
    linkable = cycle.status == CycleStatus.OPEN
    rows = []
    for invitation in cycle.invitations.with_status().order_by("partner__name", "name", "pk"):
        if invitation.is_revoked:
            status = InviteeStatus.WITHDRAWN
        elif invitation.submitted:
            status = InviteeStatus.SUBMITTED
        elif invitation.has_draft:
            status = InviteeStatus.STARTED
        else:
            status = InviteeStatus.NOT_STARTED
        can_withdraw = live and status in (InviteeStatus.NOT_STARTED, InviteeStatus.STARTED)
        url = invitation_url(invitation) if linkable and status == InviteeStatus.NOT_STARTED else ""
        rows.append(
            InviteeRow(invitation=invitation, status=status, url=url, can_withdraw=can_withdraw)
        )
    return rows
