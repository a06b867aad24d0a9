"""Workshop pages: the facilitator's under the place, the phones' under /workshop/."""

from django.urls import path

from workshops import phone_views, views

facilitator_patterns = [
    path(
        "places/<slug:slug>/results/<int:cycle_id>/workshops/",
        views.workshop_start,
        name="workshop_start",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/",
        views.workshop_detail,
        name="workshop_detail",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/live/",
        views.workshop_live,
        name="workshop_live",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/step/",
        views.workshop_step,
        name="workshop_step",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/explain/",
        views.workshop_explain,
        name="workshop_explain",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/themes/",
        views.theme_add,
        name="workshop_theme_add",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/idea-theme/",
        views.idea_theme,
        name="workshop_idea_theme",
    ),
    path(
        "places/<slug:slug>/workshops/<int:workshop_id>/actions/",
        views.actions_make,
        name="workshop_actions_make",
    ),
]

phone_patterns = [
    path("workshop/", phone_views.enter_code, name="workshop_enter_code"),
    path("workshop/<str:code>/", phone_views.phone, name="workshop_phone"),
    path("workshop/<str:code>/panel/", phone_views.panel, name="workshop_panel"),
    path("workshop/<str:code>/join/", phone_views.join, name="workshop_join"),
    path("workshop/<str:code>/ideas/", phone_views.idea_add, name="workshop_idea_add"),
    path("workshop/<str:code>/ideas/drop/", phone_views.idea_drop, name="workshop_idea_drop"),
    path("workshop/<str:code>/votes/", phone_views.vote, name="workshop_vote"),
]

urlpatterns = facilitator_patterns + phone_patterns
