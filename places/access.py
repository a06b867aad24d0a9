"""The only way views fetch a place for a user.

Outsiders get 404 (they must not learn that a place exists); members without the needed role
get 403. Every refusal is logged with who asked for what: Django's own request log says only
"Not Found" and the path, which cannot tell someone probing another place from a mistyped link.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from places.models import Membership, Place, Role

log = logging.getLogger("betterway.access")


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
        log.warning("Access denied: anonymous request for place %r", slug)
        raise Http404("No such place")
    membership = (
        Membership.objects.select_related("place", "partner")
        .filter(user=user, place__slug=slug)
        .first()
    )
    if membership is None:
        log.warning("Access denied: %s is not a member of place %r", user.get_username(), slug)
        raise Http404("No such place")
    return PlaceAccess(place=membership.place, membership=membership)


def place_for_facilitator(user, slug: str) -> PlaceAccess:
    """Facilitators only: other members get 403, outsiders 404."""
    access = place_for_user(user, slug)
    if not access.is_facilitator:
        log.warning("Access denied: %s is not a facilitator of place %r", user.get_username(), slug)
        raise PermissionDenied("Only the place's facilitators can do this.")
    return access
