"""A released round's public summary (DESIGN §6, §7b): reached without an account, from the
signed link in the results email. Whole-place figures only; once the partnership has agreed its
plan in answer to the round, the plan's headlines. A link that was not made by us, or that names
a round not (yet) released, is the same 404: it reveals nothing about the round."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from actions import plan
from assessments import results_display, tokens
from assessments.models import CycleResult, CycleStatus
from assessments.respond.views import no_referrer, own_not_found

NOT_FOUND = "This link is not recognised, or the results it points to are not available."


@login_not_required
@require_GET
@no_referrer  # the address is the key: never sent on to another site
@own_not_found
def public_summary(request: HttpRequest, token: str) -> HttpResponse:
    cycle_id = tokens.cycle_id_from_summary_token(token) if len(token) <= 128 else None
    result = None
    if cycle_id is not None:
        result = (
            CycleResult.objects.select_related("cycle__place")
            .filter(cycle_id=cycle_id, cycle__status=CycleStatus.RELEASED)
            .first()
        )
    if result is None:
        raise Http404(NOT_FOUND)
    cycle = result.cycle
    return render(
        request,
        "assessments/public_summary.html",
        {
            "cycle": cycle,
            "place": cycle.place,
            "summary": results_display.public_summary(result.snapshot),
            "plan": plan.agreed_headlines(cycle),
        },
    )
