"""Re-measurement (DESIGN §7b): a released round's dashboard shows, per condition, the actions
taken since the place's previous released round and how their linked statements and the
condition itself changed.

The changes are the snapshot's own trends (DESIGN §5: conditions matched by key, statements by
key and unchanged wording; worked out only where both rounds' figures are shown), shown as the
difference of the two scores as shown (`scoring.shown_change`). So nothing here can reveal a
figure the two dashboards do not already show: a hidden figure has no trend to report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Q, Subquery

from actions.models import Action, ActionStatus
from assessments import scoring
from assessments import snapshot as snap
from assessments.models import Condition, Cycle, Statement
from assessments.results import closed_moment

# The order statuses are counted in, most telling first.
SUMMARY_ORDER = (
    ActionStatus.DONE,
    ActionStatus.UNDER_WAY,
    ActionStatus.PLANNED,
    ActionStatus.DROPPED,
)
NOT_SHOWN_NOW = "not shown this round (too few answers)"
NOT_SHOWN_BEFORE = "not shown last round"
WORDING_CHANGED = "the wording changed since last round, so no change is shown"


@dataclass(frozen=True)
class LinkedAction:
    title: str
    status: str
    condition_keys: frozenset[str]
    # statement key -> condition key, for the statements the action is linked to
    statements: Mapping[str, str]


@dataclass(frozen=True)
class Inputs:
    actions: list[LinkedAction]
    previous_texts: dict[str, str]  # statement key -> wording in the previous round


def load(cycle: Cycle, result: snap.Snapshot) -> Inputs:
    """The actions since the previous released round and that round's statement wording: one
    query, and three more when there are actions, whatever their number.

    Since the previous round: the actions answering it, and those added by hand without a
    round between its close and this round's.
    """
    previous = result.previous_cycle
    previous_id = previous.id if previous else None
    # One query whether or not there is a previous round, so that a page's cost does not
    # depend on its history: with none, both halves match nothing (no round's id is NULL, and
    # a missing round's closing time is NULL).
    previous_closed = Cycle.objects.filter(pk=previous_id).values("closed_at")
    rows = (
        Action.objects.for_place(cycle.place_id)
        .filter(
            Q(cycle__isnull=False, cycle_id=previous_id)
            | Q(
                cycle__isnull=True,
                created_at__gte=Subquery(previous_closed),
                created_at__lt=closed_moment(cycle),
            )
        )
        .prefetch_related(
            Prefetch("conditions", queryset=Condition.objects.only("key")),
            Prefetch("statements", queryset=Statement.objects.select_related("condition")),
        )
        .order_by("due_date", "pk")
    )
    actions = [
        LinkedAction(
            title=action.title,
            status=action.status,
            condition_keys=frozenset(c.key for c in action.conditions.all()),
            statements={s.key: s.condition.key for s in action.statements.all()},
        )
        for action in rows
    ]
    texts = {}
    if previous_id and any(action.statements for action in actions):
        texts = dict(
            Statement.objects.filter(condition__bank__cycles=previous_id).values_list("key", "text")
        )
    return Inputs(actions=actions, previous_texts=texts)


def signed(change: int) -> str:
    if change > 0:
        return f"+{change}"
    if change < 0:
        return f"−{-change}"  # a true minus sign, as screen readers say "minus"
    return "±0"


def _shown_change(trend: snap.Trend) -> int:
    return scoring.shown_change(trend.previous + trend.change, trend.previous)


def _statement_change(
    key: str, result: snap.Snapshot, previous_texts: Mapping[str, str]
) -> tuple[str, int | None]:
    current = result.statement(key)
    if current is None or current.mean is None:
        return NOT_SHOWN_NOW, None
    before = previous_texts.get(key)
    if before is not None and before != current.text:
        return WORDING_CHANGED, None
    if current.trend is None:
        return NOT_SHOWN_BEFORE, None
    change = _shown_change(current.trend)
    return signed(change), change


def _status_words(actions: Sequence[LinkedAction]) -> str:
    counts = {status: sum(1 for a in actions if a.status == status) for status in SUMMARY_ORDER}
    parts = []
    for status, n in counts.items():
        if n:
            label = ActionStatus(status).label.lower()
            parts.append(
                f"{n} action{'' if n == 1 else 's'} {label}" if not parts else f"{n} {label}"
            )
    return ", ".join(parts)


def by_condition(result: snap.Snapshot, inputs: Inputs) -> list[dict]:
    """Per condition of this round with linked actions: the actions, each linked statement's
    change, the condition's change, and a one-line summary such as
    "2 actions done; linked statements +11; condition +6"."""
    items = []
    for condition in result.conditions:
        linked = [
            a
            for a in inputs.actions
            if condition.key in a.condition_keys or condition.key in a.statements.values()
        ]
        if not linked:
            continue
        statement_keys = sorted(
            {key for a in linked for key, owner in a.statements.items() if owner == condition.key},
            key=lambda key: (result.statement(key) is None, key),
        )
        statements = []
        changes = []
        for key in statement_keys:
            text, change = _statement_change(key, result, inputs.previous_texts)
            current = result.statement(key)
            statements.append(
                {
                    "text": (current.text if current else inputs.previous_texts.get(key, key))
                    .rstrip()
                    .rstrip("."),
                    "change": text,
                }
            )
            if change is not None:
                changes.append(signed(change))
        if condition.place is None:
            condition_text = "condition " + NOT_SHOWN_NOW
        elif condition.trend is None:
            condition_text = "condition " + NOT_SHOWN_BEFORE
        else:
            condition_text = f"condition {signed(_shown_change(condition.trend))}"
        parts = [_status_words(linked)]
        if statement_keys:
            if changes:
                parts.append("linked statements " + ", ".join(changes))
            else:
                parts.append("no linked statement can be compared")
        parts.append(condition_text)
        items.append(
            {
                "key": condition.key,
                "name": condition.name,
                "summary": "; ".join(parts),
                "actions": [
                    {"title": a.title, "status_label": ActionStatus(a.status).label} for a in linked
                ],
                "statements": statements,
            }
        )
    return items
