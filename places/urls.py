"""Facilitator pages for a place's partner organisations, under /places/<slug>/."""

from django.urls import path

from places import views

urlpatterns = [
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:partner_id>/edit/", views.partner_edit, name="partner_edit"),
]
