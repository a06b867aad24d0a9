"""A published bank cannot change by any path: model save/delete, queryset update/delete, bulk."""

from __future__ import annotations

import pytest
from django.db import transaction

from assessments.models import (
    BankStatus,
    Condition,
    ImmutableBankError,
    QuestionBank,
    Statement,
)
from tests.factories import make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank():
    return make_bank(n_conditions=2, n_statements=3)


def test_publish_sets_status_and_date(bank):
    bank.refresh_from_db()
    assert bank.status == BankStatus.PUBLISHED
    assert bank.published_at is not None


def test_model_save_of_published_bank_refused(bank):
    bank.description = "changed"
    with pytest.raises(ImmutableBankError):
        bank.save()
    assert QuestionBank.objects.get(pk=bank.pk).description == ""


def test_model_delete_of_published_bank_refused(bank):
    with pytest.raises(ImmutableBankError):
        bank.delete()
    assert QuestionBank.objects.filter(pk=bank.pk).exists()


def test_queryset_update_and_delete_of_published_bank_refused(bank):
    with pytest.raises(ImmutableBankError):
        QuestionBank.objects.filter(pk=bank.pk).update(description="changed")
    with pytest.raises(ImmutableBankError):
        QuestionBank.objects.filter(pk=bank.pk).delete()
    with pytest.raises(ImmutableBankError):
        QuestionBank.objects.filter(pk=bank.pk).update(status=BankStatus.DRAFT)
    assert QuestionBank.objects.get(pk=bank.pk).status == BankStatus.PUBLISHED


def test_bulk_update_of_published_bank_refused(bank):
    bank.description = "changed"
    with pytest.raises(ImmutableBankError):
        with transaction.atomic():  # bulk_update's own atomic block marks rollback
            QuestionBank.objects.bulk_update([bank], ["description"])


def test_creating_a_bank_already_published_refused():
    with pytest.raises(ImmutableBankError):
        QuestionBank.objects.bulk_create([QuestionBank(name="X", status=BankStatus.PUBLISHED)])


def test_condition_save_delete_update_refused(bank):
    condition = bank.conditions.first()
    condition.name = "changed"
    with pytest.raises(ImmutableBankError):
        condition.save()
    with pytest.raises(ImmutableBankError):
        condition.delete()
    with pytest.raises(ImmutableBankError):
        Condition.objects.filter(pk=condition.pk).update(name="changed")
    with pytest.raises(ImmutableBankError):
        Condition.objects.filter(pk=condition.pk).delete()
    with pytest.raises(ImmutableBankError):
        with transaction.atomic():  # bulk_update's own atomic block marks rollback
            Condition.objects.bulk_update([condition], ["name"])
    with pytest.raises(ImmutableBankError):
        Condition(bank=bank, key="new", name="New").save()
    with pytest.raises(ImmutableBankError):
        Condition.objects.bulk_create([Condition(bank=bank, key="new", name="New")])
    assert bank.conditions.count() == 2
    assert Condition.objects.get(pk=condition.pk).name != "changed"


def test_statement_save_delete_update_refused(bank):
    statement = Statement.objects.for_bank(bank).first()
    original = statement.text
    statement.text = "changed"
    with pytest.raises(ImmutableBankError):
        statement.save()
    with pytest.raises(ImmutableBankError):
        statement.delete()
    with pytest.raises(ImmutableBankError):
        Statement.objects.filter(pk=statement.pk).update(text="changed")
    with pytest.raises(ImmutableBankError):
        Statement.objects.for_bank(bank).delete()
    with pytest.raises(ImmutableBankError):
        with transaction.atomic():  # bulk_update's own atomic block marks rollback
            Statement.objects.bulk_update([statement], ["text"])
    with pytest.raises(ImmutableBankError):
        Statement.objects.bulk_create([Statement(condition=statement.condition, key="n", text="n")])
    with pytest.raises(ImmutableBankError):
        Statement(condition=statement.condition, key="n", text="n").save()
    assert Statement.objects.get(pk=statement.pk).text == original
    assert Statement.objects.for_bank(bank).count() == 6


def test_moving_a_statement_out_of_a_published_bank_refused(bank):
    draft = make_bank(publish=False)
    statement = Statement.objects.for_bank(bank).first()
    statement.condition = draft.conditions.first()
    with pytest.raises(ImmutableBankError):
        statement.save()


def test_moving_a_draft_statement_into_a_published_bank_refused(bank):
    draft = make_bank(publish=False)
    statement = Statement.objects.for_bank(draft).first()
    statement.condition = bank.conditions.first()
    with pytest.raises(ImmutableBankError):
        statement.save()


def test_draft_banks_are_editable():
    draft = make_bank(publish=False)
    draft.description = "edited"
    draft.save()
    Statement.objects.for_bank(draft).update(help_text="help")
    assert Statement.objects.for_bank(draft).filter(help_text="help").count() == 6
    draft.conditions.first().delete()
    assert draft.conditions.count() == 1


def test_publish_refuses_an_incomplete_bank():
    empty = make_bank(n_conditions=0, publish=False)
    with pytest.raises(ValueError, match="no conditions"):
        empty.publish()
    hollow = make_bank(n_conditions=1, n_statements=0, publish=False)
    with pytest.raises(ValueError, match="no statements"):
        hollow.publish()
    assert not QuestionBank.objects.published().filter(pk__in=[empty.pk, hollow.pk]).exists()


def test_copy_as_draft_keeps_keys_and_bumps_version(bank):
    copy = bank.copy_as_draft()
    assert copy.status == BankStatus.DRAFT
    assert copy.version == bank.version + 1
    assert copy.name == bank.name
    original_keys = sorted(Statement.objects.for_bank(bank).values_list("key", flat=True))
    copied_keys = sorted(Statement.objects.for_bank(copy).values_list("key", flat=True))
    assert copied_keys == original_keys
    # The copy is independent: editing it leaves the published bank alone.
    Statement.objects.for_bank(copy).update(text="edited")
    assert not Statement.objects.for_bank(bank).filter(text="edited").exists()
    second = bank.copy_as_draft()
    assert second.version == bank.version + 2


def test_a_draft_cannot_be_published_by_setting_its_status():
    draft = make_bank(n_conditions=0, publish=False)
    draft.status = BankStatus.PUBLISHED
    with pytest.raises(ValueError, match="publish action"):
        draft.save()
    assert QuestionBank.objects.get(pk=draft.pk).status == BankStatus.DRAFT
