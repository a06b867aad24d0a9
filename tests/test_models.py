"""Database constraints: each refusal is the database's, not only a form's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from assessments.models import (
    Answer,
    Condition,
    Cycle,
    CycleStatus,
    DraftResponse,
    Invitation,
    Response,
    RoleLevel,
    Statement,
)
from places.models import Membership, Partner
from tests.factories import (
    ConditionFactory,
    CycleFactory,
    PartnerFactory,
    PlaceFactory,
    UserFactory,
    make_bank,
)

pytestmark = pytest.mark.django_db


def refused(callable_) -> bool:
    try:
        with transaction.atomic():
            callable_()
    except IntegrityError:
        return True
    return False


def test_partner_names_unique_within_a_place_but_not_across_places():
    place = PlaceFactory()
    PartnerFactory(place=place, name="Food Bank")
    assert refused(lambda: PartnerFactory(place=place, name="Food Bank"))
    PartnerFactory(place=PlaceFactory(), name="Food Bank")  # another place may reuse it


def test_partner_sector_and_size_must_be_known_values():
    place = PlaceFactory()
    assert refused(
        lambda: Partner.objects.create(place=place, name="X", sector="pirates", size="small")
    )
    assert refused(lambda: Partner.objects.create(place=place, name="Y", sector="nhs", size="huge"))


def test_one_membership_per_user_and_place():
    place, user = PlaceFactory(), UserFactory()
    Membership.objects.create(user=user, place=place, role="member")
    assert refused(lambda: Membership.objects.create(user=user, place=place, role="facilitator"))
    assert refused(lambda: Membership.objects.create(user=UserFactory(), place=place, role="boss"))


def test_condition_and_statement_keys_unique_within_their_parent():
    bank = make_bank(publish=False)
    assert refused(lambda: Condition.objects.create(bank=bank, key="c0", name="Again"))
    condition = bank.conditions.get(key="c0")
    assert refused(lambda: Statement.objects.create(condition=condition, key="c0_s0", text="Again"))


def test_bank_name_and_version_unique():
    bank = make_bank(publish=False)
    assert refused(lambda: make_bank(publish=False, name=bank.name, version=bank.version))


def test_cycle_k_must_be_at_least_three():
    assert refused(lambda: CycleFactory(min_group_size=2))
    assert CycleFactory(min_group_size=3).min_group_size == 3


def test_cycle_cannot_close_before_it_opens():
    today = dt.date.today()
    assert refused(lambda: CycleFactory(opens_on=today, closes_on=today - dt.timedelta(days=1)))


def test_k_and_bank_fixed_once_cycle_opens():
    cycle = CycleFactory(min_group_size=4)
    cycle.min_group_size = 3
    cycle.save()  # still a draft: allowed
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
    cycle.refresh_from_db()
    cycle.min_group_size = 5
    with pytest.raises(ValueError, match="fixed"):
        cycle.save()
    cycle.refresh_from_db()
    cycle.bank = make_bank()
    with pytest.raises(ValueError, match="fixed"):
        cycle.save()
    assert Cycle.objects.get(pk=cycle.pk).min_group_size == 3


def _invitation(cycle, partner, email="a@example.org", token_hash="0" * 64):
    return Invitation.objects.create(
        cycle=cycle, partner=partner, name="A", email=email, token_hash=token_hash
    )


def test_invitation_token_hash_unique_and_one_invitation_per_email_per_cycle():
    cycle = CycleFactory()
    partner = PartnerFactory(place=cycle.place)
    _invitation(cycle, partner)
    assert refused(lambda: _invitation(cycle, partner, email="b@example.org"))
    assert refused(lambda: _invitation(cycle, partner, token_hash="1" * 64))


def test_one_draft_response_per_invitation():
    cycle = CycleFactory()
    invitation = _invitation(cycle, PartnerFactory(place=cycle.place))
    DraftResponse.objects.create(invitation=invitation)
    assert refused(lambda: DraftResponse.objects.create(invitation=invitation))


def test_response_has_no_link_to_invitation_or_user():
    field_targets = {
        f.related_model for f in Response._meta.get_fields() if f.is_relation and f.many_to_one
    }
    assert Invitation not in field_targets
    assert UserFactory._meta.model not in field_targets
    assert not any(
        f.get_internal_type() == "DateTimeField" for f in Response._meta.concrete_fields
    ), "submitted responses keep dates to the day"


def _response(cycle, partner):
    return Response.objects.create(
        cycle=cycle,
        partner=partner,
        **partner.group_attributes(),
        role_level=RoleLevel.MANAGER,
        submitted_on=dt.date.today(),
    )


def test_answer_values_must_be_1_to_5_or_dont_know():
    cycle = CycleFactory()
    response = _response(cycle, PartnerFactory(place=cycle.place))
    statements = list(Statement.objects.filter(condition__bank=cycle.bank))
    for bad in (0, 6):
        assert refused(
            lambda v=bad: Answer.objects.create(response=response, statement=statements[0], value=v)
        )
    Answer.objects.create(response=response, statement=statements[0], value=None)  # don't know
    Answer.objects.create(response=response, statement=statements[1], value=5)
    assert refused(
        lambda: Answer.objects.create(response=response, statement=statements[1], value=4)
    )


def test_response_role_level_and_spectrum_must_be_known_values():
    cycle = CycleFactory()
    partner = PartnerFactory(place=cycle.place)
    attributes = partner.group_attributes()
    today = dt.date.today()
    assert refused(
        lambda: Response.objects.create(
            cycle=cycle, partner=partner, **attributes, role_level="king", submitted_on=today
        )
    )
    assert refused(
        lambda: Response.objects.create(
            cycle=cycle,
            partner=partner,
            **attributes,
            role_level="manager",
            spectrum_choice="chaos",
            submitted_on=today,
        )
    )


def test_answers_protect_the_statements_they_point_at():
    from django.db.models import ProtectedError

    cycle = CycleFactory(bank=make_bank(publish=False))
    statement = Statement.objects.filter(condition__bank=cycle.bank).first()
    response = _response(cycle, PartnerFactory(place=cycle.place))
    Answer.objects.create(response=response, statement=statement, value=3)
    with pytest.raises(ProtectedError, match="referenced through protected foreign keys"):
        statement.delete()
    assert Statement.objects.filter(pk=statement.pk).exists()


def test_cycles_protect_their_bank():
    from django.db.models import ProtectedError

    bank = make_bank(publish=False)
    CycleFactory(bank=bank)
    with pytest.raises(ProtectedError, match="referenced through protected foreign keys"):
        bank.delete()


def test_condition_factory_is_draft_by_default():
    assert not ConditionFactory().bank.is_published


def test_a_stale_copy_cannot_reopen_a_closed_cycle():
    cycle = CycleFactory(status=CycleStatus.OPEN)
    stale = Cycle.objects.get(pk=cycle.pk)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    stale.name = "Renamed"
    with pytest.raises(ValueError, match="Reload the page"):
        stale.save()
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.CLOSED
