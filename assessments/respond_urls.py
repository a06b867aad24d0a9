"""The respondent's journey, reached only through a personal link."""

from django.urls import path

from assessments import respond_views as views

urlpatterns = [
    path("<str:token>/", views.respond_start, name="respond_start"),
    path("<str:token>/about/", views.respond_about, name="respond_about"),
    path("<str:token>/page/<int:number>/", views.respond_page, name="respond_page"),
    path("<str:token>/review/", views.respond_review, name="respond_review"),
    path("<str:token>/submit/", views.respond_submit, name="respond_submit"),
]
