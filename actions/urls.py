"""A place's action plan, under /places/<slug>/."""

from django.urls import path

from actions import views

urlpatterns = [
    path("plan/", views.action_list, name="action_list"),
    path("plan/print/", views.plan_print, name="plan_print"),
    path("plan/action-plan.csv", views.plan_csv, name="plan_csv"),
    path("plan/new/", views.action_create, name="action_create"),
    path("plan/agree/<int:cycle_id>/", views.plan_agree, name="plan_agree"),
    path("plan/<int:action_id>/", views.action_detail, name="action_detail"),
    path("plan/<int:action_id>/edit/", views.action_edit, name="action_edit"),
    path("plan/<int:action_id>/updates/", views.action_update, name="action_update"),
]
