from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from assessments.models import Cycle
from places.access import place_for_facilitator, place_for_user
from places.forms import PartnerForm
from places.models import Membership, Partner


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


# --- Partners (facilitators only) ---


def partner_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    partners = Partner.objects.filter(place=access.place)
    return render(
        request,
        "places/partner_list.html",
        {"place": access.place, "access": access, "partners": partners},
    )


def partner_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    form = PartnerForm(request.POST or None, place=access.place)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, f"Added {partner.name}.")
        return redirect("partner_list", slug=access.place.slug)
    return render(
        request,
        "places/partner_form.html",
        {"place": access.place, "access": access, "form": form, "partner": None},
    )


def partner_edit(request: HttpRequest, slug: str, partner_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    partner = get_object_or_404(Partner, pk=partner_id, place=access.place)
    form = PartnerForm(request.POST or None, instance=partner, place=access.place)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved the changes to {partner.name}.")
        return redirect("partner_list", slug=access.place.slug)
    return render(
        request,
        "places/partner_form.html",
        {"place": access.place, "access": access, "form": form, "partner": partner},
    )
