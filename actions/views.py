"""A place's action plan: list, add, edit, dated updates, agreement, CSV and print.

Thin views: fetch through `actions.access`, bind a form, call a service, render or redirect.
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from actions import plan, services
from actions.access import action_for_editor, action_for_user, plan_for_facilitator, plan_for_user
from actions.forms import ActionForm, UpdateForm
from actions.models import Action
from assessments.models import Cycle, CycleStatus
from assessments.results_display import csv_safe


def _to_plan(slug: str) -> HttpResponse:
    return redirect("action_list", slug=slug)


def _to_action(action: Action) -> HttpResponse:
    return redirect("action_detail", slug=action.place.slug, action_id=action.pk)


def action_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = plan_for_user(request.user, slug)
    return render(
        request,
        "actions/action_list.html",
        {"place": access.place, "access": access, **plan.plan_page(access)},
    )


def plan_print(request: HttpRequest, slug: str) -> HttpResponse:
    access = plan_for_user(request.user, slug)
    return render(
        request,
        "actions/plan_print.html",
        {"place": access.place, "access": access, **plan.plan_page(access)},
    )


def plan_csv(request: HttpRequest, slug: str) -> HttpResponse:
    access = plan_for_user(request.user, slug)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{slugify(access.place.name)}-action-plan.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(plan.CSV_HEADER)
    for row in plan.csv_rows(access.place):
        writer.writerow([csv_safe(cell) for cell in row])
    return response


def action_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = plan_for_facilitator(request.user, slug)
    form = ActionForm(request.POST or None, place=access.place)
    if request.method == "POST" and form.is_valid():
        form.instance.created_by = request.user
        action = form.save()
        messages.success(request, f"Added “{action.title}” to the action plan.")
        return _to_action(action)
    if request.method == "POST":
        messages.error(request, "Nothing was saved: please correct the marked fields.")
    return render(
        request,
        "actions/action_form.html",
        {"place": access.place, "access": access, "form": form, "action": None},
    )


def action_edit(request: HttpRequest, slug: str, action_id: int) -> HttpResponse:
    found = action_for_editor(request.user, slug, action_id)
    form = ActionForm(request.POST or None, instance=found.action, place=found.access.place)
    if request.method == "POST" and form.is_valid():
        action = form.save()
        messages.success(request, f"Saved the changes to “{action.title}”.")
        return _to_action(action)
    if request.method == "POST":
        messages.error(request, "Nothing was saved: please correct the marked fields.")
    return render(
        request,
        "actions/action_form.html",
        {
            "place": found.access.place,
            "access": found.access,
            "form": form,
            "action": found.action,
        },
    )


def action_detail(request: HttpRequest, slug: str, action_id: int, form=None) -> HttpResponse:
    found = action_for_user(request.user, slug, action_id)
    return render(
        request,
        "actions/action_detail.html",
        {
            "place": found.access.place,
            "access": found.access,
            "action": plan.action_view(found.action),
            "can_edit": found.can_edit,
            "form": form or (UpdateForm() if found.can_edit else None),
        },
        status=400 if form is not None else 200,
    )


@require_POST
def action_update(request: HttpRequest, slug: str, action_id: int) -> HttpResponse:
    found = action_for_editor(request.user, slug, action_id)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The update was not saved: please correct the marked fields.")
        return action_detail(request, slug, action_id, form=form)
    services.add_update(
        found.action, form.cleaned_data["text"], form.cleaned_data["status"], request.user
    )
    messages.success(request, "Added the update.")
    return _to_action(found.action)


@require_POST
def plan_agree(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = plan_for_facilitator(request.user, slug)
    cycle = get_object_or_404(Cycle, pk=cycle_id, place=access.place, status=CycleStatus.RELEASED)
    _agreement, created = services.agree_plan(cycle, request.user)
    if created:
        messages.success(
            request,
            f"The plan in answer to {cycle.name} is agreed: its headlines now appear in the "
            "round's public summary.",
        )
    else:
        messages.info(request, f"The plan in answer to {cycle.name} was already agreed.")
    return _to_plan(slug)
