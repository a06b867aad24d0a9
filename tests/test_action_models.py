"""The action plan's records: what a place decided to do, by whom, and how it is going."""

import pytest
from django.db import IntegrityError, transaction

from actions.models import Action, ActionStatus, ActionUpdate
from tests.factories import PartnerFactory, PlaceFactory

pytestmark = pytest.mark.django_db


def test_open_actions_of_a_place_are_the_planned_and_under_way_ones():
    place, other = PlaceFactory(), PlaceFactory()
    planned = Action.objects.create(place=place, title="Monthly partners' lunch")
    under_way = Action.objects.create(
        place=place, title="Rotate the chair", status=ActionStatus.UNDER_WAY
    )
    Action.objects.create(place=place, title="Joint bid", status=ActionStatus.DONE)
    Action.objects.create(place=place, title="Newsletter", status=ActionStatus.DROPPED)
    Action.objects.create(place=other, title="Elsewhere")
    assert set(Action.objects.for_place(place).open()) == {planned, under_way}


def test_an_unknown_status_is_refused_by_the_database():
    place = PlaceFactory()
    with pytest.raises(IntegrityError, match="action_status_valid"), transaction.atomic():
        Action.objects.create(place=place, title="x", status="finished")


def test_an_action_has_owner_organisations_and_dated_updates():
    place = PlaceFactory()
    council, charity = PartnerFactory(place=place), PartnerFactory(place=place)
    action = Action.objects.create(place=place, title="Share the agenda-setting")
    action.owners.set([council, charity])
    ActionUpdate.objects.create(action=action, text="First rotation agreed.")
    ActionUpdate.objects.create(
        action=action, text="Second chair in post.", status=ActionStatus.UNDER_WAY
    )
    assert set(action.owners.all()) == {council, charity}
    assert [u.text for u in action.updates.all()] == [
        "First rotation agreed.",
        "Second chair in post.",
    ]
