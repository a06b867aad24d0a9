"""The only way result pages and exports fetch a cycle's results for a user.

Built on `places.access.place_for_user`, so outsiders get 404 before anything else is looked up.
Members see released cycles only; facilitators also see closed ones, to review before release.
Anything else (a draft or open cycle, another place's cycle, a cycle with no snapshot) is 404:
from the outside, results that cannot be seen do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from assessments.models import CycleResult, CycleStatus
from places.access import PlaceAccess, place_for_user
from places.models import Place


@dataclass(frozen=True)
class DashboardAccess:
    access: PlaceAccess
    result: CycleResult

    @property
    def place(self) -> Place:
        return self.access.place

    @property
    def cycle(self):
        return self.result.cycle


def visible_statuses(access: PlaceAccess) -> list[str]:
    if access.is_facilitator:
        return [CycleStatus.CLOSED, CycleStatus.RELEASED]
    return [CycleStatus.RELEASED]


def cycle_for_dashboard(user, slug: str, cycle_id: int) -> DashboardAccess:
    """The cycle's snapshot, if this user may see it; 404 otherwise. Two queries."""
    access = place_for_user(user, slug)
    result = (
        CycleResult.objects.select_related("cycle", "cycle__bank")
        .filter(
            cycle_id=cycle_id,
            cycle__place=access.place,
            cycle__status__in=visible_statuses(access),
        )
        .first()
    )
    if result is None:
        raise Http404("No such results")
    return DashboardAccess(access=access, result=result)


@dataclass(frozen=True)
class ComparisonPlaces:
    places: list[Place]  # by name
    ids: QuerySet  # the same places as a subquery, to read their results with


def places_for_comparison(user) -> ComparisonPlaces:
    """The places the user facilitates; anyone who facilitates none gets 403.

    Their ids come as a subquery too: a thousand ids sent back as query parameters cost more
    to compile, send and plan than the query that reads their results.
    """
    facilitated = Place.objects.facilitated_by(user)
    places = list(facilitated.only("name", "slug").order_by("name"))
    if not places:
        raise PermissionDenied("Only facilitators can compare places.")
    return ComparisonPlaces(places=places, ids=facilitated.values("pk"))
