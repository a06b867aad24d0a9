"""Writes to the action plan that touch more than one row."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate, PlanAgreement
from assessments.models import Cycle


@transaction.atomic
def add_update(action: Action, text: str, status: str, author) -> ActionUpdate:
    """A dated note on the action; a status given with it becomes the action's status."""
    update = ActionUpdate.objects.create(action=action, text=text, status=status, author=author)
    if status and status != action.status:
        Action.objects.filter(pk=action.pk).update(status=status, updated_at=timezone.now())
        action.status = status
    return update


def agree_plan(cycle: Cycle, user) -> tuple[PlanAgreement, bool]:
    """Record that the partnership agreed its plan for this released round (once)."""
    return PlanAgreement.objects.get_or_create(
        cycle=cycle, defaults={"agreed_on": timezone.localdate(), "agreed_by": user}
    )
