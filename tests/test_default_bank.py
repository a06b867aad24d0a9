from __future__ import annotations

import pytest
from django.core.management import call_command

from assessments import bank_v1
from assessments.banks import load_default_bank
from assessments.models import Condition, QuestionBank, Statement

pytestmark = pytest.mark.django_db


def test_default_bank_has_six_conditions_and_about_36_statements():
    bank, created = load_default_bank()
    assert created
    assert bank.is_published
    assert bank.name == "Collaboration health check v1"
    keys = list(bank.conditions.values_list("key", flat=True))
    assert keys == [
        "relationships",
        "vision",
        "principles",
        "behaviours",
        "infrastructure",
        "leadership",
    ]
    for condition in bank.conditions.all():
        assert 5 <= condition.statements.count() <= 7, condition.key
        assert condition.comment_prompt
    statements = Statement.objects.for_bank(bank)
    assert 34 <= statements.count() <= 38
    assert statements.filter(reverse_keyed=True).count() >= 3
    assert all(wording for _, wording in bank.spectrum_choices())


def test_a_reverse_keyed_leadership_statement_exists():
    bank, _ = load_default_bank()
    assert (
        Statement.objects.for_bank(bank)
        .filter(condition__key="leadership", reverse_keyed=True)
        .exists()
    )


def test_loading_twice_changes_nothing():
    call_command("load_default_bank")
    before = (
        QuestionBank.objects.count(),
        Condition.objects.count(),
        Statement.objects.count(),
        list(Statement.objects.order_by("pk").values_list("pk", "text")),
    )
    call_command("load_default_bank")
    bank, created = load_default_bank()
    assert not created
    after = (
        QuestionBank.objects.count(),
        Condition.objects.count(),
        Statement.objects.count(),
        list(Statement.objects.order_by("pk").values_list("pk", "text")),
    )
    assert before == after


def test_statement_keys_unique_across_the_bank():
    keys = [s["key"] for c in bank_v1.CONDITIONS for s in c["statements"]]
    assert len(keys) == len(set(keys))
