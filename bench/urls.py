"""The app's URLs plus the benchmark's reference views. Used only by bench.settings (and by
the in-process benchmark through override_settings): never part of the app's URLs."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

from assessments.models import Invitation
from assessments.tokens import hash_token
from betterway import urls as app_urls

MINIMAL_PATH = "/_bench/minimal/"
ONE_QUERY_PATH = "/_bench/one-query/"
LOOKUP_PATH = "/_bench/lookup/"


@login_not_required
def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do: every middleware, no database, no template."""
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def one_query(request: HttpRequest, token: str) -> HttpResponse:
    """The minimal view plus the least a personal-link page must do: find the link's invitation,
    in one hand-written indexed query, and render no template."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Invitation._meta.db_table} WHERE token_hash = %s",  # noqa: S608
            [hash_token(token)],
        )
        found = cursor.fetchone()
    return HttpResponse("ok" if found else "not found", content_type="text/plain")


@login_not_required
def link_lookup(request: HttpRequest, token: str) -> HttpResponse:
    """The minimal view plus what every respondent page does first: the personal link's lookup
    (invitation, cycle, bank, place and draft as model instances, assessments/link_lookup.py),
    and nothing else. Between the one-query view and the page, it tells finding the link from
    showing the page."""
    found = Invitation.objects.by_token(token)
    return HttpResponse("ok" if found else "not found", content_type="text/plain")


# The app's own patterns as they are, not under an include(): the app's pages are found exactly
# as betterway.urls finds them in production (an include is one more level of resolving for
# every page), after three patterns that cannot match them.
urlpatterns = [
    path(MINIMAL_PATH.strip("/") + "/", minimal),
    path(ONE_QUERY_PATH.strip("/") + "/<str:token>/", one_query),
    path(LOOKUP_PATH.strip("/") + "/<str:token>/", link_lookup),
    *app_urls.urlpatterns,
]
