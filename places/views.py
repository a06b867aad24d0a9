from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator

from assessments import overview
from assessments.models import Cycle
from places import throttle
from places.access import place_for_facilitator, place_for_user
from places.forms import PartnerForm
from places.models import Membership, Partner, Role

log = logging.getLogger("betterway.auth")


def home(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("place", "partner")
        .order_by("place__name")
    )
    found = overview.overviews(
        [m.place_id for m in memberships],
        [m.place_id for m in memberships if m.role == Role.FACILITATOR],
    )
    return render(
        request,
        "places/home.html",
        {
            "memberships": [(m, found[m.place_id]) for m in memberships],
            "has_facilitator_role": any(m.role == Role.FACILITATOR for m in memberships),
        },
    )


def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_user(request.user, slug)
    cycles = Cycle.objects.filter(place=access.place).select_related("bank").newest_first()
    if not access.is_facilitator:
        cycles = cycles.released()
    place_id = access.place.pk
    found = overview.overviews([place_id], [place_id] if access.is_facilitator else [])
    return render(
        request,
        "places/place_detail.html",
        {
            "place": access.place,
            "access": access,
            "cycles": cycles,
            "overview": found[place_id],
        },
    )


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" step behind the sign-in throttle: a reset link lets a
    password be set, so a wrong link counts as a failed sign-in for its user, and while that user
    is throttled from this address no link is taken, not even the right one."""

    def dispatch(self, request, *args, **kwargs):
        user = self.get_user(kwargs["uidb64"])
        if user is None:  # no such user: Django's "this link no longer works"
            return super().dispatch(request, *args, **kwargs)
        username, address = user.get_username(), throttle.client_address(request)
        if throttle.is_throttled(username, address):
            log.warning("Password reset refused (throttled) for %r from %s", username, address)
            context = {"validlink": False, "locked_out": throttle.LOCKED_OUT}
            return render(request, self.template_name, context)
        response = super().dispatch(request, *args, **kwargs)
        # Django renders the page with validlink=False for a wrong, used or expired link.
        if getattr(response, "context_data", {}).get("validlink") is False:
            log.warning("Failed password reset link for %r from %s", username, address)
            throttle.record_failure(username, address)
        return response

    def form_valid(self, form):
        # A new password set through a working link: earlier failures from here say nothing now.
        throttle.clear_failures(form.user.get_username(), throttle.client_address(self.request))
        return super().form_valid(form)


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
