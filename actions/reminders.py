"""Reminders to the owners of actions falling due, through the outbox (assessments.delivery).

`manage.py send_action_reminders` runs daily: each open action due within
ACTION_REMINDER_DAYS gets one email to each active member (with an address) of each owner
organisation, once per due date. The action's row is claimed (locked, skipping rows another run
holds) and stamped in the same transaction as the emails are queued, so two runs at once remind
nobody twice; a new due date gets a new reminder.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from actions.models import Action
from assessments import delivery
from assessments.models import Delivery, DeliveryKind, DeliveryStatus


def owners_to_remind(action: Action) -> list[int]:
    """Active users with an address who are members of one of the action's owners."""
    return list(
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__place_id=action.place_id,
            memberships__partner__in=action.owners.all(),
        )
        .exclude(email="")
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


@transaction.atomic
def queue_action_reminders(today: dt.date | None = None) -> int:
    """Queue the reminders due today; returns how many emails."""
    today = today or timezone.localdate()
    actions = list(
        Action.objects.due_for_reminder(today, settings.ACTION_REMINDER_DAYS)
        .order_by("pk")
        .select_for_update(skip_locked=True)
    )
    now = timezone.now()
    deliveries = []
    for action in actions:
        deliveries += [
            Delivery(
                cycle_id=action.cycle_id,
                action=action,
                user_id=user_id,
                kind=DeliveryKind.ACTION_DUE,
                status=DeliveryStatus.QUEUED,
                next_attempt_at=now,
            )
            for user_id in owners_to_remind(action)
        ]
        Action.objects.filter(pk=action.pk).update(reminded_for=action.due_date)
    created = Delivery.objects.bulk_create(deliveries)
    delivery.enqueue([d.pk for d in created])
    return len(created)
