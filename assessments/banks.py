"""Loading the default question banks from their wording, oldest first.

Version 1 is the bank as first published. Version "1.1" (stored as version 2 of the same bank)
has the same conditions, statements and keys, with guidance per condition (bank_guidance.py):
trends continue across the two. "Collaboration health check v2" (bank_v2.py, issue 20) rewrites
and adds statements, routes some to people in partnership meetings and asks where the
partnership needs to be; it carries guidance forward by condition key from the latest published
default bank loaded before it, which is why the banks load in version order. New rounds use the
newest published bank (v2); the others stay with the rounds that used them.
"""

from __future__ import annotations

from types import ModuleType

from django.db import transaction

from assessments import bank_guidance, bank_v1, bank_v2
from assessments.models import BankStatus, Condition, QuestionBank, Statement

GUIDED_BANK_VERSION = 2  # "v1.1": version 1 with guidance per condition
GUIDED_BANK_DESCRIPTION_NOTE = (
    "Version 1.1: the same statements as version 1, with guidance on what tends to help "
    "for each condition."
)


@transaction.atomic
def load_default_banks() -> list[tuple[QuestionBank, bool]]:
    """Create and publish every default bank unless it exists, oldest first: [(bank, created)]
    for v1, v1.1 and v2."""
    first = _load(bank_v1)
    guided = _load_guided_version(first[0])
    return [first, guided, _load(bank_v2)]


def load_default_bank() -> tuple[QuestionBank, bool]:
    """Load the default banks. Returns the newest (v2, what new rounds ask) and whether anything
    was created."""
    loaded = load_default_banks()
    return loaded[-1][0], any(created for _bank, created in loaded)


def load_bank_v1() -> QuestionBank:
    """The newest version of bank v1 (1.1, with guidance), loading every default bank: for the
    demo's released history and the benchmark, answered on v1."""
    return load_default_banks()[1][0]


def current_default_bank() -> QuestionBank | None:
    """Bank v2, if it has been loaded and published."""
    return QuestionBank.objects.published().filter(name=bank_v2.BANK_NAME, version=1).first()


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


def _carried_guidance() -> dict[str, str]:
    """Guidance per condition key from the latest published default bank that has any."""
    names = [bank_v1.BANK_NAME, bank_v2.BANK_NAME]
    guidance: dict[str, str] = {}
    rows = (
        Condition.objects.filter(bank__name__in=names, bank__status=BankStatus.PUBLISHED)
        .exclude(guidance="")
        .order_by("bank__published_at", "bank_id")
        .values_list("key", "guidance")
    )
    for key, text in rows:  # later banks overwrite earlier ones
        guidance[key] = text
    return guidance


def _load(spec: ModuleType) -> tuple[QuestionBank, bool]:
    """A default bank from its wording module (version 1 of its own name)."""
    existing = QuestionBank.objects.filter(name=spec.BANK_NAME, version=1).first()
    if existing is not None:
        if not existing.is_published:
            existing.publish()
        return existing, False

    carried = _carried_guidance()
    spectrum = spec.SPECTRUM
    target = getattr(spec, "TARGET", {"prompt": "", "help": ""})
    bank = QuestionBank.objects.create(
        name=spec.BANK_NAME,
        version=1,
        description=spec.BANK_DESCRIPTION,
        spectrum_prompt=spectrum["prompt"],
        spectrum_help=spectrum["help"],
        spectrum_cooperation=spectrum["choices"]["cooperation"],
        spectrum_partnership=spectrum["choices"]["partnership"],
        spectrum_weak=spectrum["choices"]["weak"],
        spectrum_strong=spectrum["choices"]["strong"],
        target_prompt=target["prompt"],
        target_help=target["help"],
    )
    for position, condition_spec in enumerate(spec.CONDITIONS, start=1):
        condition = Condition.objects.create(
            bank=bank,
            key=condition_spec["key"],
            name=condition_spec["name"],
            description=condition_spec["description"],
            comment_prompt=condition_spec["comment_prompt"],
            # Written for a new condition key; otherwise carried forward by key.
            guidance=condition_spec.get("guidance") or carried.get(condition_spec["key"], ""),
            order=position,
        )
        Statement.objects.bulk_create(
            Statement(
                condition=condition,
                key=s["key"],
                text=s["text"],
                help_text=s["help"],
                reverse_keyed=s["reverse_keyed"],
                routed=s.get("routed", False),
                order=n,
            )
            for n, s in enumerate(condition_spec["statements"], start=1)
        )
    bank.publish()
    return bank, True
