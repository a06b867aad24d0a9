"""Result pages: the dashboard, its print view and CSV export, and the facilitators' comparison.

Thin views: fetch through `result_access`, read the stored snapshot, render. Nothing here looks
at answers, so no page can show more than the snapshot's suppressed figures, and a page costs the
same number of queries whatever the number of responses or places.
"""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from actions import remeasure
from assessments import results, results_display
from assessments.models import CycleStatus
from assessments.result_access import cycle_for_dashboard, places_for_comparison


def _dashboard_context(request: HttpRequest, slug: str, cycle_id: int) -> dict:
    found = cycle_for_dashboard(request.user, slug, cycle_id)
    snapshot = found.result.snapshot
    return {
        "place": found.place,
        "access": found.access,
        "cycle": found.cycle,
        "result": found.result,
        "is_released": found.cycle.status == CycleStatus.RELEASED,
        "report": results_display.dashboard(
            snapshot,
            history=results.round_history(found.cycle),
            compare=request.GET.get("compare"),
            guidance=results.condition_guidance(found.cycle.bank_id),
            remeasured=remeasure.by_condition(snapshot, remeasure.load(found.cycle, snapshot)),
        ),
    }


def dashboard(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    context = _dashboard_context(request, slug, cycle_id)
    return render(request, "assessments/dashboard.html", context)


def dashboard_print(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    context = _dashboard_context(request, slug, cycle_id)
    return render(request, "assessments/dashboard_print.html", context)


def dashboard_csv(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    found = cycle_for_dashboard(request.user, slug, cycle_id)
    filename = f"{slugify(found.place.name)}-{slugify(found.cycle.name)}-results.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(results_display.CSV_HEADER)
    for row in results_display.csv_rows(found.result.snapshot):
        writer.writerow([results_display.csv_safe(cell) for cell in row])
    return response


def comparison(request: HttpRequest) -> HttpResponse:
    found = places_for_comparison(request.user)
    latest = results.latest_results(found.ids)
    columns = results.condition_columns({row["bank_id"] for row in latest})
    rows = results_display.comparison_rows(found.places, latest, columns)
    return render(request, "assessments/comparison.html", {"columns": columns, "rows": rows})
