"""The respondent's journey: intro, about you, one page per condition, the spectrum, review, submit.

Respondents have no account: the personal link is their key, so these views are exempt from login.
They are exempt from CSRF too, deliberately: a forged cross-site request would have to contain the
link's secret token, which an attacker cannot know; and an expired CSRF cookie must never throw
away typed answers. No session is used, so nothing here can expire under the respondent.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from assessments import services
from assessments.models import Condition, DraftResponse, Invitation
from assessments.respond.forms import AboutYouForm, ConditionPageForm, SpectrumForm
from assessments.respond.questionnaire import Questionnaire

PAGE_ACTIONS = {"next", "back", "later"}

type PageForm = ConditionPageForm | SpectrumForm


def respondent_view(view):
    """The decorations every page reached by a personal link needs."""
    return login_not_required(csrf_exempt(never_cache(no_referrer(own_not_found(view)))))


def own_not_found(view):
    """A mistyped or cut-off personal link gets the app's own "not found" page, in development
    too: with DEBUG on, Django would show its technical page, which is no help to a respondent
    trying the link on a phone."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return render(request, "404.html", status=404, using="django")

    return wrapped


def no_referrer(view):
    # The token is in the URL: never send it on to another site in a Referer header.
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _render(request, page: str, context: dict, status: int = 200) -> HttpResponse:
    """One of the respondent's pages: Jinja2 templates (assessments/respond/templating.py)."""
    return render(request, f"respond/{page}.html", context, status=status, using="jinja2")


def _invitation(token: str) -> Invitation:
    invitation = Invitation.objects.by_token(token)
    if invitation is None:
        raise Http404("This link is not recognised.")
    return invitation


def _saved_draft(invitation: Invitation) -> DraftResponse | None:
    """The draft read with the invitation, if there is one."""
    try:
        return invitation.draft
    except DraftResponse.DoesNotExist:
        return None


def _context(invitation: Invitation, questionnaire: Questionnaire, token: str, **extra) -> dict:
    return {
        "invitation": invitation,
        "cycle": invitation.cycle,
        "place": invitation.cycle.place,
        "token": token,
        "questionnaire": questionnaire,
        **extra,
    }


def _closed_page(request, invitation: Invitation, message: str) -> HttpResponse:
    cycle = invitation.cycle
    context = {"cycle": cycle, "place": cycle.place, "message": message}
    return _render(request, "unavailable", context, status=403)


@respondent_view
@require_http_methods(["GET"])
def respond_start(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        cycle = invitation.cycle
        return _render(request, "thanks", {"cycle": cycle, "place": cycle.place})
    refusal = invitation.refusal()
    if refusal:
        return _closed_page(request, invitation, refusal)
    questionnaire = Questionnaire(invitation.cycle.bank)
    draft = _saved_draft(invitation)
    resume_url = questionnaire.url_for_step(token, draft.step) if draft else None
    context = _context(
        invitation,
        questionnaire,
        token,
        draft=draft,
        resume_url=resume_url,
        retention_days=settings.PERSONAL_DATA_RETENTION_DAYS,
    )
    return _render(request, "start", context)


@respondent_view
@require_http_methods(["GET", "POST"])
def respond_about(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return redirect("respond_start", token)
    questionnaire = Questionnaire(invitation.cycle.bank)
    place = invitation.cycle.place
    refusal = invitation.refusal()
    asks = questionnaire.asks_meetings
    if request.method == "POST":
        form = AboutYouForm(request.POST, place=place, asks_meetings=asks)
        if refusal:
            # Shown back with what was chosen and why nothing was saved.
            form.is_valid()
            context = _context(invitation, questionnaire, token, form=form, refusal=refusal)
            return _render(request, "about", context, status=403)
        if form.is_valid():
            in_meetings = form.cleaned_data.get("in_meetings") if asks else None
            draft, _ = DraftResponse.objects.get_or_create(invitation=invitation)
            to_discard = _routed_answers_to_discard(draft, questionnaire, in_meetings)
            if to_discard and request.POST.get("discard") != "yes":
                # Nothing is thrown away unasked: say what would go, and let them choose.
                context = _context(
                    invitation, questionnaire, token, form=form, discard_count=len(to_discard)
                )
                return _render(request, "about", context)
            save_about(draft, form.cleaned_data, in_meetings, to_discard)
            return redirect(questionnaire.url_for_step(token, 1))
    else:
        if refusal:
            return _closed_page(request, invitation, refusal)
        draft = _saved_draft(invitation)
        initial = {"partner": invitation.partner_id, "role_level": ""}
        if draft and draft.partner_id:
            initial = {"partner": draft.partner_id, "role_level": draft.role_level}
        if draft is not None:
            initial["in_meetings"] = AboutYouForm.meetings_initial(draft.in_meetings)
        form = AboutYouForm(initial=initial, place=place, asks_meetings=asks)
    return _render(request, "about", _context(invitation, questionnaire, token, form=form))


def _routed_answers_to_discard(
    draft: DraftResponse, questionnaire: Questionnaire, in_meetings: bool | None
) -> set[str]:
    """Saved answers to routed statements that a "no" to the meetings question would discard."""
    if in_meetings is not False:
        return set()
    return set(draft.answers) & questionnaire.routed_ids()


@transaction.atomic
def save_about(draft: DraftResponse, cleaned: dict, in_meetings, to_discard: set[str]) -> None:
    """Store the About-you answers; drop the routed answers the respondent agreed to discard."""
    # Re-read under a row lock: a page saved meanwhile in another tab keeps its answers.
    draft = DraftResponse.objects.select_for_update().get(pk=draft.pk)
    draft.partner = cleaned["partner"]
    draft.role_level = cleaned["role_level"]
    draft.in_meetings = in_meetings
    for key in to_discard:
        draft.answers.pop(key, None)
    draft.step = max(draft.step, 1)
    draft.save()


@respondent_view
@require_http_methods(["GET", "POST"])
def respond_page(request: HttpRequest, token: str, number: int) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return redirect("respond_start", token)
    questionnaire = Questionnaire(invitation.cycle.bank)
    if not 1 <= number <= questionnaire.page_count:
        raise Http404("There is no such page in this health check.")
    refusal = invitation.refusal()
    draft = _saved_draft(invitation)
    sent_when_refused = refusal and request.method == "POST"
    # Closing or revoking discards the draft, but a page sent after that is still shown back.
    if (draft is None or draft.partner_id is None) and not sent_when_refused:
        if refusal:
            return _closed_page(request, invitation, refusal)
        return redirect("respond_about", token)

    condition = questionnaire.condition_for_page(number)
    template = "spectrum" if condition is None else "page"
    context = _context(invitation, questionnaire, token, condition=condition, number=number)
    if request.method == "GET":
        if refusal:
            return _closed_page(request, invitation, refusal)
        form = _page_form(questionnaire, condition, draft=draft)
        return _render(request, template, {**context, "form": form})

    action = request.POST.get("action", "next")
    if action not in PAGE_ACTIONS:
        action = "next"  # an unknown button value is treated as the main button
    form = _page_form(
        questionnaire, condition, data=request.POST, draft=draft, require_all=action == "next"
    )
    if refusal:
        # Shown back with what was typed and why nothing was saved.
        form.is_valid()
        return _render(request, template, {**context, "form": form, "refusal": refusal}, 403)
    if not form.is_valid():
        return _render(request, template, {**context, "form": form}, status=400)
    if not save_page(draft, form, number, action):
        # Submitted or withdrawn in another tab a moment ago: the start page says which.
        return redirect("respond_start", token)
    if action == "back":
        return redirect(questionnaire.url_for_step(token, number - 1))
    if action == "later":
        return _render(request, "saved", context)
    return redirect(questionnaire.url_for_step(token, number + 1))


def _page_form(
    questionnaire: Questionnaire,
    condition: Condition | None,
    *,
    data: QueryDict | None = None,
    draft: DraftResponse | None = None,
    require_all: bool = True,
) -> PageForm:
    """The page's form: bound to what was sent (`data`), or else showing what `draft` saved.
    `condition` None is the spectrum question's page."""
    if condition is None:
        if data is None:
            return SpectrumForm.saved(draft, questionnaire.bank)
        return SpectrumForm(data, bank=questionnaire.bank, require_all=require_all)
    statements = questionnaire.statements_for(condition, draft.in_meetings if draft else None)
    if data is None:
        return ConditionPageForm.saved(draft, condition, statements)
    return ConditionPageForm(
        data, condition=condition, statements=statements, require_all=require_all
    )


@transaction.atomic
def save_page(draft: DraftResponse, form: PageForm, number: int, action: str) -> bool:
    """Store a page's answers in the draft, and the step the link will resume at; False if the
    draft is gone (submitted or withdrawn meanwhile), when nothing is stored."""
    # Re-read under a row lock: two tabs saving different pages at once must not overwrite
    # each other's answers with a stale copy of the draft.
    draft = DraftResponse.objects.select_for_update().filter(pk=draft.pk).first()
    if draft is None:
        return False
    form.save_to(draft)
    # The link brings them back to the page they will see next.
    draft.step = {"next": number + 1, "back": number - 1, "later": number}[action]
    draft.save()
    return True


@respondent_view
@require_http_methods(["GET"])
def respond_review(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return redirect("respond_start", token)
    refusal = invitation.refusal()
    if refusal:
        return _closed_page(request, invitation, refusal)
    draft = _saved_draft(invitation)
    if draft is None or draft.partner_id is None:
        return redirect("respond_about", token)
    questionnaire = Questionnaire(invitation.cycle.bank)
    if draft.step != questionnaire.review_step:
        draft.step = questionnaire.review_step
        draft.save(update_fields=["step", "updated_at"])
    problems = services.draft_problems(draft, invitation.cycle)
    return _render_review(request, invitation, questionnaire, draft, token, problems)


def _render_review(
    request, invitation, questionnaire, draft, token, problems: list[str], status: int = 200
) -> HttpResponse:
    review = questionnaire.review(draft, token)
    context = _context(
        invitation, questionnaire, token, draft=draft, review=review, problems=problems
    )
    return _render(request, "review", context, status=status)


@respondent_view
@require_POST
def respond_submit(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    try:
        services.submit_response(invitation)
    except services.SubmitRefused as refused:
        draft = DraftResponse.objects.filter(invitation=invitation).first()
        if draft is None:
            return _closed_page(request, invitation, str(refused))
        if draft.partner_id is None:
            # The review names the organisation; with none chosen, the about-you page asks.
            return redirect("respond_about", token)
        questionnaire = Questionnaire(invitation.cycle.bank)
        return _render_review(
            request, invitation, questionnaire, draft, token, [str(refused)], status=400
        )
    # First submit or a repeat (double click, second tab): both land on the thank-you page.
    return redirect("respond_start", token)


@respondent_view
def respond_not_found(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """Any other address under /r/: a personal link with a piece missing or added."""
    raise Http404("No such page for a personal link.")
