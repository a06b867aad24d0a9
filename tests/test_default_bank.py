from __future__ import annotations

import pytest
from django.core.management import call_command

from assessments import bank_v1, bank_v2
from assessments.banks import current_default_bank, load_bank_v1, load_default_bank
from assessments.models import Condition, QuestionBank, Statement

pytestmark = pytest.mark.django_db


def test_bank_v1_has_six_conditions_and_about_36_statements():
    bank = load_bank_v1()
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
    bank = load_bank_v1()
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


@pytest.mark.parametrize("spec", [bank_v1, bank_v2])
def test_statement_keys_unique_across_the_bank(spec):
    keys = [s["key"] for c in spec.CONDITIONS for s in c["statements"]]
    assert len(keys) == len(set(keys))


# --- Version 2 (issue 20) ---


def test_v2_is_the_default_for_new_rounds_and_v1_stays():
    bank, created = load_default_bank()
    assert created
    assert bank.is_published
    assert bank.name == "Collaboration health check v2"
    assert current_default_bank() == bank
    assert load_bank_v1().is_published  # v1 (and its version 1.1) stay, with their rounds
    assert QuestionBank.objects.published().count() == 3
    assert QuestionBank.objects.newest_published() == bank


def test_v2_has_6_to_8_statements_per_condition_and_at_most_48():
    bank, _ = load_default_bank()
    keys = list(bank.conditions.values_list("key", flat=True))
    # The same condition keys as v1, so conditions trend and benchmark across the versions.
    assert keys == [c["key"] for c in bank_v1.CONDITIONS]
    for condition in bank.conditions.all():
        assert 6 <= condition.statements.count() <= 8, condition.key
        assert condition.comment_prompt
    assert Statement.objects.for_bank(bank).count() <= 48


def test_v2_reverse_wording_in_every_condition_and_20_to_25_percent_overall():
    bank, _ = load_default_bank()
    statements = Statement.objects.for_bank(bank)
    for condition in bank.conditions.all():
        assert condition.statements.filter(reverse_keyed=True).exists(), condition.key
    share = statements.filter(reverse_keyed=True).count() / statements.count()
    assert 0.20 <= share <= 0.25


def test_v2_routes_statements_and_keeps_at_least_4_asked_of_everyone():
    bank, _ = load_default_bank()
    assert Statement.objects.for_bank(bank).filter(routed=True).count() >= 8
    for condition in bank.conditions.all():
        assert condition.statements.filter(routed=False).count() >= 4, condition.key
    assert bank.target_prompt  # "where we need to be"


def test_v2_fixes_what_issue_20_found_in_v1():
    texts = {s["key"]: s["text"] for c in bank_v2.CONDITIONS for s in c["statements"]}
    # Statements that asked two things at once are split, or gone.
    for key in [
        "relationships_easy_contact",
        "relationships_connector_resourced",
        "vision_voices_acted_on",
        "vision_simple_to_explain",
        "leadership_direction_agreed",  # repeated vision_shaped_together
    ]:
        assert key not in texts
    assert "they will work" in texts["principles_willing_to_try"]  # not "it will work"
    assert " and " not in texts["behaviours_enabling_others"]
    # Ideas of the notes with no statement in v1.
    for key in [
        "relationships_part_of_my_job",
        "principles_candid_with_funders",
        "behaviours_front_line_permission",
        "infrastructure_rigid_plans",
        "leadership_kind_generous",
    ]:
        assert key in texts


def test_v2_carries_guidance_forward_by_condition_key():
    from assessments import bank_guidance

    # v1.1 (guidance from bank_guidance.py) loads before v2, which carries it forward by key.
    v2, created = load_default_bank()
    assert created
    assert dict(v2.conditions.values_list("key", "guidance")) == bank_guidance.GUIDANCE
