from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from assessments import tokens
from assessments.models import (
    Answer,
    Comment,
    Condition,
    Cycle,
    CycleStatus,
    Invitation,
    QuestionBank,
    Response,
    RoleLevel,
    SpectrumType,
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


def make_routed_bank(
    condition_keys=("c0", "leadership"), n_everyone: int = 4, n_routed: int = 2, publish=True
) -> QuestionBank:
    """A bank with routed statements (asked only of people in partnership meetings) after
    `n_everyone` statements asked of everyone in each condition, and "where we need to be"."""
    bank = QuestionBankFactory(target_prompt="Which do we need?")
    for c, key in enumerate(condition_keys):
        condition = ConditionFactory(bank=bank, key=key, name=f"Condition {key}", order=c)
        for s in range(n_everyone + n_routed):
            StatementFactory(
                condition=condition, key=f"{key}_s{s}", order=s, routed=s >= n_everyone
            )
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


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation with a real token; `invitation.token` rebuilds the link's token."""

    class Meta:
        model = Invitation

    cycle = factory.SubFactory(CycleFactory)
    partner = factory.LazyAttribute(lambda o: PartnerFactory(place=o.cycle.place))
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    token_salt = factory.LazyFunction(tokens.new_salt)
    token_hash = factory.LazyAttribute(lambda o: tokens.hash_token(tokens.token_for(o.token_salt)))


# --- Submitted responses and results (for results, dashboard and export tests) ---

NO_ANSWER = object()  # a statement the respondent left out (as opposed to None: don't know)


def add_responses(
    cycle: Cycle,
    partner: Partner,
    *,
    count: int = 1,
    values=4,
    role_level: str = RoleLevel.MANAGER,
    spectrum: str = SpectrumType.STRONG,
    in_meetings: bool | None = None,
    target: str = "",
) -> list[Response]:
    """`count` submitted responses from `partner`, each answering every statement of the bank.

    `values` is one answer for every statement (1–5, or None for don't know), a mapping
    {statement key: answer} (statements not in it get NO_ANSWER), or a callable
    (statement, i) -> answer, where i counts the responses made by this call. With
    `in_meetings=False`, routed statements are not asked, so they get no answer.
    """
    statements = list(Statement.objects.for_bank(cycle.bank))
    if in_meetings is False:
        statements = [s for s in statements if not s.routed]
    responses = Response.objects.bulk_create(
        Response(
            cycle=cycle,
            partner=partner,
            **partner.group_attributes(),
            role_level=role_level,
            spectrum_choice=spectrum,
            spectrum_target=target,
            in_meetings=in_meetings,
            submitted_on=dt.date.today(),
        )
        for _ in range(count)
    )
    answers = []
    for i, response in enumerate(responses):
        for statement in statements:
            if callable(values):
                value = values(statement, i)
            elif isinstance(values, dict):
                value = values.get(statement.key, NO_ANSWER)
            else:
                value = values
            if value is not NO_ANSWER:
                answers.append(Answer(response=response, statement=statement, value=value))
    Answer.objects.bulk_create(answers)
    return responses


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    cycle = factory.SubFactory(CycleFactory)
    condition = factory.LazyAttribute(lambda o: o.cycle.bank.conditions.first())
    text = factory.Sequence(lambda n: f"Comment number {n}.")


def open_cycle_for(place: Place, bank: QuestionBank | None = None, **kwargs) -> Cycle:
    """An open cycle of `place`, ready for add_responses() and services.close_cycle()."""
    return CycleFactory(place=place, bank=bank or make_bank(), status=CycleStatus.OPEN, **kwargs)


def make_keyed_bank(
    condition_keys=("c0", "c1"),
    n_statements: int = 3,
    reverse_keyed=(),
    publish: bool = True,
    routed=(),
    **bank_kwargs,
) -> QuestionBank:
    """A bank whose conditions have the given keys (e.g. "leadership"), with statements keyed
    "<condition key>_s<i>"; statement keys listed in `reverse_keyed` are reverse-keyed, those in
    `routed` asked only of people in partnership meetings."""
    bank = QuestionBankFactory(**bank_kwargs)
    for c, key in enumerate(condition_keys):
        condition = ConditionFactory(bank=bank, key=key, name=f"Condition {key}", order=c)
        for s in range(n_statements):
            statement_key = f"{key}_s{s}"
            StatementFactory(
                condition=condition,
                key=statement_key,
                order=s,
                reverse_keyed=statement_key in reverse_keyed,
                routed=statement_key in routed,
            )
    if publish:
        bank.publish()
    return bank


def walk_counts(node, path="data"):
    """Every (path, value) in a snapshot whose key counts respondents: `n` or `n_…` (None where
    a figure is not shown)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "n" or key.startswith("n_"):
                yield f"{path}.{key}", value
            yield from walk_counts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk_counts(value, f"{path}[{i}]")
