"""The respondent's pages, under /r/<token>/ (betterway/urls.py): the token is the personal link's
secret, so request logs write it as [link] (betterway/logging.py)."""

from django.urls import path

from assessments.respond import views

urlpatterns = [
    path("", views.respond_start, name="respond_start"),
    path("about/", views.respond_about, name="respond_about"),
    path("page/<int:number>/", views.respond_page, name="respond_page"),
    path("review/", views.respond_review, name="respond_review"),
    path("submit/", views.respond_submit, name="respond_submit"),
]
