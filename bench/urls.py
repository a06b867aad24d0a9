"""The app's URLs plus the benchmark's reference view. Used only by bench.settings (and by the
in-process benchmark through override_settings): never part of the app's URLs."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import include, path

MINIMAL_PATH = "/_bench/minimal/"


@login_not_required
def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do: every middleware, no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(MINIMAL_PATH.strip("/") + "/", minimal),
    path("", include("betterway.urls")),
]
