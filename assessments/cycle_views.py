"""Facilitator pages for a place's cycles and invitations. Facilitators see who has taken part,
never what anyone answered."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods, require_POST

from assessments import delivery, participation, scheduled, services
from assessments.cycle_forms import (
    CycleForm,
    ExtendForm,
    InvitationEmailForm,
    InvitationForm,
    InvitationImportForm,
)
from assessments.models import Cycle, CycleStatus, Invitation
from places.access import PlaceAccess, place_for_facilitator
from places.models import Membership


def _cycle(access: PlaceAccess, cycle_id: int) -> Cycle:
    # Filtered by the place the user may facilitate: another place's cycle is a 404.
    return get_object_or_404(
        Cycle.objects.select_related("place", "bank"), pk=cycle_id, place=access.place
    )


def _to_cycle(cycle: Cycle) -> HttpResponse:
    return redirect("cycle_detail", slug=cycle.place.slug, cycle_id=cycle.pk)


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def cycle_list(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    return render(
        request,
        "assessments/cycle_list.html",
        {
            "place": access.place,
            "access": access,
            "cycles": participation.cycle_summaries(access.place),
        },
    )


def cycle_create(request: HttpRequest, slug: str) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    form = CycleForm(request.POST or None, place=access.place)
    if request.method == "POST" and form.is_valid():
        cycle = form.save()
        messages.success(
            request, f"Created {cycle.name}. Invite people now; their links work once it opens."
        )
        return _to_cycle(cycle)
    return render(
        request,
        "assessments/cycle_form.html",
        {"place": access.place, "access": access, "form": form, "cycle": None},
    )


def cycle_edit(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    form = CycleForm(request.POST or None, instance=cycle, place=access.place)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except ValueError as error:
            # Opened by someone else since this form was shown: k and bank are now fixed.
            messages.error(request, f"Nothing was saved. {error}")
        else:
            messages.success(request, "Saved the changes to the cycle.")
        return _to_cycle(cycle)
    return render(
        request,
        "assessments/cycle_form.html",
        {"place": access.place, "access": access, "form": form, "cycle": cycle},
    )


# Failed emails listed on the cycle page; the rest are counted.
FAILURES_LISTED = 50


def cycle_detail(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    is_open = cycle.status == CycleStatus.OPEN
    invitees = participation.invitee_rows(cycle)
    failures = delivery.failures_to_show(cycle)
    return render(
        request,
        "assessments/cycle_detail.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "participation": participation.partner_participation(cycle),
            "invitees": invitees,
            "invitees_erased": any(row.invitation.erased_at for row in invitees),
            "retention_days": settings.PERSONAL_DATA_RETENTION_DAYS,
            "reminder_count": delivery.reminder_candidates(cycle).count() if is_open else 0,
            "reminder_interval": settings.REMINDER_INTERVAL_HOURS,
            "can_invite": cycle.status in (CycleStatus.DRAFT, CycleStatus.OPEN),
            "emails": delivery.summary(cycle),
            "failures": list(failures[:FAILURES_LISTED]),
            "failure_count": failures.count(),
            "automation_failure": scheduled.current_failure(cycle),
            "open_elsewhere": (
                Cycle.objects.open_in_place(access.place.pk).exclude(pk=cycle.pk).first()
                if cycle.status == CycleStatus.DRAFT
                else None
            ),
        },
    )


def _transition(
    request: HttpRequest,
    slug: str,
    cycle_id: int,
    move: Callable[[Cycle], object],
    done: str | Callable[[object], str],
) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    try:
        result = move(cycle)
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _to_cycle(cycle)


def _opened(invited: int) -> str:
    if not invited:
        return "The cycle is open: invitation links now work."
    return (
        f"The cycle is open: invitation links now work, and "
        f"{_plural(invited, 'invitation')} {'is' if invited == 1 else 'are'} being emailed."
    )


@require_POST
def cycle_open(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    return _transition(request, slug, cycle_id, services.open_cycle, _opened)


@require_http_methods(["GET", "POST"])
def cycle_close(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """GET: what closing now will do; POST: close."""
    if request.method == "POST":
        return _transition(
            request,
            slug,
            cycle_id,
            services.close_cycle,
            "The cycle is closed: links no longer work and the results have been worked out. "
            "Review them, then release them to partner members.",
        )
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if cycle.status != CycleStatus.OPEN:
        messages.info(request, f"This cycle is {cycle.get_status_display().lower()}, not open.")
        return _to_cycle(cycle)
    counts = participation.partner_participation(cycle)
    return render(
        request,
        "assessments/cycle_close.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "participation": counts,
            "discarded": counts.started - counts.submitted,
        },
    )


def _released(emailed: int) -> str:
    return "The results are released: partner members can now see them" + (
        f", and {_plural(emailed, 'person', 'people')} invited "
        f"{'is' if emailed == 1 else 'are'} being emailed the link to the public summary."
        if emailed
        else "."
    )


@require_http_methods(["GET", "POST"])
def cycle_release(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """GET: who will see the results, and that it cannot be undone; POST: release."""
    if request.method == "POST":
        return _transition(
            request,
            slug,
            cycle_id,
            services.release_cycle,
            _released,
        )
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if cycle.status != CycleStatus.CLOSED:
        messages.info(
            request,
            "Only a closed cycle's results can be released; this one is "
            f"{cycle.get_status_display().lower()}.",
        )
        return _to_cycle(cycle)
    return render(
        request,
        "assessments/cycle_release.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "readers": Membership.objects.role_counts(access.place),
            "emailed": delivery.results_recipients(cycle).count(),
        },
    )


def cycle_extend(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if cycle.status != CycleStatus.OPEN:
        messages.error(request, "Only an open cycle's closing date can be extended.")
        return _to_cycle(cycle)
    form = ExtendForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.extend_cycle(cycle, form.cleaned_data["closes_on"])
        except services.TransitionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                f"People can now answer until the end of "
                f"{date_format(cycle.closes_on, 'j F Y')}. Reminders give the new date.",
            )
        return _to_cycle(cycle)
    return render(
        request,
        "assessments/cycle_extend.html",
        {"place": access.place, "access": access, "cycle": cycle, "form": form},
    )


def invitation_email(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """The facilitator's message and contact in the invitation email, with a preview of the
    email as it will be sent; "Preview" shows the change without saving it."""
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    editable = cycle.status in (CycleStatus.DRAFT, CycleStatus.OPEN)
    form = InvitationEmailForm(request.POST or None, instance=cycle)
    if request.method == "POST" and editable and form.is_valid():
        if "save" in request.POST:
            # Only these columns: the cycle may have been opened meanwhile, which changes
            # nothing here (emails not yet sent carry the words saved now).
            Cycle.objects.filter(pk=cycle.pk).update(
                **{name: form.cleaned_data[name] for name in form.Meta.fields}
            )
            messages.success(request, "Saved: invitations sent from now on carry this message.")
            return _to_cycle(cycle)
    elif request.method == "POST" and not editable:
        messages.error(request, "This cycle has closed, so no more invitations will be sent.")
        return _to_cycle(cycle)
    # Unsaved changes are previewed from the form's copy of the cycle; invalid ones from the
    # stored cycle.
    shown = form.instance if form.is_bound and form.is_valid() else _cycle(access, cycle_id)
    return render(
        request,
        "assessments/invitation_email.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "form": form,
            "editable": editable,
            "preview": delivery.preview_invitation(shown),
        },
    )


def invitation_import(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if cycle.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        messages.error(request, "This cycle has closed, so nobody more can be invited to it.")
        return _to_cycle(cycle)
    form = InvitationImportForm(request.POST or None, request.FILES or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            invitations = services.create_invitations(cycle, form.cleaned_data["invitees"])
        except IntegrityError:
            # Someone else invited one of these addresses between our check and the insert.
            form.add_error(
                "lines",
                "One of these people was invited by someone else a moment ago. Nothing was "
                "imported: please check the list and try again.",
            )
        else:
            _invited(request, cycle, _plural(len(invitations), "person", "people"))
            return _to_cycle(cycle)
    return render(
        request,
        "assessments/invitation_import.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "form": form,
            "partners": access.place.partners.all(),
        },
    )


def _invited(request: HttpRequest, cycle: Cycle, people: str) -> None:
    if cycle.status == CycleStatus.OPEN:
        messages.success(
            request,
            f"Invited {people}: their emails are being sent now. Any email that cannot "
            "be sent will be listed on this page.",
        )
    else:
        messages.success(
            request,
            f"Invited {people}: their invitations will be emailed when the cycle opens.",
        )


def _closed_to_invitations(request: HttpRequest, cycle: Cycle) -> HttpResponse | None:
    if cycle.status in (CycleStatus.DRAFT, CycleStatus.OPEN):
        return None
    messages.error(request, "This cycle has closed, so nobody more can be invited to it.")
    return _to_cycle(cycle)


def invitation_add(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    """Invite one person with a form."""
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if refused := _closed_to_invitations(request, cycle):
        return refused
    form = InvitationForm(request.POST or None, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        invitee = services.InviteeLine(
            name=form.cleaned_data["name"],
            email=form.cleaned_data["email"],
            partner=form.cleaned_data["partner"],
        )
        try:
            services.create_invitations(cycle, [invitee])
        except IntegrityError:
            form.add_error("email", "Someone else invited this address a moment ago.")
        else:
            _invited(request, cycle, invitee.name)
            return _to_cycle(cycle)
    return render(
        request,
        "assessments/invitation_form.html",
        {"place": access.place, "access": access, "cycle": cycle, "form": form},
    )


def invitation_edit(
    request: HttpRequest, slug: str, cycle_id: int, invitation_id: int
) -> HttpResponse:
    """Correct the name or address of someone who has not started; their link is replaced."""
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    invitation = get_object_or_404(Invitation.objects.with_status(), pk=invitation_id, cycle=cycle)
    problem = None
    if cycle.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        problem = "This cycle has closed, so its invitations can no longer change."
    elif invitation.is_revoked:
        problem = "This link has been withdrawn. Send a new link first, then correct it."
    elif invitation.submitted or invitation.has_draft:
        problem = (
            f"{invitation.name} has started answering, so their invitation can no longer be "
            "changed."
        )
    if problem:
        messages.error(request, problem)
        return _to_cycle(cycle)
    form = InvitationForm(request.POST or None, instance=invitation, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_invitation(
                invitation, form.cleaned_data["name"], form.cleaned_data["email"]
            )
        except services.NotCorrectable as error:
            messages.error(request, f"Nothing was changed. {error}")
        except IntegrityError:
            messages.error(request, "Nothing was changed: someone else invited that address.")
        else:
            when = "now" if cycle.status == CycleStatus.OPEN else "when the cycle opens"
            messages.success(
                request,
                f"Corrected. {invitation.name} has a new personal link, emailed to "
                f"{invitation.email} {when}; the old link no longer works.",
            )
        return _to_cycle(cycle)
    return render(
        request,
        "assessments/invitation_form.html",
        {
            "place": access.place,
            "access": access,
            "cycle": cycle,
            "form": form,
            "invitation": invitation,
        },
    )


@require_POST
def invitation_revoke(
    request: HttpRequest, slug: str, cycle_id: int, invitation_id: int
) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, cycle=cycle)
    if invitation.is_revoked:
        messages.info(request, f"The link for {invitation.name} was already withdrawn.")
    elif invitation.submitted:
        messages.error(
            request, f"{invitation.name} has already submitted, so there is no link to withdraw."
        )
    elif cycle.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        messages.error(request, "This cycle has closed, so its links already no longer work.")
    else:
        services.revoke_invitation(invitation)
        messages.success(
            request,
            f"Withdrew the link for {invitation.name}: it no longer works, and anything they "
            "had started has been deleted.",
        )
    return _to_cycle(cycle)


@require_POST
def invitation_reissue(
    request: HttpRequest, slug: str, cycle_id: int, invitation_id: int
) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    invitation = get_object_or_404(Invitation, pk=invitation_id, cycle=cycle)
    if not invitation.is_revoked:
        messages.info(request, f"{invitation.name}'s link has not been withdrawn.")
    elif cycle.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        messages.error(request, "This cycle has closed, so no new links can be issued.")
    elif services.reissue_invitation(invitation):
        when = "now" if cycle.status == CycleStatus.OPEN else "when the cycle opens"
        messages.success(
            request,
            f"{invitation.name} has a new personal link, emailed to them {when}. The old one "
            "stays withdrawn.",
        )
    return _to_cycle(cycle)


@require_POST
def cycle_remind(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    if cycle.status != CycleStatus.OPEN:
        messages.error(request, "Reminders can only be sent while the cycle is open.")
        return _to_cycle(cycle)
    queued = delivery.queue_reminders(cycle)
    if queued:
        messages.success(request, f"Sending {_plural(queued, 'reminder')} now.")
    else:
        messages.info(
            request,
            "No reminders were sent: everyone has either submitted or been emailed in the last "
            f"{settings.REMINDER_INTERVAL_HOURS} hours.",
        )
    return _to_cycle(cycle)


@require_POST
def cycle_retry_emails(request: HttpRequest, slug: str, cycle_id: int) -> HttpResponse:
    access = place_for_facilitator(request.user, slug)
    cycle = _cycle(access, cycle_id)
    retried = delivery.retry_failed(cycle)
    if retried:
        messages.success(request, f"Trying {_plural(retried, 'email')} again now.")
    else:
        messages.info(request, "There are no emails to try again.")
    return _to_cycle(cycle)
