"""Result pages: a cycle's dashboard under its place, and the facilitators' comparison."""

from django.urls import path

from assessments import results_views

urlpatterns = [
    path(
        "places/<slug:slug>/results/<int:cycle_id>/",
        results_views.dashboard,
        name="dashboard",
    ),
    path(
        "places/<slug:slug>/results/<int:cycle_id>/print/",
        results_views.dashboard_print,
        name="dashboard_print",
    ),
    path(
        "places/<slug:slug>/results/<int:cycle_id>/results.csv",
        results_views.dashboard_csv,
        name="dashboard_csv",
    ),
    path("compare/", results_views.comparison, name="comparison"),
]
