"""The respondent's journey, reached only through a personal link.

betterway/urls.py puts these patterns first in its own list, not under an include(): they are
the busiest pages, and an include is one more level of resolving on every request. The
questionnaire page, the busiest of them, comes first: none of these patterns can match another's
address (a token holds no "/"), so their order changes only how many are tried."""

from django.urls import path

from assessments import respond_views as views

urlpatterns = [
    path("r/<str:token>/page/<int:number>/", views.respond_page, name="respond_page"),
    path("r/<str:token>/", views.respond_start, name="respond_start"),
    path("r/<str:token>/about/", views.respond_about, name="respond_about"),
    path("r/<str:token>/review/", views.respond_review, name="respond_review"),
    path("r/<str:token>/submit/", views.respond_submit, name="respond_submit"),
]
