"""Guidance per condition (DESIGN §7b): in the default bank's version 1.1, carried on the
Condition rows, and shown on the dashboard beside weak or divided conditions only."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from assessments import bank_guidance, bank_v1, bank_v2, services
from assessments.banks import load_bank_v1, load_default_bank
from assessments.models import Condition, ImmutableBankError, QuestionBank, Statement
from places.models import Role
from tests import notes_fingerprint
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db


def test_every_condition_of_the_default_bank_has_guidance():
    assert set(bank_guidance.GUIDANCE) == {c["key"] for c in bank_v1.CONDITIONS}
    for key, text in bank_guidance.GUIDANCE.items():
        assert len(text.splitlines()) >= 3, key


def test_guidance_never_copies_a_run_of_eight_words_from_the_notes():
    for key, text in bank_guidance.GUIDANCE.items():
        assert notes_fingerprint.copied_runs(text) == [], key


def test_no_statement_or_wording_of_the_default_banks_copies_the_notes():
    for bank in (bank_v1, bank_v2):
        texts = [bank.BANK_DESCRIPTION, bank.SPECTRUM["prompt"], bank.SPECTRUM["help"]]
        texts += [*bank.SPECTRUM["choices"].values(), *getattr(bank, "TARGET", {}).values()]
        for condition in bank.CONDITIONS:
            texts += [condition["name"], condition["description"], condition["comment_prompt"]]
            texts += [s["text"] for s in condition["statements"]]
            texts += [s["help"] for s in condition["statements"]]
        for text in texts:
            assert notes_fingerprint.copied_runs(text) == [], text


def test_the_fingerprints_cover_the_notes_and_spot_a_copied_run():
    # Every run of eight words of a 15,000-word text, hashed.
    assert len(notes_fingerprint.load()) > 14_000
    text = "one two three four five six seven eight nine"
    assert len(set(notes_fingerprint.runs(text))) == 2
    assert notes_fingerprint.words("Partners’ plans, agreed!") == ["partners", "plans", "agreed"]


def test_version_1_1_has_the_same_statements_and_the_guidance():
    _v2, created = load_default_bank()
    assert created
    newest = load_bank_v1()  # the newest version of v1: 1.1
    first = QuestionBank.objects.get(name=bank_v1.BANK_NAME, version=1)
    assert newest.version == 2 and newest.name == bank_v1.BANK_NAME
    assert first.is_published and newest.is_published
    assert "Version 1.1" in newest.description

    def statements(bank):
        return list(
            Statement.objects.for_bank(bank)
            .order_by("condition__order", "order")
            .values_list("condition__key", "key", "text", "help_text", "reverse_keyed")
        )

    assert statements(first) == statements(newest)
    assert not Condition.objects.filter(bank=first).exclude(guidance="").exists()
    assert dict(newest.conditions.values_list("key", "guidance")) == bank_guidance.GUIDANCE
    # Published, so the guidance is as immutable as the statements.
    condition = newest.conditions.first()
    condition.guidance = "Something else"
    with pytest.raises(ImmutableBankError, match="belongs to a published question bank"):
        condition.save()


def test_loading_again_creates_nothing_and_a_new_round_asks_the_newest():
    call_command("load_default_bank")
    count = QuestionBank.objects.count()
    bank, created = load_default_bank()
    assert not created and QuestionBank.objects.count() == count == 3  # v1, v1.1 and v2
    assert QuestionBank.objects.newest_published() == bank


def test_a_later_copy_carries_the_guidance_forward():
    bank = load_bank_v1()
    copy = bank.copy_as_draft()
    assert copy.version == 3
    assert dict(copy.conditions.values_list("key", "guidance")) == bank_guidance.GUIDANCE


def test_the_cycle_form_offers_the_newest_version_first(client, facilitator_a, place_a):
    bank, _ = load_default_bank()
    client.force_login(facilitator_a)
    html = client.get(reverse("cycle_create", args=[place_a.slug])).content.decode()
    assert re.search(rf'<option value="{bank.pk}"[^>]* selected>', html)


# --- On the dashboard ---------------------------------------------------------------------------

KEYS = ("relationships", "vision", "leadership")


@pytest.fixture
def guided_bank(db):
    bank = make_keyed_bank(KEYS, n_statements=2, publish=False)
    for key in KEYS:
        Condition.objects.filter(bank=bank, key=key).update(
            guidance=f"First idea for {key}.\nSecond idea for {key}."
        )
    bank.publish()
    return bank


def _dashboard(client, place_a, bank, values):
    """A released round on k = 3: `values` is the answer function for add_responses."""
    partner = PartnerFactory(place=place_a)
    other = PartnerFactory(place=place_a)
    cycle = open_cycle_for(place_a, bank, min_group_size=3)
    add_responses(cycle, partner, count=3, values=values)
    add_responses(cycle, other, count=3, values=values)
    services.close_cycle(cycle)
    services.release_cycle(cycle)
    user = UserFactory()
    MembershipFactory(user=user, place=place_a, role=Role.MEMBER)
    client.force_login(user)
    return client.get(reverse("dashboard", args=[place_a.slug, cycle.pk])).content.decode()


def _section(html: str) -> str:
    if 'id="guidance-heading"' not in html:
        return ""
    start = html.index('id="guidance-heading"')
    return html[start : html.index("</section>", start)]


def test_guidance_is_shown_beside_weak_or_divided_conditions_only(client, place_a, guided_bank):
    def values(statement, i):
        key = statement.condition.key
        if key == "relationships":
            return 5  # 100 for everyone: a strength, aligned
        if key == "vision":
            return 2  # 25: a concern, aligned
        return 5 if i % 2 else 1  # leadership: 0 or 100, polarised

    section = _section(_dashboard(client, place_a, guided_bank, values))
    assert "First idea for relationships" not in section
    assert "<li>First idea for vision.</li>" in section
    assert "<li>Second idea for vision.</li>" in section
    assert "Listed because it scores 25 (a concern)." in section
    assert "First idea for leadership" in section
    assert "views are polarised" in section


def test_no_guidance_section_when_every_condition_is_a_strength(client, place_a, guided_bank):
    html = _dashboard(client, place_a, guided_bank, 5)
    assert _section(html) == ""
    assert "#guidance-heading" not in html


def test_a_hidden_condition_gets_no_guidance(client, place_a, guided_bank):
    # Vision answered by nobody: hidden, so it is never judged weak.
    def values(statement, i):
        return None if statement.condition.key == "vision" else 2

    section = _section(_dashboard(client, place_a, guided_bank, values))
    assert "First idea for relationships" in section
    assert "vision" not in section
