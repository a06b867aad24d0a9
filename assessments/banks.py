"""Loading the default question bank from its wording in bank_v1.py."""

from __future__ import annotations

from django.db import transaction

from assessments import bank_v1
from assessments.models import Condition, QuestionBank, Statement

DEFAULT_BANK_VERSION = 1


@transaction.atomic
def load_default_bank() -> tuple[QuestionBank, bool]:
    """Create and publish the default bank unless it exists. Returns (bank, created)."""
    existing = QuestionBank.objects.filter(
        name=bank_v1.BANK_NAME, version=DEFAULT_BANK_VERSION
    ).first()
    if existing is not None:
        if not existing.is_published:
            existing.publish()
        return existing, False

    spectrum = bank_v1.SPECTRUM
    bank = QuestionBank.objects.create(
        name=bank_v1.BANK_NAME,
        version=DEFAULT_BANK_VERSION,
        description=bank_v1.BANK_DESCRIPTION,
        spectrum_prompt=spectrum["prompt"],
        spectrum_help=spectrum["help"],
        spectrum_cooperation=spectrum["choices"]["cooperation"],
        spectrum_partnership=spectrum["choices"]["partnership"],
        spectrum_weak=spectrum["choices"]["weak"],
        spectrum_strong=spectrum["choices"]["strong"],
    )
    for position, spec in enumerate(bank_v1.CONDITIONS, start=1):
        condition = Condition.objects.create(
            bank=bank,
            key=spec["key"],
            name=spec["name"],
            description=spec["description"],
            comment_prompt=spec["comment_prompt"],
            order=position,
        )
        Statement.objects.bulk_create(
            Statement(
                condition=condition,
                key=s["key"],
                text=s["text"],
                help_text=s["help"],
                reverse_keyed=s["reverse_keyed"],
                order=n,
            )
            for n, s in enumerate(spec["statements"], start=1)
        )
    bank.publish()
    return bank, True
