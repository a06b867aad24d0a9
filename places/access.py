"""The only way views fetch a place for a user.

Outsiders get 404 (they must not learn that a place exists); members without the needed role
get 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from places.models import Membership, Place, Role


@dataclass(frozen=True)
class PlaceAccess:
    place: Place
    membership: Membership

    @property
    def is_facilitator(self) -> bool:
        return self.membership.role == Role.FACILITATOR


def place_for_user(user, slug: str) -> PlaceAccess:
    """Any member or facilitator of the place."""
    if not user.is_authenticated:
        raise Http404("No such place")
    membership = (
        Membership.objects.select_related("place", "partner")
        .filter(user=user, place__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such place")
    return PlaceAccess(place=membership.place, membership=membership)


def place_for_facilitator(user, slug: str) -> PlaceAccess:
    """Facilitators only: other members get 403, outsiders 404."""
    access = place_for_user(user, slug)
    if not access.is_facilitator:
        raise PermissionDenied("Only the place's facilitators can do this.")
    return access
