from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from assessments.models import (
    Condition,
    Cycle,
    CycleStatus,
    QuestionBank,
    Statement,
)
from places.models import Membership, Partner, Place, Role, Sector, Size


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.Sequence(lambda n: f"place-{n}")


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    place = factory.SubFactory(PlaceFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    sector = Sector.VOLUNTARY
    size = Size.SMALL
    is_lead = False


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    place = factory.SubFactory(PlaceFactory)
    role = Role.MEMBER


class QuestionBankFactory(factory.django.DjangoModelFactory):
    """A draft bank; use make_published_bank() for a complete published one."""

    class Meta:
        model = QuestionBank

    name = factory.Sequence(lambda n: f"Bank {n}")
    version = 1
    spectrum_prompt = "Which fits best?"
    spectrum_cooperation = "Alongside each other"
    spectrum_partnership = "Signed up to a set agenda"
    spectrum_weak = "One organisation steers"
    spectrum_strong = "All steer together"


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition

    bank = factory.SubFactory(QuestionBankFactory)
    key = factory.Sequence(lambda n: f"condition-{n}")
    name = factory.Sequence(lambda n: f"Condition {n}")
    order = factory.Sequence(lambda n: n)


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    condition = factory.SubFactory(ConditionFactory)
    key = factory.Sequence(lambda n: f"statement-{n}")
    text = factory.Sequence(lambda n: f"Statement number {n} is true here.")
    order = factory.Sequence(lambda n: n)


def make_bank(
    n_conditions: int = 2, n_statements: int = 3, publish: bool = True, **bank_kwargs
) -> QuestionBank:
    bank = QuestionBankFactory(**bank_kwargs)
    for c in range(n_conditions):
        condition = ConditionFactory(bank=bank, key=f"c{c}", name=f"Condition {c}", order=c)
        for s in range(n_statements):
            StatementFactory(condition=condition, key=f"c{c}_s{s}", order=s)
    if publish:
        bank.publish()
    return bank


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    place = factory.SubFactory(PlaceFactory)
    bank = factory.LazyFunction(make_bank)
    name = factory.Sequence(lambda n: f"Cycle {n}")
    status = CycleStatus.DRAFT
    opens_on = factory.LazyFunction(lambda: dt.date.today())
    closes_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=28))
