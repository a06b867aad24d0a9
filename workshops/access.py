"""The only ways workshop pages fetch a workshop.

Facilitators' pages go through `places.access.place_for_facilitator` (outsiders 404, members
403). Phones have no account: a workshop is found by its code, every wrong or expired code
counts against the address (workshops/throttle.py), and the participant is the one whose id this
browser's session holds for that workshop, so a phone sees only its own workshop.
"""

from __future__ import annotations

import logging

from django.http import Http404
from django.utils import timezone

from assessments.models import Cycle, CycleStatus
from places.access import PlaceAccess, place_for_facilitator
from places.throttle import client_address
from workshops import throttle
from workshops.models import Participant, Workshop, normalise_code

log = logging.getLogger("betterway.access")

SESSION_KEY = "workshop_participants"  # {workshop id: participant id}

UNKNOWN_CODE = "No workshop has this code. Check the code on the screen and try again."
EXPIRED_CODE = "The workshop with this code has ended, so the code no longer works."


def released_cycle_for_facilitator(user, slug: str, cycle_id: int) -> tuple[PlaceAccess, Cycle]:
    access = place_for_facilitator(user, slug)
    cycle = (
        Cycle.objects.select_related("bank", "result")
        .filter(pk=cycle_id, place=access.place, status=CycleStatus.RELEASED)
        .first()
    )
    if cycle is None:
        raise Http404("No such released round")
    return access, cycle


def workshop_for_facilitator(user, slug: str, workshop_id: int) -> tuple[PlaceAccess, Workshop]:
    access = place_for_facilitator(user, slug)
    workshop = (
        Workshop.objects.select_related("cycle", "place")
        .filter(pk=workshop_id, place=access.place)
        .first()
    )
    if workshop is None:
        log.warning("Workshop %s is not one of place %r", workshop_id, slug)
        raise Http404("No such workshop")
    return access, workshop


class CodeRefused(Exception):
    """The message says why: unknown, expired, or too many tries from here."""


def workshop_for_code(request, code: str) -> Workshop:
    """The live workshop with this code; CodeRefused with a clear message otherwise."""
    address = client_address(request)
    if throttle.is_throttled(address):
        raise CodeRefused(throttle.TOO_MANY)
    workshop = (
        Workshop.objects.select_related("cycle", "place").filter(code=normalise_code(code)).first()
    )
    if workshop is None:
        throttle.record_failure(address)
        raise CodeRefused(UNKNOWN_CODE)
    if not workshop.is_open(timezone.now()):
        # Not counted: when a workshop ends, every phone in the room (often one address, the
        # venue's wifi) is told so once, and that must not lock the room out of the next one.
        raise CodeRefused(EXPIRED_CODE)
    return workshop


def participant_for(request, workshop: Workshop) -> Participant | None:
    """This browser's participant in `workshop`, if it has joined it."""
    participant_id = request.session.get(SESSION_KEY, {}).get(str(workshop.pk))
    if participant_id is None:
        return None
    return (
        Participant.objects.select_related("partner", "group")
        .filter(pk=participant_id, workshop=workshop)
        .first()
    )


def remember_participant(request, participant: Participant) -> None:
    joined = dict(request.session.get(SESSION_KEY, {}))
    joined[str(participant.workshop_id)] = participant.pk
    request.session[SESSION_KEY] = joined
