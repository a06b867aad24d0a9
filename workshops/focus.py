"""Topics a workshop might focus on, suggested from the released round's snapshot.

Only what the snapshot holds, which is only what the dashboard shows: a condition whose figure
was hidden is never suggested for its score, and no figure is worked out again from answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from assessments import scoring
from assessments.snapshot import Snapshot

SUGGESTED_CONDITIONS = 2


@dataclass(frozen=True)
class Topic:
    value: str  # "condition:<key>" or "statement:<key>", as the form posts it
    label: str
    reason: str  # why it is suggested; empty for the rest


def condition_value(key: str) -> str:
    return f"condition:{key}"


def statement_value(key: str) -> str:
    return f"statement:{key}"


def suggestions(result: Snapshot) -> list[Topic]:
    """The weakest and most divided conditions, then the weakest and most divided statements,
    each once, with the figure from the dashboard that makes it stand out."""
    found: dict[str, Topic] = {}
    scored = [c for c in result.conditions if c.place is not None]
    for condition in sorted(scored, key=lambda c: (c.place.score, c.order))[:SUGGESTED_CONDITIONS]:
        reason = f"one of the lowest scores: {scoring.display(condition.place.score)}"
        found[condition_value(condition.key)] = Topic(
            condition_value(condition.key), condition.name, reason
        )
    divided = [c for c in scored if c.place.agreement in ("mixed", "polarised")]
    for condition in sorted(divided, key=lambda c: (-(c.place.spread or 0), c.order))[
        :SUGGESTED_CONDITIONS
    ]:
        value = condition_value(condition.key)
        reason = f"people see it {'very ' if condition.place.agreement == 'polarised' else ''}"
        reason += "differently"
        if value in found:
            found[value] = Topic(value, condition.name, f"{found[value].reason}; {reason}")
        else:
            found[value] = Topic(value, condition.name, reason)
    for key in result.highlights.weakest:
        statement = result.statement(key)
        value = statement_value(key)
        found.setdefault(value, Topic(value, statement.text, "one of the least agreed with"))
    for key in result.highlights.most_divided:
        statement = result.statement(key)
        value = statement_value(key)
        if value in found:
            found[value] = Topic(value, statement.text, f"{found[value].reason}; most divided")
        else:
            found[value] = Topic(value, statement.text, "one of the most divided")
    return list(found.values())
