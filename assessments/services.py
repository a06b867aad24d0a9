"""Writes that touch several models, each in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format

from assessments import delivery, tokens
from assessments.models import (
    Answer,
    Comment,
    Cycle,
    CycleStatus,
    DraftResponse,
    Invitation,
    Response,
    Statement,
)
from places.models import Partner, Place

log = logging.getLogger(__name__)


class TransitionError(Exception):
    """A cycle cannot move to the requested status; the message says why, in plain words."""


# --- Cycle lifecycle ---


def _transition(
    cycle: Cycle, source: str, target: str, stamp: str, at: dt.datetime | None = None
) -> None:
    now = at or timezone.now()
    # A conditional update, so two facilitators clicking at once cannot both succeed.
    moved = Cycle.objects.filter(pk=cycle.pk, status=source).update(status=target, **{stamp: now})
    if not moved:
        raise TransitionError(
            f"This cycle is {cycle.get_status_display().lower()}, so it cannot be "
            f"moved to {CycleStatus(target).label.lower()}."
        )
    cycle.status = target
    setattr(cycle, stamp, now)


@transaction.atomic
def open_cycle(cycle: Cycle) -> int:
    """Open the cycle and send the invitations kept for its opening; returns how many."""
    if not cycle.bank.is_published:
        raise TransitionError("A cycle can only open on a published question bank.")
    if not cycle.place.partners.exists():
        raise TransitionError("Add the place's partner organisations before opening a cycle.")
    # The place's row is locked so that two openings in one place (two facilitators, or a
    # facilitator and the scheduler) are judged one after the other.
    Place.objects.select_for_update().filter(pk=cycle.place_id).values_list("pk").first()
    other = Cycle.objects.open_in_place(cycle.place_id).exclude(pk=cycle.pk).first()
    if other is not None:
        raise TransitionError(second_round_refusal(other))
    _transition(cycle, CycleStatus.DRAFT, CycleStatus.OPEN, "opened_at")
    return delivery.release_waiting(cycle)


def second_round_refusal(other: Cycle) -> str:
    """Why a round cannot open while `other` is open in the same place."""
    return (
        f"Another round, {other.name}, is still open in {other.place.name}, and only one round "
        "can be open in a place at a time (otherwise people would be asked the same questions "
        f"twice at once). Close {other.name} first, or wait until it closes after "
        f"{date_format(other.closes_on, 'j F Y')}."
    )


def extend_cycle(cycle: Cycle, closes_on: dt.date) -> None:
    """Move an open round's closing date later."""
    extended = Cycle.objects.filter(
        pk=cycle.pk, status=CycleStatus.OPEN, closes_on__lt=closes_on
    ).update(closes_on=closes_on)
    if not extended:
        raise TransitionError(
            "The closing date was not changed: the cycle is no longer open, or its closing "
            "date has already been moved to this day or later. Reload the page to see it."
        )
    cycle.closes_on = closes_on


@transaction.atomic
def close_cycle(cycle: Cycle, at: dt.datetime | None = None) -> None:
    """Close the cycle: links stop working, unsubmitted drafts are discarded and the results
    snapshot is built, all or nothing. `at` dates the closing (demo and imported history)."""
    from assessments.results import build_snapshot  # results imports models; keep this light

    _transition(cycle, CycleStatus.OPEN, CycleStatus.CLOSED, "closed_at", at)
    # Drafts that were never submitted are not results: they go, with their link to a person.
    DraftResponse.objects.filter(invitation__cycle=cycle).delete()
    _rewrite_submissions(cycle)
    build_snapshot(cycle)


def _rewrite_submissions(cycle: Cycle) -> None:
    """Write the cycle's responses, answers and comments again, in random order, and touch every
    invitation, all in this one transaction.

    A submit writes the invitation's "submitted" flag and the response in one transaction, and
    PostgreSQL stamps every row with the transaction that wrote it (xmin); rows also keep their
    insertion order. Until this runs, someone reading the database directly could pair them up.
    Afterwards every invitation and every response of the cycle carries the same stamp, and the
    order of rows says nothing about who submitted when.
    """
    rng = random.SystemRandom()
    Invitation.objects.filter(cycle=cycle).update(submitted=F("submitted"))
    fields = [
        "partner_id",
        "sector",
        "size",
        "is_lead",
        "role_level",
        "spectrum_choice",
        "spectrum_target",
        "in_meetings",
        "submitted_on",
    ]
    responses = list(Response.objects.filter(cycle=cycle).values("id", *fields))
    comments = list(Comment.objects.filter(cycle=cycle).values_list("condition_id", "text"))
    rng.shuffle(responses)
    rng.shuffle(comments)
    new_responses = Response.objects.bulk_create(
        Response(cycle=cycle, **{field: row[field] for field in fields}) for row in responses
    )
    _copy_answers_shuffled(
        {row["id"]: new.id for row, new in zip(responses, new_responses, strict=True)}
    )
    Comment.objects.filter(cycle=cycle).delete()
    Response.objects.filter(pk__in=[row["id"] for row in responses]).delete()  # and answers
    Comment.objects.bulk_create(
        Comment(cycle=cycle, condition_id=condition_id, text=text)
        for condition_id, text in comments
    )


# Responses per INSERT: two parameters each, far under every database's limit on parameters.
_COPY_BATCH = 500


def _copy_answers_shuffled(new_ids: dict[uuid.UUID, uuid.UUID]) -> None:
    """Copy the answers of each old response to its new one, writing them in random order.

    One INSERT … SELECT in the database per batch of responses: reading a cycle's thousand
    answers into Python and writing them back was half the time of closing a cycle
    (docs/PERFORMANCE.md). The rows go in the order of the SELECT, which the database's random()
    shuffles (seeded from the operating system in PostgreSQL and SQLite alike); the responses
    were shuffled before they were put in batches. Runs inside close_cycle's transaction.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("Closing writes the submissions in one transaction: call close_cycle().")
    prep = Response._meta.pk.get_db_prep_value
    pairs = [(prep(old, connection), prep(new, connection)) for old, new in new_ids.items()]
    quote = connection.ops.quote_name
    table = quote(Answer._meta.db_table)
    response, statement, value = (
        quote(Answer._meta.get_field(name).column) for name in ("response", "statement", "value")
    )
    for start in range(0, len(pairs), _COPY_BATCH):
        batch = pairs[start : start + _COPY_BATCH]
        # Names come from the models' metadata only; every value is a bound parameter.
        sql = " ".join(
            [
                "WITH moved (old_id, new_id) AS (VALUES",
                ", ".join(["(%s, %s)"] * len(batch)),
                f") INSERT INTO {table} ({response}, {statement}, {value})",
                f"SELECT moved.new_id, a.{statement}, a.{value}",
                f"FROM {table} a JOIN moved ON a.{response} = moved.old_id",
                "ORDER BY random()",
            ]
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [param for pair in batch for param in pair])


@transaction.atomic
def release_cycle(cycle: Cycle, at: dt.datetime | None = None) -> int:
    """Publish the snapshot built at close, the one the facilitator reviewed. It is never
    rebuilt (DESIGN §6): a second version of the same round's figures, set against the first,
    could isolate a few people.

    Everyone invited is emailed the link to the round's public summary (closing the loop,
    DESIGN §7b), now, while their addresses are still kept; returns how many emails."""
    _transition(cycle, CycleStatus.CLOSED, CycleStatus.RELEASED, "released_at", at)
    return delivery.queue_results(cycle)


# --- Invitations ---


@dataclass(frozen=True)
class InviteeLine:
    name: str
    email: str
    partner: Partner


@transaction.atomic
def create_invitations(cycle: Cycle, invitees: list[InviteeLine]) -> list[Invitation]:
    """Invite these people and queue their invitation emails: sent now if the cycle is open,
    when it opens if it is a draft."""
    # The cycle's row is locked so that an opening cannot slip in between reading its status
    # and queueing: the opening either comes first, or waits and sends these too.
    cycle.status = (
        Cycle.objects.select_for_update().values_list("status", flat=True).get(pk=cycle.pk)
    )
    sent_at = timezone.now() if cycle.status == CycleStatus.OPEN else None
    invitations = []
    for invitee in invitees:
        salt = tokens.new_salt()
        invitations.append(
            Invitation(
                cycle=cycle,
                partner=invitee.partner,
                name=invitee.name,
                email=invitee.email,
                token_salt=salt,
                token_hash=tokens.hash_token(tokens.token_for(salt)),
                last_sent_at=sent_at,
            )
        )
    invitations = Invitation.objects.bulk_create(invitations)
    delivery.queue_invitations(cycle, invitations)
    return invitations


def revoke_invitation(invitation: Invitation) -> None:
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        DraftResponse.objects.filter(invitation=invitation).delete()
        delivery.cancel_pending(invitation, None, "The link was withdrawn.")


@transaction.atomic
def reissue_invitation(invitation: Invitation) -> bool:
    """A new personal link for a withdrawn invitation: the old link stays dead (new salt, new
    hash), and the person is emailed the new one (when the cycle opens, if it is a draft)."""
    cycle = Cycle.objects.select_for_update().get(pk=invitation.cycle_id)
    salt = tokens.new_salt()
    reissued = Invitation.objects.filter(
        pk=invitation.pk, revoked_at__isnull=False, submitted=False
    ).update(
        token_salt=salt,
        token_hash=tokens.hash_token(tokens.token_for(salt)),
        revoked_at=None,
        last_sent_at=timezone.now() if cycle.status == CycleStatus.OPEN else None,
    )
    if reissued:
        invitation.refresh_from_db()
        delivery.queue_invitations(cycle, [invitation])
    return bool(reissued)


class NotCorrectable(Exception):
    """The invitation can no longer be corrected; the message says why."""


@transaction.atomic
def correct_invitation(invitation: Invitation, name: str, email: str) -> None:
    """Correct the name or address of someone who has not started: their link is replaced (the
    old one, perhaps sent to a wrong address, stops working) and the invitation is emailed again
    to the address now given (when the cycle opens, if it is a draft)."""
    cycle = Cycle.objects.select_for_update().get(pk=invitation.cycle_id)
    # The invitation's row is locked too: a first page being saved waits, or is seen here.
    locked = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if cycle.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        raise NotCorrectable("This cycle has closed, so its invitations can no longer change.")
    if locked is None or locked.is_revoked:
        raise NotCorrectable(
            "This link has been withdrawn. Send a new link first, then correct it."
        )
    if locked.submitted or DraftResponse.objects.filter(invitation=locked).exists():
        raise NotCorrectable(
            f"{locked.name} has started answering, so their invitation can no longer be "
            "changed: their link opens their answers. Withdraw it and invite them again if the "
            "address is wrong."
        )
    delivery.cancel_pending(locked, None, "The invitation was corrected.")
    salt = tokens.new_salt()
    Invitation.objects.filter(pk=locked.pk).update(
        name=name,
        email=email,
        token_salt=salt,
        token_hash=tokens.hash_token(tokens.token_for(salt)),
        last_sent_at=timezone.now() if cycle.status == CycleStatus.OPEN else None,
    )
    invitation.refresh_from_db()
    delivery.queue_invitations(cycle, [invitation])


# --- Submitting a response ---


class SubmitRefused(Exception):
    """The response cannot be submitted; the message says why, for the respondent."""


@transaction.atomic
def submit_response(invitation: Invitation) -> bool:
    """Turn the invitation's draft into an unlinked Response. Returns False if it was already
    submitted (a double click, a second tab): the caller shows the thank-you page either way."""
    # Lock the cycle row so that closing the cycle waits for a submit in progress (and the
    # reverse). Then claim the invitation with a conditional UPDATE on its own columns only: with
    # a join, PostgreSQL would not re-check the condition after waiting for a concurrent submit.
    cycle = Cycle.objects.select_for_update().get(pk=invitation.cycle_id)
    claimed = 0
    if cycle.status == CycleStatus.OPEN:
        claimed = Invitation.objects.filter(
            pk=invitation.pk, submitted=False, revoked_at__isnull=True
        ).update(submitted=True)
    if not claimed:
        invitation.refresh_from_db()
        if invitation.submitted:
            return False
        invitation.cycle = cycle
        raise SubmitRefused(invitation.refusal() or "This link cannot be used now.")

    draft = DraftResponse.objects.select_for_update().filter(invitation=invitation).first()
    problems = draft_problems(draft, invitation.cycle)
    if problems:
        raise SubmitRefused(" ".join(problems))  # the atomic block undoes the claim

    partner = Partner.objects.get(pk=draft.partner_id)
    asked = _asked_statement_ids(invitation.cycle, draft.in_meetings)
    response = Response.objects.create(
        cycle_id=invitation.cycle_id,
        partner=partner,
        **partner.group_attributes(),  # fixed now: later edits of the partner change nothing
        role_level=draft.role_level,
        spectrum_choice=draft.spectrum_choice,
        spectrum_target=draft.spectrum_target,
        in_meetings=draft.in_meetings,  # fixed now, like the groups above
        submitted_on=timezone.localdate(),  # the day only: no time that could match a log line
    )
    # Only what they were asked: a routed statement not asked of them is "not asked", no answer.
    Answer.objects.bulk_create(
        Answer(response=response, statement_id=int(statement_id), value=value)
        for statement_id, value in draft.answers.items()
        if int(statement_id) in asked
    )
    Comment.objects.bulk_create(
        Comment(cycle_id=invitation.cycle_id, condition_id=int(condition_id), text=text)
        for condition_id, text in draft.comments.items()
        if text.strip()
    )
    draft.delete()
    return True


def draft_problems(draft: DraftResponse | None, cycle: Cycle) -> list[str]:
    """What is missing before a draft can be submitted, in the respondent's words."""
    if draft is None:
        return ["Please answer the questions before submitting."]
    problems = []
    if draft.partner_id is None or not draft.role_level:
        problems.append("Please confirm your organisation and your role.")
    elif not cycle.place.partners.filter(pk=draft.partner_id).exists():
        problems.append("Please choose one of this place's partner organisations.")
    routed = dict(Statement.objects.for_bank(cycle.bank).values_list("pk", "routed"))
    if any(routed.values()) and draft.in_meetings is None:
        problems.append("Please say whether you take part in the partnership's meetings.")
    answered = {int(k) for k in draft.answers}
    if answered - set(routed):
        problems.append("Some answers do not belong to this health check.")
    asked = {
        pk for pk, is_routed in routed.items() if not (is_routed and draft.in_meetings is False)
    }
    missing = len(asked - answered)
    if missing:
        needs = "statement still needs" if missing == 1 else "statements still need"
        problems.append(f"{missing} {needs} an answer.")
    if not draft.spectrum_choice:
        problems.append("Please choose how partners work together.")
    if cycle.bank.target_prompt and not draft.spectrum_target:
        problems.append("Please choose how partners need to work together.")
    return problems


def _asked_statement_ids(cycle: Cycle, in_meetings: bool | None) -> set[int]:
    """The cycle's statements a respondent was asked: routed ones only if in meetings."""
    statements = Statement.objects.for_bank(cycle.bank)
    if in_meetings is False:
        statements = statements.filter(routed=False)
    return set(statements.values_list("pk", flat=True))
