from django.apps import AppConfig


class RespondConfig(AppConfig):
    name = "assessments.respond"
    label = "respond"
    verbose_name = "Respondent's journey"
