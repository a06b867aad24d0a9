"""The link in reminder and results emails that stops them, reached without an account."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from assessments import delivery
from assessments.models import Invitation
from assessments.respond.views import no_referrer, own_not_found


@login_not_required
# Mail programs press the link themselves (RFC 8058's one-click POST, with no cookie): the secret
# token in the address is what protects it, as on the respondent's pages.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
@no_referrer
@own_not_found
def emails_stop(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.by_token(token) if len(token) <= 128 else None
    if invitation is None:
        raise Http404("This link is not recognised.")
    just_stopped = False
    if request.method == "POST":
        just_stopped = delivery.stop_emails(invitation)
        invitation.refresh_from_db(fields=["emails_stopped_at"])
    # The token is in the address: no_referrer keeps it from being sent on to another site.
    response = render(
        request,
        "assessments/emails_stop.html",
        {
            "invitation": invitation,
            "cycle": invitation.cycle,
            "place": invitation.cycle.place,
            "stopped": invitation.emails_stopped_at is not None,
            "just_stopped": just_stopped,
        },
    )
    return response
