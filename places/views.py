from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.models import Cycle
from places.access import place_for_user
from places.models import Membership


def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("place", "partner")
        .order_by("place__name")
    )
    return render(request, "places/home.html", {"memberships": memberships})


def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_user(request.user, slug)
    cycles = Cycle.objects.filter(place=access.place).select_related("bank")
    if not access.is_facilitator:
        cycles = cycles.released()
    return render(
        request,
        "places/place_detail.html",
        {"place": access.place, "access": access, "cycles": cycles},
    )
