"""Emails, through an outbox: every email is a Delivery row, sent by a background worker.

A delivery is written in the same transaction as whatever asked for it (an import, an opening, a
reminder run), and so is the task that sends it: the task backend keeps tasks in the app's own
database, so a task can never refer to rows that were rolled back, nor rows be left without their
task. Tasks carry delivery ids only; the message, and the personal link in it, is made by the worker
at the moment it sends.

Sending one delivery: the worker claims it with a conditional UPDATE (queued, due, and the attempt
count it read) that sets a lease; sends; marks it sent if its attempt is still the latest. A
temporary failure (the server cannot be reached, a 4xx reply) queues it again after a growing
delay, with a task that runs then; a permanent one (no valid address, a 5xx reply) or the last
attempt marks it failed, which the cycle page shows. `sweep()` hands on deliveries whose worker
died. So every email goes out at least once, and only a worker dying after the mail server
accepted a message and before marking it sent can send it twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import smtplib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments import tokens
from assessments.models import (
    PENDING_DELIVERY,
    AutomationFailure,
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Invitation,
)

log = logging.getLogger(__name__)

# Deliveries per task: one connection to the mail server each, and several workers share a big
# round's invitations.
BATCH_SIZE = 100
# Ids per UPDATE … WHERE id IN (…): well under every database's limit on parameters.
_CHUNK = 500

# Emails that carry the link to stop reminders and results emails.
STOPPABLE = (DeliveryKind.REMINDER, DeliveryKind.RESULTS)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("respond_start", args=[invitation.token])


def public_summary_url(cycle: Cycle) -> str:
    return settings.SITE_URL + reverse("public_summary", args=[tokens.summary_token(cycle.pk)])


def stop_emails_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("emails_stop", args=[invitation.token])


def retry_delay(attempt: int) -> dt.timedelta:
    """How long to wait after the given failed attempt (1, 2, …): doubling each time."""
    return dt.timedelta(seconds=settings.DELIVERY_RETRY_SECONDS * 2 ** (attempt - 1))


def _chunks(ids: Sequence[int], size: int = _CHUNK) -> Iterable[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def enqueue(ids: Sequence[int], run_after: dt.datetime | None = None) -> None:
    """Tasks to send these deliveries, a batch each; call inside the transaction that queued
    them (see the module's docstring)."""
    from assessments.tasks import send_emails  # tasks imports this module

    task = send_emails if run_after is None else send_emails.using(run_after=run_after)
    for batch in _chunks(list(ids), BATCH_SIZE):
        task.enqueue(list(batch))


# --- Queueing ---


def queue_invitations(cycle: Cycle, invitations: Sequence[Invitation]) -> None:
    """Invitation emails for these invitees: on their way now in an open cycle, and kept until it
    opens in a draft one (nobody gets a link to a cycle that is not open). `cycle.status` must be
    current: read it with the cycle's row locked (services.create_invitations)."""
    now = timezone.now()
    is_open = cycle.status == CycleStatus.OPEN
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            cycle=cycle,
            invitation=invitation,
            kind=DeliveryKind.INVITATION,
            status=DeliveryStatus.QUEUED if is_open else DeliveryStatus.WAITING,
            next_attempt_at=now if is_open else None,
        )
        for invitation in invitations
    )
    if is_open:
        enqueue([delivery.pk for delivery in deliveries])


def release_waiting(cycle: Cycle) -> int:
    """Send the invitations kept for the cycle's opening; runs in the opening's transaction."""
    now = timezone.now()
    waiting = cycle.deliveries.filter(status=DeliveryStatus.WAITING)
    ids = list(waiting.values_list("pk", flat=True))
    # The reminder interval counts from the invitation email.
    Invitation.objects.filter(
        cycle=cycle, deliveries__status=DeliveryStatus.WAITING, last_sent_at__isnull=True
    ).update(last_sent_at=now)
    for chunk in _chunks(ids):
        Delivery.objects.filter(pk__in=chunk, status=DeliveryStatus.WAITING).update(
            status=DeliveryStatus.QUEUED, next_attempt_at=now
        )
    enqueue(ids)
    return len(ids)


def reminder_candidates(cycle: Cycle, now: dt.datetime | None = None):
    """Who a reminder would go to now: not submitted, link not withdrawn, emails not stopped,
    nothing on its way to them, and not emailed within REMINDER_INTERVAL_HOURS."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.REMINDER_INTERVAL_HOURS)
    on_its_way = Delivery.objects.filter(invitation=OuterRef("pk"), status__in=PENDING_DELIVERY)
    return (
        cycle.invitations.awaiting()
        .filter(emails_stopped_at__isnull=True)
        .filter(Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=cutoff))
        .exclude(Exists(on_its_way))
    )


@transaction.atomic
def queue_reminders(cycle: Cycle, now: dt.datetime | None = None) -> int:
    """Queue a reminder for everyone due one; returns how many."""
    if cycle.status != CycleStatus.OPEN:
        return 0
    now = now or timezone.now()
    # The claim that stops two schedulers (or a scheduler and the button) reminding anyone twice:
    # the candidates' rows are locked, skipping rows another run holds, and stamped before this
    # transaction ends, so a run after it finds them emailed within the interval. (SQLite runs
    # one writing transaction at a time, which does the same.)
    ids = list(
        reminder_candidates(cycle, now)
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    for chunk in _chunks(ids):
        Invitation.objects.filter(pk__in=chunk).update(last_sent_at=now)
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            cycle=cycle,
            invitation_id=pk,
            kind=DeliveryKind.REMINDER,
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
        )
        for pk in ids
    )
    enqueue([delivery.pk for delivery in deliveries])
    return len(deliveries)


def results_recipients(cycle: Cycle):
    """The invitations the results email goes to (the release page counts them first)."""
    return cycle.invitations.active().filter(emails_stopped_at__isnull=True, erased_at__isnull=True)


def queue_results(cycle: Cycle) -> int:
    """The results email, with the link to the round's public summary, to everyone invited
    whose link was not withdrawn, whose details are kept and who did not stop emails; runs in
    the release's transaction. Returns how many."""
    now = timezone.now()
    ids = list(results_recipients(cycle).order_by("pk").values_list("pk", flat=True))
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            cycle=cycle,
            invitation_id=pk,
            kind=DeliveryKind.RESULTS,
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
        )
        for pk in ids
    )
    enqueue([delivery.pk for delivery in deliveries])
    return len(deliveries)


def queue_alert(cycle: Cycle, user_ids: Iterable[int]) -> int:
    """Email these facilitators about the cycle's latest automation failure."""
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            cycle=cycle,
            user_id=user_id,
            kind=DeliveryKind.AUTOMATION_ALERT,
            status=DeliveryStatus.QUEUED,
            next_attempt_at=timezone.now(),
        )
        for user_id in user_ids
    )
    enqueue([delivery.pk for delivery in deliveries])
    return len(deliveries)


def cancel_pending(invitation: Invitation, kinds: Iterable[str] | None, reason: str) -> None:
    """Stop emails to this person that have not gone yet (one being sent finishes)."""
    pending = Delivery.objects.filter(
        invitation=invitation, status__in=[DeliveryStatus.WAITING, DeliveryStatus.QUEUED]
    )
    if kinds is not None:
        pending = pending.filter(kind__in=list(kinds))
    pending.update(status=DeliveryStatus.CANCELLED, next_attempt_at=None, error=reason)


@transaction.atomic
def stop_emails(invitation: Invitation) -> bool:
    """The person asked for no more reminders and results emails. Their answers, drafts and link
    are untouched. Returns False if they had already asked."""
    stopped = Invitation.objects.filter(pk=invitation.pk, emails_stopped_at__isnull=True).update(
        emails_stopped_at=timezone.now()
    )
    cancel_pending(invitation, STOPPABLE, "They asked for no more emails.")
    return bool(stopped)


# --- What the facilitator sees, and the retry button ---


def failures_to_show(cycle: Cycle):
    """Failed emails to invitees that still matter: nothing sent or on its way to that person
    since."""
    later = Delivery.objects.filter(
        invitation=OuterRef("invitation"),
        pk__gt=OuterRef("pk"),
        status__in=[DeliveryStatus.SENT, *PENDING_DELIVERY],
    )
    return Delivery.objects.failures_to_show(cycle).exclude(Exists(later))


@dataclass(frozen=True)
class EmailSummary:
    waiting: int  # kept until the cycle opens
    on_their_way: int
    sent: int


def summary(cycle: Cycle) -> EmailSummary:
    """The cycle's emails to invitees by state; one query."""
    counts = Delivery.objects.filter(cycle=cycle, invitation__isnull=False).aggregate(
        waiting=Count("pk", filter=Q(status=DeliveryStatus.WAITING)),
        on_their_way=Count(
            "pk", filter=Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
        ),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
    )
    return EmailSummary(**counts)


@transaction.atomic
def retry_failed(cycle: Cycle) -> int:
    """Queue every failure the cycle page shows again, with a fresh count of attempts."""
    ids = list(failures_to_show(cycle).values_list("pk", flat=True))
    now = timezone.now()
    for chunk in _chunks(ids):
        Delivery.objects.filter(pk__in=chunk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=now, error=""
        )
    enqueue(ids)
    return len(ids)


# --- Sending (in the worker) ---


class Undeliverable(Exception):
    """This email can never be sent as it is; the message says why, for the facilitator."""


# Failures that say nothing about the message: the server is down, unreachable or will not let
# us in. The rest of the batch waits for the retry too, instead of failing one by one.
_SERVER_FAILURES = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
)


def send(ids: Sequence[int]) -> dict[str, int]:
    """Send these deliveries (one task's batch) over one connection; returns counts by outcome."""
    deliveries = Delivery.objects.select_related(
        "invitation__partner", "cycle__place", "user", "action__place"
    ).in_bulk(list(ids))
    outcomes: Counter[str] = Counter()
    mailer = mailers.default
    try:
        for position, pk in enumerate(ids):
            delivery = deliveries.get(pk)
            if delivery is None:
                continue
            outcome, retry_at = _deliver(delivery, mailer)
            outcomes[outcome] += 1
            if outcome == "server unavailable":
                outcomes["postponed"] += _postpone(ids[position + 1 :], retry_at)
                break
    finally:
        with contextlib.suppress(OSError):  # every email is recorded already: only QUIT failed
            mailer.close()
    return dict(outcomes)


def _deliver(delivery: Delivery, mailer) -> tuple[str, dt.datetime | None]:
    """Send one delivery; returns what happened, and when it will be tried again if it will."""
    now = timezone.now()
    if delivery.status != DeliveryStatus.QUEUED or not delivery.next_attempt_at:
        return "not queued", None
    if delivery.next_attempt_at > now:
        return "not due", None  # a task from before its retry was set, e.g. a sweep's
    reason = needless(delivery)
    if reason:
        Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.CANCELLED, next_attempt_at=None, error=reason
        )
        return "cancelled", None

    attempt = delivery.attempts + 1
    claimed = Delivery.objects.filter(
        pk=delivery.pk,
        status=DeliveryStatus.QUEUED,
        attempts=delivery.attempts,
        next_attempt_at__lte=now,
    ).update(
        status=DeliveryStatus.SENDING,
        attempts=attempt,
        lease_expires_at=now + dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS),
    )
    if not claimed:
        return "claimed elsewhere", None

    address = recipient(delivery)
    try:
        message = build_message(delivery)
        mailer.open()  # once per batch: later calls find the connection open
        mailer.send_messages([message])
    except Undeliverable as error:
        return _failed(delivery, attempt, str(error))
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()), (0, b""))
        if code >= 500:
            return _failed(
                delivery, attempt, f"The mail server refused this address ({_reply(code, reply)})."
            )
        return _failed(delivery, attempt, _try_later(code, reply), temporary=True)
    except _SERVER_FAILURES as error:
        return _server_failed(delivery, attempt, mailer, error)
    except smtplib.SMTPResponseException as error:
        if error.smtp_code >= 500:
            return _failed(
                delivery,
                attempt,
                f"The mail server refused it ({_reply(error.smtp_code, error.smtp_error)}).",
            )
        return _failed(
            delivery, attempt, _try_later(error.smtp_code, error.smtp_error), temporary=True
        )
    except OSError as error:  # refused, timed out, reset: smtplib's own errors are OSErrors too
        return _server_failed(delivery, attempt, mailer, error)
    except ValueError as error:
        # Django could not write the address into the message's headers.
        log.warning("Delivery %s: %s", delivery.pk, _without(str(error), address))
        return _failed(delivery, attempt, "This is not a valid email address.")
    except Exception as error:
        log.exception("Delivery %s could not be sent", delivery.pk)
        return _failed(
            delivery, attempt, f"An error on our side ({type(error).__name__}).", temporary=True
        )

    marked = Delivery.objects.filter(
        pk=delivery.pk,
        attempts=attempt,
        status__in=[DeliveryStatus.SENDING, DeliveryStatus.QUEUED],
    ).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        lease_expires_at=None,
        next_attempt_at=None,
        error="",
    )
    if not marked:
        log.warning("Delivery %s was sent after its lease had been handed on", delivery.pk)
    # Logged without the link: a log file must never hold a usable token.
    log.info("Sent %s for delivery %s", delivery.kind, delivery.pk)
    return "sent", None


def _reply(code: int, reply: bytes | str) -> str:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
    return f"{code} {text}".strip()


def _try_later(code: int, reply: bytes | str) -> str:
    return f"The mail server asked us to try again later ({_reply(code, reply)})."


def _without(text: str, address: str) -> str:
    """The text with the address taken out: error messages outlive an erased invitation."""
    if not address:
        return text
    return re.sub(re.escape(address), "[address]", text, flags=re.IGNORECASE)


def _server_failed(delivery, attempt, mailer, error) -> tuple[str, dt.datetime | None]:
    with contextlib.suppress(OSError):  # it may be broken already
        mailer.close()
    detail = str(error) or type(error).__name__
    outcome, retry_at = _failed(
        delivery,
        attempt,
        f"The mail server could not be reached ({type(error).__name__}: {detail}).",
        temporary=True,
    )
    return ("server unavailable" if outcome == "retry" else outcome), retry_at


def _failed(
    delivery: Delivery, attempt: int, error: str, temporary: bool = False
) -> tuple[str, dt.datetime | None]:
    """Queue the delivery again after a delay, or mark it failed (a permanent error, or the last
    attempt)."""
    error = _without(error, recipient(delivery))[:500]
    mine = Delivery.objects.filter(pk=delivery.pk, attempts=attempt, status=DeliveryStatus.SENDING)
    if not temporary or attempt >= settings.DELIVERY_MAX_ATTEMPTS:
        mine.update(
            status=DeliveryStatus.FAILED, lease_expires_at=None, next_attempt_at=None, error=error
        )
        log.warning("Delivery %s failed after %s attempt(s): %s", delivery.pk, attempt, error)
        return "failed", None
    retry_at = timezone.now() + retry_delay(attempt)
    with transaction.atomic():
        if mine.update(
            status=DeliveryStatus.QUEUED,
            lease_expires_at=None,
            next_attempt_at=retry_at,
            error=error,
        ):
            enqueue([delivery.pk], run_after=retry_at)
    log.info(
        "Delivery %s: attempt %s failed, next at %s: %s", delivery.pk, attempt, retry_at, error
    )
    return "retry", retry_at


def _postpone(ids: Sequence[int], retry_at: dt.datetime | None) -> int:
    """The rest of a batch, when the server cannot be reached: tried with the one that failed,
    without counting an attempt."""
    if not ids or retry_at is None:
        return 0
    with transaction.atomic():
        postponed = list(
            Delivery.objects.filter(pk__in=list(ids), status=DeliveryStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        Delivery.objects.filter(pk__in=postponed, status=DeliveryStatus.QUEUED).update(
            next_attempt_at=retry_at
        )
        enqueue(postponed, run_after=retry_at)
    return len(postponed)


def recipient(delivery: Delivery) -> str:
    if delivery.invitation_id:
        return delivery.invitation.email
    return delivery.user.email


def needless(delivery: Delivery) -> str:
    """Why this email should no longer go, or "" if it should."""
    if delivery.kind == DeliveryKind.AUTOMATION_ALERT:
        return "" if delivery.user.is_active else "The facilitator's account is closed."
    if delivery.kind == DeliveryKind.ACTION_DUE:
        if not delivery.user.is_active:
            return "Their account is closed."
        return "" if delivery.action.is_open else "The action is done or dropped."
    invitation, status = delivery.invitation, delivery.cycle.status
    if invitation.erased_at:
        return "Their name and address were erased."
    if invitation.is_revoked:
        return "The link was withdrawn."
    if delivery.kind == DeliveryKind.RESULTS:
        if invitation.emails_stopped_at:
            return "They asked for no more emails."
        return "" if status == CycleStatus.RELEASED else "The results are not released."
    if status != CycleStatus.OPEN:
        return "The cycle is not open."
    if invitation.submitted:
        return "They have already answered."
    if delivery.kind == DeliveryKind.REMINDER and invitation.emails_stopped_at:
        return "They asked for no more emails."
    return ""


def build_message(delivery: Delivery) -> EmailMessage:
    """The email, made now: personal links exist only in the message."""
    address = recipient(delivery)
    try:
        validate_email(address)
    except ValidationError:
        raise Undeliverable("This is not a valid email address.") from None
    cycle = delivery.cycle
    if delivery.kind == DeliveryKind.ACTION_DUE:
        action = delivery.action
        context = {
            "user": delivery.user,
            "action": action,
            "place": action.place,
            "action_url": settings.SITE_URL
            + reverse("action_detail", args=[action.place.slug, action.pk]),
        }
        template = f"assessments/email/{delivery.kind}"
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
        return EmailMessage(subject, body, None, [address])
    context = {"cycle": cycle, "place": cycle.place}
    headers = {}
    if delivery.kind == DeliveryKind.RESULTS:
        context["summary_url"] = public_summary_url(cycle)
    if delivery.invitation_id:
        invitation = delivery.invitation
        stop_url = stop_emails_url(invitation)
        context |= {
            "invitation": invitation,
            "url": invitation_url(invitation),
            "stop_url": stop_url,
        }
        if delivery.kind in STOPPABLE:
            # RFC 8058: mail programs show their own "unsubscribe" and POST to the link.
            headers["List-Unsubscribe"] = f"<{stop_url}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    else:
        context |= {
            "user": delivery.user,
            "failure": AutomationFailure.objects.filter(cycle=cycle).first(),
            "cycle_url": settings.SITE_URL
            + reverse("cycle_detail", args=[cycle.place.slug, cycle.pk]),
        }
    template = f"assessments/email/{delivery.kind}"
    subject = render_to_string(f"{template}_subject.txt", context).strip()
    body = render_to_string(f"{template}_body.txt", context)
    reply_to = [cycle.contact_email] if delivery.invitation_id and cycle.contact_email else None
    return EmailMessage(subject, body, None, [address], headers=headers, reply_to=reply_to)


@dataclass(frozen=True)
class ExampleInvitee:
    """Who the preview of an invitation email is addressed to: nobody real."""

    name: str
    partner: object


@dataclass(frozen=True)
class EmailPreview:
    subject: str
    body: str
    reply_to: str


def preview_invitation(cycle: Cycle) -> EmailPreview:
    """The invitation email as it will be sent for this cycle (its message and contact as given,
    saved or not), to an example person: no real link is made."""
    partner = cycle.place.partners.first()
    context = {
        "cycle": cycle,
        "place": cycle.place,
        "invitation": ExampleInvitee(
            name="Sam Patel",
            partner=partner or ExampleInvitee(name="their organisation", partner=None),
        ),
        "url": f"{settings.SITE_URL}/r/… (each person's own link)",
    }
    template = "assessments/email/invitation"
    return EmailPreview(
        subject=render_to_string(f"{template}_subject.txt", context).strip(),
        body=render_to_string(f"{template}_body.txt", context),
        reply_to=cycle.contact_email,
    )


# --- Sweeping ---


@dataclass(frozen=True)
class Swept:
    requeued: int  # their worker died holding them
    given_up: int  # the same, on their last attempt
    overdue: int  # queued, but their task was lost
    released: int  # kept for an opening that has happened


def sweep(now: dt.datetime | None = None) -> Swept:
    """Hand on the deliveries a dead worker left behind; run every few minutes by a scheduler.

    A worker killed while sending leaves its delivery held, and the rest of its batch queued with
    no task that will run them: both are queued again, with new tasks. A duplicate task is
    harmless, as every send claims its delivery first.
    """
    now = now or timezone.now()
    lease = dt.timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    with transaction.atomic():
        expired = list(
            Delivery.objects.expired_leases(now)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", "attempts")
        )
        last = [pk for pk, attempts in expired if attempts >= settings.DELIVERY_MAX_ATTEMPTS]
        again = [pk for pk, attempts in expired if attempts < settings.DELIVERY_MAX_ATTEMPTS]
        for chunk in _chunks(last):
            Delivery.objects.filter(pk__in=chunk, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.FAILED,
                lease_expires_at=None,
                next_attempt_at=None,
                error="Sending stopped part-way on the last attempt: it may not have gone out.",
            )
        overdue = list(
            Delivery.objects.overdue(now - lease)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        waiting = list(
            Delivery.objects.filter(
                status=DeliveryStatus.WAITING, cycle__status=CycleStatus.OPEN
            ).values_list("pk", flat=True)
        )
        for chunk in _chunks([*again, *overdue, *waiting]):
            Delivery.objects.filter(pk__in=chunk).update(
                status=DeliveryStatus.QUEUED, lease_expires_at=None, next_attempt_at=now
            )
        enqueue([*again, *overdue, *waiting])
    return Swept(
        requeued=len(again), given_up=len(last), overdue=len(overdue), released=len(waiting)
    )
