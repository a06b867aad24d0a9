"""A place's action plan (DESIGN §7b): what the partnership decided to do about its results,
who does it, and whether it worked. Actions link to conditions and statements of the round they
answer; the next round re-measures them by key, as trends do (§5)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

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
