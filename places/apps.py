from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = "Places and partners"

    def ready(self):
        from places import signals  # noqa: F401 - connects the sign-in audit log
