"""The steps of a cycle that happen by themselves: opening on its opening date (when the
facilitator asked for that) and closing after its closing date.

A scheduler runs `manage.py open_due_cycles` and `close_due_cycles` (README, "Operations"): they
enqueue one task per cycle due, and a worker takes the step. Dates are in the app's TIME_ZONE
(Europe/London): a cycle opens at the first run on or after the midnight that starts its opening
date, and closes at the first run after the midnight that ends its closing date. A step that
fails is kept for the cycle page and emailed to the place's facilitators.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from assessments import delivery, services
from assessments.models import AutomationAction, AutomationFailure, Cycle, CycleStatus
from places.models import Role

log = logging.getLogger(__name__)

# The same step failing again within this time is recorded, but not emailed again: a scheduler
# running every few minutes must not fill the facilitators' inboxes.
ALERT_REPEAT = dt.timedelta(hours=20)


def enqueue_due_openings(today: dt.date | None = None) -> list[Cycle]:
    from assessments.tasks import open_cycle_when_due

    cycles = list(Cycle.objects.due_to_open(today or timezone.localdate()).select_related("place"))
    for cycle in cycles:
        open_cycle_when_due.enqueue(cycle.pk)
    return cycles


def enqueue_due_closings(today: dt.date | None = None) -> list[Cycle]:
    from assessments.tasks import close_cycle_when_due

    cycles = list(Cycle.objects.due_to_close(today or timezone.localdate()).select_related("place"))
    for cycle in cycles:
        close_cycle_when_due.enqueue(cycle.pk)
    return cycles


def open_if_due(cycle_id: int, today: dt.date | None = None) -> str:
    """Open the cycle if it is still due to open; returns what happened. Unexpected errors are
    recorded, then raised (the task shows as failed too)."""
    today = today or timezone.localdate()
    cycle = Cycle.objects.due_to_open(today).select_related("place", "bank").filter(pk=cycle_id)
    cycle = cycle.first()
    if cycle is None:
        return "not due"  # opened by hand meanwhile, or the dates changed
    if cycle.closes_on < today:
        record_failure(
            cycle,
            AutomationAction.OPEN,
            f"its closing date, {date_format(cycle.closes_on, 'j F Y')}, had already passed. "
            "Change the dates, then open it.",
        )
        return "failed"
    try:
        services.open_cycle(cycle)
    except services.TransitionError as error:
        if Cycle.objects.filter(pk=cycle.pk, status=CycleStatus.DRAFT).exists():
            record_failure(cycle, AutomationAction.OPEN, str(error))
            return "failed"
        return "not due"  # someone opened it a moment ago
    except Exception as error:
        record_failure(cycle, AutomationAction.OPEN, _server_error(error))
        raise
    log.info("Opened cycle %s on its opening date", cycle.pk)
    return "opened"


def close_if_due(cycle_id: int, today: dt.date | None = None) -> str:
    """Close the cycle if it is still due to close; as open_if_due."""
    today = today or timezone.localdate()
    cycle = Cycle.objects.due_to_close(today).select_related("place", "bank").filter(pk=cycle_id)
    cycle = cycle.first()
    if cycle is None:
        return "not due"
    try:
        services.close_cycle(cycle)
    except services.TransitionError:
        return "not due"  # closed by hand a moment ago
    except Exception as error:
        record_failure(cycle, AutomationAction.CLOSE, _server_error(error))
        raise
    log.info("Closed cycle %s after its closing date", cycle.pk)
    return "closed"


def _server_error(error: Exception) -> str:
    log.exception("The scheduled step failed")
    return (
        f"an error on the server stopped it ({type(error).__name__}). It will be tried again "
        "at the scheduler's next run; your administrator can find the error in the worker's log."
    )


@transaction.atomic
def record_failure(cycle: Cycle, action: str, message: str) -> AutomationFailure:
    """Keep the failure for the cycle page and email the place's facilitators about it, unless
    they were emailed about the same step recently."""
    # Two workers failing at once on the same cycle send one alert: the second waits here.
    Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk").first()
    now = timezone.now()
    recent = AutomationFailure.objects.filter(
        cycle=cycle, action=action, happened_at__gt=now - ALERT_REPEAT
    ).exists()
    failure = AutomationFailure.objects.create(
        cycle=cycle, action=action, message=message, happened_at=now
    )
    log.warning(
        "Automatic %s of cycle %s failed: %s", failure.get_action_display(), cycle.pk, message
    )
    if not recent:
        facilitators = (
            get_user_model()
            .objects.filter(
                is_active=True,
                memberships__place_id=cycle.place_id,
                memberships__role=Role.FACILITATOR,
            )
            .exclude(email="")
            .values_list("pk", flat=True)
            .distinct()
        )
        delivery.queue_alert(cycle, list(facilitators))
    return failure


def current_failure(cycle: Cycle) -> AutomationFailure | None:
    """The latest failure of the step the cycle is still waiting for, if any; one query."""
    action = {
        CycleStatus.DRAFT: AutomationAction.OPEN,
        CycleStatus.OPEN: AutomationAction.CLOSE,
    }.get(cycle.status)
    if action is None:
        return None
    return cycle.automation_failures.filter(action=action).first()
