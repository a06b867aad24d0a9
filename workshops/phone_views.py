"""The participants' pages, on their phones, with no account.

A phone finds its workshop by the code (throttled: workshops/access.py) and is the participant
its session names. Its panel polls (htmx, every few seconds): while nothing it shows has changed
the server answers 204 and htmx leaves the page alone, so text being typed is kept; when the
facilitator moves on, the panel is drawn again. A write for a step that is over is refused with
a message, and the text typed is shown back in the form.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from workshops import board, services
from workshops.access import (
    CodeRefused,
    participant_for,
    remember_participant,
    workshop_for_code,
)
from workshops.forms import CodeForm, IdeaForm, JoinForm
from workshops.models import Idea, Participant, Step, Workshop


def phone_view(view):
    return login_not_required(never_cache(view))


@phone_view
def enter_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workshop = workshop_for_code(request, form.cleaned_data["code"])
        except CodeRefused as refused:
            form.add_error("code", str(refused))
        else:
            return redirect("workshop_phone", code=workshop.code)
    status = 400 if form.errors else 200
    return render(request, "workshops/enter_code.html", {"form": form}, status=status)


def _refused(request: HttpRequest, refused: CodeRefused) -> HttpResponse:
    form = CodeForm()
    return render(
        request, "workshops/enter_code.html", {"form": form, "refused": str(refused)}, status=404
    )


def _panel_context(
    workshop: Workshop, participant: Participant, *, notice: str = "", kept: str = ""
) -> dict:
    context = {
        "workshop": workshop,
        "participant": participant,
        "state": board.phone_state(workshop, participant),
        "notice": notice,
        "idea_form": IdeaForm(initial={"step": workshop.step, "text": kept}),
        "kept": kept,
    }
    step = workshop.step
    if step == Step.OWN:
        context["ideas"] = [board.shown(i) for i in Idea.objects.by_writer(participant)]
    if step in (Step.PAIR, Step.EXPLAIN) and participant.group:
        context["partners"] = [
            m for m in participant.group.members.select_related("partner") if m != participant
        ]
        context["ideas"] = board.group_ideas(participant.group)
    if step == Step.EXPLAIN:
        group, _, total = board.explaining_group(workshop)
        context.update(explaining=group, group_total=total)
    if step == Step.RANK:
        context["ballot"] = board.ballot(workshop, participant)
    if step in (Step.ARRANGE, Step.ENDED):
        context["ranked"] = board.ranked_ideas(workshop)[:10]
    return context


@phone_view
def phone(request: HttpRequest, code: str) -> HttpResponse:
    try:
        workshop = workshop_for_code(request, code)
    except CodeRefused as refused:
        return _refused(request, refused)
    participant = participant_for(request, workshop)
    if participant is None:
        form = JoinForm(place=workshop.place)
        return render(request, "workshops/join.html", {"workshop": workshop, "form": form})
    context = _panel_context(workshop, participant)
    return render(request, "workshops/phone.html", context)


@phone_view
def panel(request: HttpRequest, code: str) -> HttpResponse:
    """The polled panel: 204 (nothing to redraw) while the phone's state is current."""
    try:
        workshop = workshop_for_code(request, code)
    except CodeRefused:
        # Ended or expired: the panel says so (and stops polling, having no trigger).
        return render(request, "workshops/_ended_panel.html")
    participant = participant_for(request, workshop)
    if participant is None:
        return HttpResponse(status=204)
    if request.GET.get("state") == board.phone_state(workshop, participant):
        return HttpResponse(status=204)
    return render(request, "workshops/_phone_panel.html", _panel_context(workshop, participant))


@phone_view
@require_POST
def join(request: HttpRequest, code: str) -> HttpResponse:
    try:
        workshop = workshop_for_code(request, code)
    except CodeRefused as refused:
        return _refused(request, refused)
    if participant_for(request, workshop) is not None:
        return redirect("workshop_phone", code=workshop.code)  # one device, one participant
    form = JoinForm(request.POST, place=workshop.place)
    if not form.is_valid():
        context = {"workshop": workshop, "form": form}
        return render(request, "workshops/join.html", context, status=400)
    try:
        participant = services.join(
            workshop,
            display_name=form.cleaned_data["display_name"],
            partner=form.cleaned_data["partner"],
        )
    except services.WorkshopError as error:
        return _refused(request, CodeRefused(str(error)))
    remember_participant(request, participant)
    return redirect("workshop_phone", code=workshop.code)


def _write(request: HttpRequest, code: str, write) -> HttpResponse:
    """Run `write(participant)`; on a refusal show the phone page again with the message."""
    try:
        workshop = workshop_for_code(request, code)
    except CodeRefused as refused:
        return _refused(request, refused)
    participant = participant_for(request, workshop)
    if participant is None:
        return redirect("workshop_phone", code=workshop.code)
    try:
        write(participant)
    except services.WorkshopError as error:
        workshop.refresh_from_db()
        kept = request.POST.get("text", "")
        context = _panel_context(workshop, participant, notice=str(error), kept=kept)
        return render(request, "workshops/phone.html", context, status=409)
    return redirect("workshop_phone", code=workshop.code)


@phone_view
@require_POST
def idea_add(request: HttpRequest, code: str) -> HttpResponse:
    form = IdeaForm(request.POST)

    def write(participant: Participant) -> None:
        if not form.is_valid():
            raise services.WorkshopError(
                "Write your idea first (up to 300 characters)."
                if "text" in form.errors
                else "This form is out of date; nothing was changed."
            )
        services.add_idea(
            participant,
            step=form.cleaned_data["step"],
            text=form.cleaned_data["text"],
            signed=form.cleaned_data["signed"] and bool(participant.display_name),
        )

    return _write(request, code, write)


def _id(request: HttpRequest, name: str) -> int:
    try:
        return int(request.POST.get(name, ""))
    except ValueError:
        raise services.WorkshopError("This form is out of date; nothing was changed.") from None


@phone_view
@require_POST
def idea_drop(request: HttpRequest, code: str) -> HttpResponse:
    return _write(
        request,
        code,
        lambda p: services.drop_idea(p, _id(request, "idea"), step=request.POST.get("step", "")),
    )


@phone_view
@require_POST
def vote(request: HttpRequest, code: str) -> HttpResponse:
    def write(participant: Participant) -> None:
        if request.POST.get("undo"):
            services.unvote(participant, _id(request, "idea"))
        else:
            services.vote(participant, _id(request, "idea"))

    return _write(request, code, write)
