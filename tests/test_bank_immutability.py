"""A published bank cannot change by any path: model save/delete, queryset update/delete, bulk.

The bank, its conditions and its statements share one guard (`BankPart` in assessments/models.py),
so each test below runs on all three; a draft bank's parts go through the same paths unrefused.
"""

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

PARTS = [QuestionBank, Condition, Statement]
# A text field of each, to change.
EDITED = {QuestionBank: "description", Condition: "name", Statement: "text"}
# Every refusal says why and what to do instead (ImmutableBankError's message).
PUBLISHED = r"belongs to a published question bank, which cannot be changed\. Copy the bank"


@pytest.fixture
def bank():
    return make_bank(n_conditions=2, n_statements=3)


@pytest.fixture
def draft():
    return make_bank(n_conditions=2, n_statements=3, publish=False)


def part_of(model, bank):
    """One stored row of `model` in `bank`."""
    if model is QuestionBank:
        return bank
    if model is Condition:
        return bank.conditions.first()
    return Statement.objects.for_bank(bank).first()


def new_part(model, bank):
    """An unsaved row of `model` that would belong to `bank` (for the bank itself: a bank that is
    published from the start)."""
    if model is QuestionBank:
        return QuestionBank(name="New", status=bank.status, spectrum_prompt="Which?")
    if model is Condition:
        return Condition(bank=bank, key="new", name="New")
    return Statement(condition=bank.conditions.first(), key="new", text="New")


def rows(model, bank):
    if model is QuestionBank:
        return QuestionBank.objects.filter(pk=bank.pk)
    if model is Condition:
        return Condition.objects.filter(bank=bank)
    return Statement.objects.for_bank(bank)


def snapshot(bank) -> list:
    """Everything stored about the bank."""
    return [list(rows(model, bank).order_by("pk").values()) for model in (QuestionBank, *PARTS[1:])]


@pytest.mark.parametrize("model", PARTS)
def test_save_of_a_published_banks_part_refused(model, bank):
    before = snapshot(bank)
    part = part_of(model, bank)
    setattr(part, EDITED[model], "changed")
    with pytest.raises(ImmutableBankError, match=f"This {model._meta.verbose_name} belongs"):
        part.save()
    assert snapshot(bank) == before


@pytest.mark.parametrize("model", PARTS)
def test_delete_of_a_published_banks_part_refused(model, bank):
    before = snapshot(bank)
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        part_of(model, bank).delete()
    assert snapshot(bank) == before


@pytest.mark.parametrize("model", PARTS)
def test_queryset_update_and_delete_of_a_published_banks_parts_refused(model, bank):
    before = snapshot(bank)
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        rows(model, bank).update(**{EDITED[model]: "changed"})
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        rows(model, bank).delete()
    assert snapshot(bank) == before


@pytest.mark.parametrize("model", PARTS)
def test_bulk_update_of_a_published_banks_parts_refused(model, bank):
    before = snapshot(bank)
    part = part_of(model, bank)
    setattr(part, EDITED[model], "changed")
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        with transaction.atomic():  # bulk_update's own atomic block marks rollback
            model.objects.bulk_update([part], [EDITED[model]])
    assert snapshot(bank) == before


@pytest.mark.parametrize("model", PARTS)
def test_adding_to_a_published_bank_refused(model, bank):
    before = snapshot(bank)
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        new_part(model, bank).save()
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        model.objects.bulk_create([new_part(model, bank)])
    assert snapshot(bank) == before
    assert QuestionBank.objects.count() == 1


@pytest.mark.parametrize("model", PARTS)
def test_a_draft_banks_parts_go_through_every_path(model, draft):
    part = part_of(model, draft)
    setattr(part, EDITED[model], "saved")
    part.save()
    rows(model, draft).update(**{EDITED[model]: "updated"})
    part.refresh_from_db()
    setattr(part, EDITED[model], "bulk")
    model.objects.bulk_update([part], [EDITED[model]])
    assert rows(model, draft).filter(**{EDITED[model]: "bulk"}).exists()
    if model is not QuestionBank:
        new_part(model, draft).save()
        added = new_part(model, draft)
        added.key = "bulk"
        model.objects.bulk_create([added])
        assert rows(model, draft).filter(key__in=["new", "bulk"]).count() == 2
        rows(model, draft).filter(key="bulk").delete()
    part.delete()
    assert not model.objects.filter(pk=part.pk).exists()


def test_a_published_bank_cannot_be_put_back_to_draft(bank):
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        QuestionBank.objects.filter(pk=bank.pk).update(status=BankStatus.DRAFT)
    bank.status = BankStatus.DRAFT
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        bank.save()
    assert QuestionBank.objects.get(pk=bank.pk).status == BankStatus.PUBLISHED


def test_publish_sets_status_and_date(bank):
    bank.refresh_from_db()
    assert bank.status == BankStatus.PUBLISHED
    assert bank.published_at is not None


@pytest.mark.parametrize("model", [Condition, Statement])
def test_moving_a_part_out_of_a_published_bank_refused(model, bank, draft):
    part = part_of(model, bank)
    if model is Condition:
        part.bank = draft
    else:
        part.condition = draft.conditions.first()
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        part.save()


@pytest.mark.parametrize("model", [Condition, Statement])
def test_moving_a_draft_part_into_a_published_bank_refused(model, bank, draft):
    before = snapshot(bank)
    part = part_of(model, draft)
    target = bank if model is Condition else bank.conditions.first()
    field = "bank" if model is Condition else "condition"
    setattr(part, field, target)
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        part.save()
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        model.objects.filter(pk=part.pk).update(**{field: target})
    with pytest.raises(ImmutableBankError, match=PUBLISHED):
        model.objects.filter(pk=part.pk).update(**{f"{field}_id": target.pk})
    assert snapshot(bank) == before


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


def test_copy_as_draft_carries_each_conditions_guidance_forward():
    draft = make_bank(n_conditions=2, n_statements=1, publish=False)
    first, second = draft.conditions.all()
    first.guidance = "Meet before you need each other."
    first.save()
    draft.publish()
    copy = draft.copy_as_draft()
    guidance = dict(copy.conditions.values_list("key", "guidance"))
    assert guidance == {first.key: "Meet before you need each other.", second.key: ""}


def test_a_draft_cannot_be_published_by_setting_its_status():
    draft = make_bank(n_conditions=0, publish=False)
    draft.status = BankStatus.PUBLISHED
    with pytest.raises(ValueError, match="publish action"):
        draft.save()
    assert QuestionBank.objects.get(pk=draft.pk).status == BankStatus.DRAFT
