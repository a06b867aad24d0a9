"""Facilitator pages for one place's cycles, under /places/<slug>/."""

urlpatterns: list = []
