"""Riverside's demo action plan (never for production): actions the partnership agreed after
its Autumn 2025 results, re-measured on the Spring 2026 dashboard, and a plan agreed in answer
to Spring 2026, listed on that round's public summary. Running it again changes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from actions.models import Action, ActionStatus, ActionUpdate, PlanAgreement
from assessments.models import Cycle, CycleStatus, Statement
from places.models import Place

# (round answered, title, what will be done, owners, condition keys, statement keys, due, status,
#  updates)
PLAN = [
    (
        "Autumn 2025",
        "Rotate who chairs the partnership meeting",
        "Each partner organisation chairs the monthly meeting in turn, and the chair sets the "
        "agenda with one of the smaller partners.",
        ["Riverside Borough Council", "Northfield Food Bank"],
        ["leadership"],
        ["leadership_one_decides", "leadership_small_orgs_influence"],
        dt.date(2026, 3, 31),
        ActionStatus.DONE,
        ["The food bank chaired the January meeting.", "Every partner has now chaired once."],
    ),
    (
        "Autumn 2025",
        "Decide the shared budget together",
        "The small grants pot is allocated at the partnership meeting, not by the council's "
        "officers, with each organisation having one vote.",
        ["Riverside Borough Council"],
        ["leadership"],
        ["leadership_joint_decisions"],
        dt.date(2026, 4, 30),
        ActionStatus.UNDER_WAY,
        ["First round of grants decided jointly in March."],
    ),
    (
        "Autumn 2025",
        "Coffee mornings between front-line staff",
        "A monthly informal meeting for front-line staff and volunteers from every partner.",
        ["Riverside Youth Network"],
        ["relationships"],
        ["relationships_all_levels"],
        dt.date(2026, 2, 28),
        ActionStatus.DONE,
        [],
    ),
    (
        "Spring 2026",
        "Write down how the partnership works",
        "A two-page guide to how decisions are made and who does what, so that the way of "
        "working survives people moving on.",
        ["Grainstore Co-operative", "Riverside Borough Council"],
        ["infrastructure"],
        [],
        dt.date(2026, 12, 18),
        ActionStatus.PLANNED,
        [],
    ),
    (
        "Spring 2026",
        "Bring residents into the design of the new youth offer",
        "Residents and young people join the working group from its first meeting.",
        ["Eastgate Residents' Association", "Northfield Food Bank"],
        ["vision", "behaviours"],
        ["behaviours_front_line_design"],
        dt.date(2027, 3, 31),
        ActionStatus.UNDER_WAY,
        ["Four residents have joined the working group."],
    ),
]


@transaction.atomic
def load_demo_plan() -> int:
    """Create Riverside's demo actions unless they exist. Returns how many were created."""
    place = Place.objects.get(slug="riverside")
    rounds = {
        cycle.name: cycle
        for cycle in Cycle.objects.filter(place=place, status=CycleStatus.RELEASED).select_related(
            "bank"
        )
    }
    created = 0
    for name, title, description, owners, conditions, statements, due, status, notes in PLAN:
        cycle = rounds.get(name)
        if cycle is None:
            continue
        action, new = Action.objects.get_or_create(
            place=place,
            title=title,
            defaults={
                "cycle": cycle,
                "description": description,
                "due_date": due,
                "status": status,
            },
        )
        if not new:
            continue
        created += 1
        action.owners.set(place.partners.filter(name__in=owners))
        action.conditions.set(cycle.bank.conditions.filter(key__in=conditions))
        action.statements.set(Statement.objects.for_bank(cycle.bank).filter(key__in=statements))
        for i, text in enumerate(notes):
            ActionUpdate.objects.create(
                action=action,
                text=text,
                status=status if i == len(notes) - 1 else ActionStatus.UNDER_WAY,
            )
    for name in ("Autumn 2025", "Spring 2026"):
        if name in rounds:
            PlanAgreement.objects.get_or_create(
                cycle=rounds[name],
                defaults={"agreed_on": (rounds[name].released_at or dt.datetime.now()).date()},
            )
    return created
