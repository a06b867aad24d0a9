"""Facilitator pages for one place's cycles, under /places/<slug>/."""

from django.urls import path

from assessments import cycle_views as views

urlpatterns = [
    path("cycles/", views.cycle_list, name="cycle_list"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:cycle_id>/edit/", views.cycle_edit, name="cycle_edit"),
    path("cycles/<int:cycle_id>/open/", views.cycle_open, name="cycle_open"),
    path("cycles/<int:cycle_id>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<int:cycle_id>/release/", views.cycle_release, name="cycle_release"),
    path("cycles/<int:cycle_id>/extend/", views.cycle_extend, name="cycle_extend"),
    path("cycles/<int:cycle_id>/invitations/", views.invitation_import, name="invitation_import"),
    path("cycles/<int:cycle_id>/invitations/new/", views.invitation_add, name="invitation_add"),
    path(
        "cycles/<int:cycle_id>/invitations/email/",
        views.invitation_email,
        name="invitation_email",
    ),
    path(
        "cycles/<int:cycle_id>/invitations/<int:invitation_id>/edit/",
        views.invitation_edit,
        name="invitation_edit",
    ),
    path(
        "cycles/<int:cycle_id>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "cycles/<int:cycle_id>/invitations/<int:invitation_id>/reissue/",
        views.invitation_reissue,
        name="invitation_reissue",
    ),
    path("cycles/<int:cycle_id>/reminders/", views.cycle_remind, name="cycle_remind"),
    path(
        "cycles/<int:cycle_id>/emails/retry/",
        views.cycle_retry_emails,
        name="cycle_retry_emails",
    ),
]
