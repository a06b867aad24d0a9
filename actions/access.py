"""The only way action plan pages fetch a place's plan or one of its actions for a user.

Built on `places.access`: outsiders get 404 before anything else is looked up. Every member of
the place reads the plan; facilitators add actions and edit any of them; a member edits (and adds
updates to) the actions their own organisation owns. Anyone else asking to edit gets 403.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from actions.models import Action
from places.access import PlaceAccess, place_for_facilitator, place_for_user

log = logging.getLogger("betterway.access")


@dataclass(frozen=True)
class ActionAccess:
    access: PlaceAccess
    action: Action
    can_edit: bool


def can_edit(access: PlaceAccess, owner_ids: set[int]) -> bool:
    """Facilitators edit every action; members only those their organisation owns."""
    return access.is_facilitator or access.membership.partner_id in owner_ids


def plan_for_user(user, slug: str) -> PlaceAccess:
    """Any member or facilitator of the place reads its plan."""
    return place_for_user(user, slug)


def plan_for_facilitator(user, slug: str) -> PlaceAccess:
    """Adding actions and agreeing the plan: facilitators only."""
    return place_for_facilitator(user, slug)


def action_for_user(user, slug: str, action_id: int) -> ActionAccess:
    """An action of the place, if the user may read it; another place's action is a 404."""
    access = place_for_user(user, slug)
    action = get_object_or_404(
        Action.objects.select_related("cycle", "place"), pk=action_id, place=access.place
    )
    owner_ids = set(action.owners.values_list("pk", flat=True))
    return ActionAccess(access=access, action=action, can_edit=can_edit(access, owner_ids))


def action_for_editor(user, slug: str, action_id: int) -> ActionAccess:
    """As action_for_user, for those who may change the action; other members get 403."""
    found = action_for_user(user, slug, action_id)
    if not found.can_edit:
        log.warning(
            "Access denied: %s may not edit action %s of place %r",
            user.get_username(),
            action_id,
            slug,
        )
        raise PermissionDenied("Only the place's facilitators and the action's owners can edit it.")
    return found
