"""What the action plan pages and the CSV export show, from a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from actions.access import can_edit
from actions.models import Action, ActionStatus, PlanAgreement
from assessments.models import Cycle, CycleStatus
from places.access import PlaceAccess
from places.models import Place

# Open actions first, soonest due first; then what was done, then what was dropped.
STATUS_ORDER = {
    ActionStatus.UNDER_WAY: 0,
    ActionStatus.PLANNED: 0,
    ActionStatus.DONE: 1,
    ActionStatus.DROPPED: 2,
}


def _sort_key(action: Action) -> tuple:
    return (STATUS_ORDER[action.status], action.due_date is None, action.due_date, action.pk)


def action_view(action: Action, access: PlaceAccess | None = None) -> dict:
    """One action as the pages show it. Its owners, links and updates must be prefetched
    (`ActionQuerySet.for_plan_page`) or are read here."""
    owners = list(action.owners.all())
    updates = list(action.updates.all())
    today = timezone.localdate()
    return {
        "pk": action.pk,
        "title": action.title,
        "description": action.description,
        "status": action.status,
        "status_label": action.get_status_display(),
        "due_date": action.due_date,
        "overdue": bool(action.is_open and action.due_date and action.due_date < today),
        "owners": [owner.name for owner in owners],
        "conditions": [condition.name for condition in action.conditions.all()],
        "statements": [statement.text for statement in action.statements.all()],
        "cycle": action.cycle.name if action.cycle else "",
        "updates": [
            {
                "date": update.created_at,
                "text": update.text,
                "status_label": ActionStatus(update.status).label if update.status else "",
            }
            for update in updates
        ],
        "latest_update": updates[-1] if updates else None,
        "can_edit": can_edit(access, {owner.pk for owner in owners}) if access else False,
    }


def _actions(place: Place) -> list[Action]:
    return sorted(Action.objects.for_place(place).for_plan_page(), key=_sort_key)


def plan_page(access: PlaceAccess) -> dict:
    """The list and print pages: every action of the place, and (for facilitators) whether the
    plan answering the latest released round has been agreed."""
    actions = [action_view(action, access) for action in _actions(access.place)]
    latest = None
    if access.is_facilitator:
        latest = (
            Cycle.objects.filter(place=access.place, status=CycleStatus.RELEASED)
            .select_related("plan_agreement")
            .order_by("-closed_at", "-pk")
            .first()
        )
    agreement = getattr(latest, "plan_agreement", None) if latest else None
    return {
        "actions": actions,
        "open_count": sum(1 for a in actions if a["status"] in ("planned", "under_way")),
        "latest_round": latest,
        "agreement": agreement,
    }


CSV_HEADER = [
    "Action",
    "What will be done",
    "Status",
    "Due by",
    "Owner organisations",
    "Conditions",
    "Statements",
    "Round it answers",
    "Latest update",
    "Latest update on",
]


def csv_rows(place: Place) -> Iterator[list]:
    for action in _actions(place):
        view = action_view(action)
        latest = view["latest_update"]
        yield [
            view["title"],
            view["description"],
            view["status_label"],
            view["due_date"].isoformat() if view["due_date"] else "",
            "; ".join(view["owners"]),
            "; ".join(view["conditions"]),
            "; ".join(view["statements"]),
            view["cycle"],
            latest.text if latest else "",
            timezone.localtime(latest.created_at).date().isoformat() if latest else "",
        ]


def agreed_headlines(cycle: Cycle) -> list[dict]:
    """The plan answering this round, once agreed, as the public summary lists it: each
    action's title, owners, due date and status (not its updates); [] until it is agreed."""
    if not PlanAgreement.objects.filter(cycle=cycle).exists():
        return []
    actions = sorted(
        Action.objects.filter(cycle=cycle)
        .exclude(status=ActionStatus.DROPPED)
        .prefetch_related("owners"),
        key=_sort_key,
    )
    return [
        {
            "title": action.title,
            "status_label": action.get_status_display(),
            "due_date": action.due_date,
            "owners": [owner.name for owner in action.owners.all()],
        }
        for action in actions
    ]
