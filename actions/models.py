"""A place's action plan (DESIGN §7b): what the partnership decided to do about its results,
who does it, and whether it worked. Actions link to conditions and statements of the round they
answer; the next round re-measures them by key, as trends do (§5)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from assessments.models import Condition, Cycle, Statement
from places.models import Partner, Place


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    UNDER_WAY = "under_way", "Under way"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionQuerySet(models.QuerySet):
    def for_place(self, place: Place) -> ActionQuerySet:
        return self.filter(place=place)

    def open(self) -> ActionQuerySet:
        return self.filter(status__in=[ActionStatus.PLANNED, ActionStatus.UNDER_WAY])

    def for_plan_page(self) -> ActionQuerySet:
        """What the plan's list, print view and CSV show of each action: a fixed number of
        queries, however many actions, owners, links and updates there are."""
        return self.select_related("cycle").prefetch_related(
            "owners", "conditions", "statements", "updates"
        )

    def owned_by(self, partner_id: int | None) -> ActionQuerySet:
        return self.filter(owners=partner_id) if partner_id else self.none()

    def due_for_reminder(self, today: dt.date, days_ahead: int) -> ActionQuerySet:
        """Open actions falling due within `days_ahead` days whose owners have not yet been
        reminded of this due date (a changed due date is reminded again)."""
        return (
            self.open()
            .filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days_ahead))
            .exclude(reminded_for=F("due_date"))
        )


class Action(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="actions")
    # The released round whose results the action answers (None: added by hand without one).
    cycle = models.ForeignKey(
        Cycle, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    title = models.CharField(max_length=200)
    description = models.TextField("what will be done", blank=True)
    conditions = models.ManyToManyField(Condition, blank=True, related_name="actions")
    statements = models.ManyToManyField(Statement, blank=True, related_name="actions")
    owners = models.ManyToManyField(
        Partner, blank=True, related_name="actions", verbose_name="owner organisations"
    )
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The due date the owners were last reminded of: a new due date gets its own reminder.
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["place", "due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.PLANNED, ActionStatus.UNDER_WAY)


class ActionUpdate(models.Model):
    """A dated note on an action's progress; a status change is recorded with it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    text = models.TextField()
    status = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.created_at:%d %b %Y}"


class PlanAgreement(models.Model):
    """The partnership agreed its action plan in answer to a released round: from then on, the
    round's public summary lists the plan's headlines (DESIGN §7b, closing the loop)."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="plan_agreement")
    agreed_on = models.DateField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Plan for {self.cycle} agreed on {self.agreed_on:%d %b %Y}"
