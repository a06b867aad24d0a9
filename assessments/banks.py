"""Loading the default question bank from its wording in bank_v1.py.

Version 1 is the bank as first published. Version "1.1" (stored as version 2 of the same bank)
has the same conditions, statements and keys, with guidance per condition (bank_guidance.py):
trends continue across the two, and new rounds use it, as the newest published version.
"""

from __future__ import annotations

from django.db import transaction

from assessments import bank_guidance, bank_v1
from assessments.models import Condition, QuestionBank, Statement

DEFAULT_BANK_VERSION = 1
GUIDED_BANK_VERSION = 2  # "v1.1": version 1 with guidance per condition
GUIDED_BANK_DESCRIPTION_NOTE = (
    "Version 1.1: the same statements as version 1, with guidance on what tends to help "
    "for each condition."
)


@transaction.atomic
def load_default_bank() -> tuple[QuestionBank, bool]:
    """Create and publish the default bank's versions unless they exist. Returns the newest
    (version 1.1) and whether anything was created."""
    first, first_created = _load_first_version()
    guided, guided_created = _load_guided_version(first)
    return guided, first_created or guided_created


def _load_first_version() -> tuple[QuestionBank, bool]:
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


def _load_guided_version(first: QuestionBank) -> tuple[QuestionBank, bool]:
    existing = QuestionBank.objects.filter(
        name=bank_v1.BANK_NAME, version=GUIDED_BANK_VERSION
    ).first()
    if existing is not None:
        if not existing.is_published:
            existing.publish()
        return existing, False
    draft = first.copy_as_draft()
    if draft.version != GUIDED_BANK_VERSION:  # a version 2 appeared in between: never guess
        raise RuntimeError(f"Expected version {GUIDED_BANK_VERSION}, got {draft.version}.")
    QuestionBank.objects.filter(pk=draft.pk).update(
        description=f"{first.description}\n\n{GUIDED_BANK_DESCRIPTION_NOTE}".strip()
    )
    for key, text in bank_guidance.GUIDANCE.items():
        Condition.objects.filter(bank=draft, key=key).update(guidance=text)
    draft.refresh_from_db()
    draft.publish()
    return draft, True
