"""The facilitator's pages: start a workshop on a released round, and run it from the projector.

Thin: fetch through `workshops.access`, bind a form, call a service, redirect; a refused write
(a step out of order, say) redirects with its message and changes nothing.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from workshops import board, services
from workshops.access import released_cycle_for_facilitator, workshop_for_facilitator
from workshops.forms import StartForm, ThemeForm
from workshops.models import Step, Workshop


def _to_workshop(workshop: Workshop, anchor: str = "") -> HttpResponse:
    url = reverse("workshop_detail", args=[workshop.place.slug, workshop.pk])
    return redirect(url + anchor)


def workshop_start(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access, cycle = released_cycle_for_facilitator(request.user, slug, cycle_id)
    form = StartForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        conditions, statements = form.chosen()
        workshop = services.start_workshop(
            cycle,
            request.user,
            conditions=conditions,
            statements=statements,
            votes_per_participant=form.cleaned_data["votes_per_participant"],
            weight_partners_equally=form.cleaned_data["weight_partners_equally"],
        )
        messages.success(request, f"Workshop started. People join with the code {workshop.code}.")
        return _to_workshop(workshop)
    return render(
        request,
        "workshops/workshop_start.html",
        {
            "place": access.place,
            "cycle": cycle,
            "form": form,
            "workshops": Workshop.objects.for_cycle(cycle),
        },
    )


def join_url(request: HttpRequest, workshop: Workshop) -> str:
    return settings.SITE_URL + reverse("workshop_phone", args=[workshop.code])


def qr_svg(url: str) -> str:
    """The join link as an inline SVG QR code: drawn here, no external service, no script."""
    code = segno.make(url, error="m")
    svg = code.svg_inline(scale=6, svgclass="qr-code", lineclass=None, omitsize=True)
    # segno's own markup, from our own URL: nothing a user typed goes into it.
    return mark_safe(svg.replace("<svg ", '<svg aria-hidden="true" ', 1))  # noqa: S308  # nosec B308 B703


def _projector_context(request: HttpRequest, access, workshop: Workshop) -> dict:
    context = {
        "place": access.place,
        "workshop": workshop,
        "cycle": workshop.cycle,
        "topics": workshop.topics(),
        "counts": board.counts(workshop),
        "steps": [s for s in Step if s != Step.JOIN],
        "next_label": Step(workshop.next_step).label if workshop.next_step else "",
    }
    if workshop.step in (Step.PAIR, Step.EXPLAIN):
        context["groups"] = board.groups_with_members(workshop)
    if workshop.step == Step.EXPLAIN:
        group, ideas, total = board.explaining_group(workshop)
        context.update(explaining=group, explaining_ideas=ideas, group_total=total)
    if workshop.step in (Step.ARRANGE, Step.ENDED):
        context["ranked"] = board.ranked_ideas(workshop)
        context["themes"] = list(workshop.themes.all())
        context["theme_form"] = ThemeForm()
    return context


def workshop_detail(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    access, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    context = _projector_context(request, access, workshop)
    url = join_url(request, workshop)
    context.update(join_url=url, qr=qr_svg(url) if workshop.is_open() else "")
    return render(request, "workshops/workshop_detail.html", context)


def workshop_live(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    """The projector's polled part: who has joined, ideas and votes so far, the pairs."""
    access, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    return render(
        request, "workshops/_projector_live.html", _projector_context(request, access, workshop)
    )


@require_POST
def workshop_step(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    _, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    try:
        services.move_to(
            workshop, request.POST.get("step", ""), expected=request.POST.get("current", "")
        )
    except services.WorkshopError as error:
        messages.error(request, str(error))
    return _to_workshop(workshop)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
def workshop_explain(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    _, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    current, to = _int(request.POST.get("current")), _int(request.POST.get("to"))
    try:
        if current is None or to is None:
            raise services.WorkshopError("There is no such pair.")
        services.move_explaining(workshop, expected=current, to=to)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    return _to_workshop(workshop)


@require_POST
def theme_add(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    _, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    form = ThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the theme a name (up to 120 characters).")
        return _to_workshop(workshop, "#arrange")
    try:
        services.add_theme(workshop, form.cleaned_data["name"])
    except services.WorkshopError as error:
        messages.error(request, str(error))
    return _to_workshop(workshop, "#arrange")


@require_POST
def idea_theme(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    _, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    idea_id = _int(request.POST.get("idea"))
    raw_theme = request.POST.get("theme", "")
    theme_id = _int(raw_theme)
    try:
        if idea_id is None or (raw_theme and theme_id is None):
            raise services.WorkshopError("That idea or theme is not in this workshop.")
        services.set_theme(workshop, idea_id, theme_id)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    return _to_workshop(workshop, "#arrange")


@require_POST
def actions_make(request: HttpRequest, slug: str, workshop_id: int) -> HttpResponse:
    _, workshop = workshop_for_facilitator(request.user, slug, workshop_id)
    ids = [_int(v) for v in request.POST.getlist("ideas")]
    try:
        if not ids or None in ids:
            raise services.WorkshopError("Choose at least one idea to turn into an action.")
        made = services.make_actions(workshop, ids, request.user)
    except services.WorkshopError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Added {len(made)} action{'s' if len(made) != 1 else ''} to the action plan: "
            + "; ".join(a.title for a in made),
        )
    return _to_workshop(workshop, "#arrange")
