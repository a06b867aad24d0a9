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
from assessments.respond_forms import (
    AboutYouForm,
    ConditionPage,
    ConditionPageForm,
    SpectrumForm,
)
from assessments.respond_pages import Questionnaire
from betterway.jinja2 import render_with_holes


def respondent_view(view):
    """The decorations every page reached by a personal link needs."""
    return login_not_required(csrf_exempt(never_cache(no_referrer(view))))


def no_referrer(view):
    # The token is in the URL: never send it on to another site in a Referer header.
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped


def _render(request, page: str, context: dict, status: int = 200) -> HttpResponse:
    """Render one of the respondent's pages: Jinja2 templates, see betterway/jinja2.py."""
    return render(request, f"respond/{page}.html", context, status=status, using="jinja2")


def _invitation(token: str) -> Invitation:
    # One query brings the cycle, bank, place and draft: every page of the journey needs them.
    invitation = Invitation.objects.by_token(token) if len(token) <= 128 else None
    if invitation is None:
        raise Http404("This link is not recognised.")
    return invitation


def _saved_draft(invitation: Invitation) -> DraftResponse | None:
    """The draft read with the invitation, if there is one."""
    try:
        return invitation.draft
    except DraftResponse.DoesNotExist:
        return None


def _draft(invitation: Invitation) -> DraftResponse:
    draft, _ = DraftResponse.objects.get_or_create(invitation=invitation)
    return draft


def _closed_page(request, invitation: Invitation, message: str) -> HttpResponse:
    return _render(
        request,
        "unavailable",
        {"invitation": invitation, "cycle": invitation.cycle, "message": message},
        status=403,
    )


def _context(invitation: Invitation, questionnaire: Questionnaire, token: str, **extra):
    return {
        "invitation": invitation,
        "cycle": invitation.cycle,
        "place": invitation.cycle.place,
        "place_name": invitation.cycle.place.name,
        "token": token,
        "questionnaire": questionnaire,
        **extra,
    }


@respondent_view
@require_http_methods(["GET"])
def respond_start(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return _render(request, "thanks", {"cycle": invitation.cycle})
    refusal = invitation.refusal()
    if refusal:
        return _closed_page(request, invitation, refusal)
    questionnaire = Questionnaire.for_bank(invitation.cycle.bank)
    draft = _saved_draft(invitation)
    resume_url = questionnaire.url_for_step(token, draft.step) if draft else None
    return _render(
        request,
        "start",
        _context(
            invitation,
            questionnaire,
            token,
            draft=draft,
            resume_url=resume_url,
            retention_days=settings.PERSONAL_DATA_RETENTION_DAYS,
        ),
    )


@respondent_view
@require_http_methods(["GET", "POST"])
def respond_about(request: HttpRequest, token: str) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return redirect("respond_start", token)
    questionnaire = Questionnaire.for_bank(invitation.cycle.bank)
    place = invitation.cycle.place
    refusal = invitation.refusal()
    if request.method == "POST":
        form = AboutYouForm(request.POST, place=place)
        if refusal:
            form.is_valid()
            context = _context(invitation, questionnaire, token, form=form)
            return _render_refused(request, "about", context, refusal)
        if form.is_valid():
            draft = _draft(invitation)
            draft.partner = form.cleaned_data["partner"]
            draft.role_level = form.cleaned_data["role_level"]
            draft.step = max(draft.step, 1)
            # Only these fields: a page saved meanwhile in another tab keeps its answers.
            draft.save(update_fields=["partner", "role_level", "step", "updated_at"])
            return redirect(questionnaire.url_for_step(token, 1))
    else:
        if refusal:
            return _closed_page(request, invitation, refusal)
        draft = _saved_draft(invitation)
        initial = {"partner": invitation.partner_id, "role_level": ""}
        if draft and draft.partner_id:
            initial = {"partner": draft.partner_id, "role_level": draft.role_level}
        form = AboutYouForm(initial=initial, place=place)
    return _render(
        request,
        "about",
        _context(invitation, questionnaire, token, form=form),
    )


def _render_refused(request, template: str, context: dict, refusal: str) -> HttpResponse:
    """Show why nothing could be saved, on the same page, with what was typed still there."""
    return _render(request, template, {**context, "refusal": refusal}, status=403)


@respondent_view
@require_http_methods(["GET", "POST"])
def respond_page(request: HttpRequest, token: str, number: int) -> HttpResponse:
    invitation = _invitation(token)
    if invitation.submitted:
        return redirect("respond_start", token)
    cycle = invitation.cycle
    questionnaire = Questionnaire.for_bank(cycle.bank)
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
    context = _context(invitation, questionnaire, token, condition=condition, number=number)
    if request.method == "GET":
        if refusal:
            return _closed_page(request, invitation, refusal)
        return _show_page(request, context, _saved_fields(questionnaire, condition, draft))

    action = request.POST.get("action", "next")
    if action not in PAGE_ACTIONS:
        action = "next"  # an unknown button value is treated as the main button
    form = _page_form(request.POST, questionnaire, condition, require_all=action == "next")
    if refusal:
        form.is_valid()
        return _show_page(request, context, _sent_fields(form), refusal=refusal, status=403)
    if not form.is_valid():
        return _show_page(request, context, _sent_fields(form), status=400)

    if not _save_page(draft, form, condition, number, action):
        # Submitted or withdrawn in another tab a moment ago: the start page says which.
        return redirect("respond_start", token)
    if action == "back":
        return redirect(questionnaire.url_for_step(token, number - 1))
    if action == "later":
        return _render(request, "saved", context)
    return redirect(questionnaire.url_for_step(token, number + 1))


def _show_page(
    request, context: dict, fields: dict, refusal: str | None = None, status: int = 200
) -> HttpResponse:
    """A questionnaire page with these fields: the spectrum question, or a condition's page."""
    if "page" not in fields:
        return _render(request, "spectrum", {**context, **fields, "refusal": refusal}, status)
    page: ConditionPage = fields["page"]
    cycle, questionnaire = context["cycle"], context["questionnaire"]
    # All the page shows besides the holes: see templates/jinja2/respond/page.html.
    fixed = {
        "condition_name": context["condition"].name,
        "condition_description": context["condition"].description,
        "number": context["number"],
        "page_count": questionnaire.page_count,
        "k": cycle.min_group_size,
        "has_errors": page.has_errors,
        "page_errors": tuple(page.page_errors),
        "comment_name": page.comment.name,
        "comment_id": page.comment.id,
        "comment_label": page.comment.label,
        "comment_errors": tuple(page.comment.errors),
        "refusal": refusal,
    }
    holes = {
        "place_name": context["place"].name,
        "questions": page.questions,
        "comment_text": page.comment.text,
    }
    html = render_with_holes("respond/page.html", fixed, holes)
    return HttpResponse(html, status=status)


def _saved_fields(
    questionnaire: Questionnaire, condition: Condition | None, draft: DraftResponse
) -> dict:
    """The page's fields with the draft's saved answers, to show the page."""
    if condition is None:
        initial = {"spectrum_choice": draft.spectrum_choice}
        return {"form": SpectrumForm(initial=initial, bank=questionnaire.bank)}
    page = ConditionPage.from_draft(
        condition,
        questionnaire.question_rows(condition),
        draft.answers,
        draft.comments.get(str(condition.pk), ""),
    )
    return {"page": page}


def _sent_fields(form: ConditionPageForm | SpectrumForm) -> dict:
    """The page's fields as they were sent, with their errors, to show the page back."""
    return {"page": form.page()} if isinstance(form, ConditionPageForm) else {"form": form}


def _page_form(
    data: QueryDict, questionnaire: Questionnaire, condition: Condition | None, require_all: bool
) -> ConditionPageForm | SpectrumForm:
    if condition is None:
        return SpectrumForm(data, bank=questionnaire.bank, require_all=require_all)
    return ConditionPageForm(
        data,
        condition=condition,
        statements=questionnaire.statements_for(condition),
        require_all=require_all,
    )


PAGE_ACTIONS = {"next", "back", "later"}


@transaction.atomic
def _save_page(draft: DraftResponse, form, condition, number: int, action: str) -> bool:
    """Store the page's answers; False if the draft is gone (submitted or withdrawn meanwhile)."""
    # Re-read under a row lock: two tabs saving different pages at once must not overwrite
    # each other's answers with a stale copy of the draft.
    draft = DraftResponse.objects.select_for_update().filter(pk=draft.pk).first()
    if draft is None:
        return False
    if condition is None:
        if form.cleaned_data["spectrum_choice"]:
            draft.spectrum_choice = form.cleaned_data["spectrum_choice"]
    else:
        draft.answers.update(form.answers())
        comment = form.cleaned_data["comment"].strip()
        if comment:
            draft.comments[str(condition.pk)] = comment
        else:
            draft.comments.pop(str(condition.pk), None)
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
    draft = DraftResponse.objects.filter(invitation=invitation).select_related("partner").first()
    if draft is None or draft.partner_id is None:
        return redirect("respond_about", token)
    questionnaire = Questionnaire.for_bank(invitation.cycle.bank)
    if draft.step != questionnaire.review_step:
        draft.step = questionnaire.review_step
        draft.save(update_fields=["step", "updated_at"])
    return _render_review(request, invitation, questionnaire, draft, token)


def _render_review(request, invitation, questionnaire, draft, token, problems=None, status=200):
    return _render(
        request,
        "review",
        _context(
            invitation,
            questionnaire,
            token,
            draft=draft,
            review=questionnaire.review(draft, token),
            problems=problems
            if problems is not None
            else services.draft_problems(draft, invitation.cycle),
        ),
        status=status,
    )


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
        questionnaire = Questionnaire.for_bank(invitation.cycle.bank)
        return _render_review(
            request, invitation, questionnaire, draft, token, problems=[str(refused)], status=400
        )
    # First submit or a repeat (double click, second tab): both land on the thank-you page.
    return redirect("respond_start", token)
