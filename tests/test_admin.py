"""Question banks in Django admin: actions, preview, and read-only published banks."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import BankStatus, QuestionBank, Statement
from tests.factories import make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    return client


def _action(client, action: str, bank: QuestionBank):
    return client.post(
        reverse("admin:assessments_questionbank_changelist"),
        {"action": action, "_selected_action": [bank.pk]},
        follow=True,
    )


def test_copy_as_new_draft_action(admin_client):
    bank = make_bank()
    response = _action(admin_client, "copy_as_new_draft", bank)
    assert response.status_code == 200
    copy = QuestionBank.objects.get(name=bank.name, version=2)
    assert copy.status == BankStatus.DRAFT
    assert f"Created {copy}" in response.content.decode()
    assert Statement.objects.for_bank(copy).count() == Statement.objects.for_bank(bank).count()


def test_publish_action(admin_client):
    bank = make_bank(publish=False)
    _action(admin_client, "publish_banks", bank)
    bank.refresh_from_db()
    assert bank.status == BankStatus.PUBLISHED


def test_publish_action_reports_an_incomplete_bank(admin_client):
    bank = make_bank(n_conditions=0, publish=False)
    response = _action(admin_client, "publish_banks", bank)
    assert "was not published" in response.content.decode()
    bank.refresh_from_db()
    assert bank.status == BankStatus.DRAFT


def test_preview_renders_every_statement_and_spectrum_wording(admin_client):
    bank = make_bank(n_conditions=3, n_statements=4)
    response = admin_client.get(reverse("admin:assessments_questionbank_preview", args=[bank.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for statement in Statement.objects.for_bank(bank):
        assert statement.text in html
    for _, wording in bank.spectrum_choices():
        assert wording in html
    assert html.count('value="dk"') == 12


def test_published_bank_change_page_is_read_only(admin_client):
    bank = make_bank()
    url = reverse("admin:assessments_questionbank_change", args=[bank.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="description"' not in page  # shown as text, not an input
    response = admin_client.post(url, {"name": "Hacked", "version": 9, "description": "x"})
    assert response.status_code == 403
    bank.refresh_from_db()
    assert bank.name != "Hacked"


def test_published_bank_cannot_be_deleted_in_admin(admin_client):
    bank = make_bank()
    url = reverse("admin:assessments_questionbank_delete", args=[bank.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    response = admin_client.post(
        reverse("admin:assessments_questionbank_changelist"),
        {"action": "delete_selected", "_selected_action": [bank.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert QuestionBank.objects.filter(pk=bank.pk).exists()


def test_published_condition_is_read_only_in_admin(admin_client):
    bank = make_bank()
    condition = bank.conditions.first()
    url = reverse("admin:assessments_condition_change", args=[condition.pk])
    response = admin_client.post(url, {"name": "Hacked", "key": condition.key, "order": 0})
    assert response.status_code == 403
    condition.refresh_from_db()
    assert condition.name != "Hacked"


def test_draft_condition_edits_statements_inline(admin_client):
    bank = make_bank(n_conditions=1, n_statements=1, publish=False)
    condition = bank.conditions.get()
    statement = condition.statements.get()
    url = reverse("admin:assessments_condition_change", args=[condition.pk])
    data = {
        "key": condition.key,
        "name": condition.name,
        "description": "",
        "comment_prompt": "",
        "order": 0,
        "statements-TOTAL_FORMS": 2,
        "statements-INITIAL_FORMS": 1,
        "statements-MIN_NUM_FORMS": 0,
        "statements-MAX_NUM_FORMS": 1000,
        "statements-0-id": statement.pk,
        "statements-0-condition": condition.pk,
        "statements-0-order": 2,
        "statements-0-key": statement.key,
        "statements-0-text": "Reworded statement",
        "statements-0-help_text": "",
        "statements-1-condition": condition.pk,
        "statements-1-order": 1,
        "statements-1-key": "brand_new",
        "statements-1-text": "A new statement",
        "statements-1-help_text": "",
        "statements-1-reverse_keyed": "on",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    texts = list(condition.statements.order_by("order").values_list("text", "reverse_keyed"))
    assert texts == [("A new statement", True), ("Reworded statement", False)]


def test_places_partners_memberships_cycles_have_admin_lists(
    admin_client, partner_a, facilitator_a
):
    from tests.factories import CycleFactory

    bank = make_bank(name="Listed bank")
    CycleFactory(place=partner_a.place, bank=bank, name="Autumn round")
    # Each list shows its rows, and the columns and filters that make it useful.
    expected = {
        "places_place": ["Ashford", "ashford"],
        "places_partner": ["Ashford Council", "Voluntary &amp; community", "By sector"],
        "places_membership": ["fac_a", "Facilitator", "By role"],
        "assessments_cycle": ["Autumn round", "Draft", "By status"],
        "assessments_questionbank": ["Listed bank", "Preview questionnaire", "By status"],
        "assessments_condition": ["Condition 0", "Listed bank"],
    }
    for name, texts in expected.items():
        page = admin_client.get(reverse(f"admin:{name}_changelist")).content.decode()
        for text in texts:
            assert text in page, (name, text)


def test_admin_refuses_k_below_three_with_a_message(admin_client, place_a):
    bank = make_bank()
    response = admin_client.post(
        reverse("admin:assessments_cycle_add"),
        {
            "place": place_a.pk,
            "bank": bank.pk,
            "name": "Too small",
            "min_group_size": 2,
            "opens_on": "2026-01-01",
            "closes_on": "2026-02-01",
        },
    )
    assert response.status_code == 200
    assert "greater than or equal to 3" in response.content.decode()
    from assessments.models import Cycle

    assert not Cycle.objects.filter(name="Too small").exists()


def test_new_conditions_can_only_go_into_draft_banks(admin_client):
    published = make_bank()
    draft = make_bank(publish=False)
    page = admin_client.get(reverse("admin:assessments_condition_add")).content.decode()
    assert f'<option value="{draft.pk}">' in page
    assert f'<option value="{published.pk}">' not in page


# --- Issue 20 and issue 21: editing a bank as an admin expects ---


def test_statement_text_is_a_textarea_beside_reverse_wording_and_routing(admin_client):
    bank = make_bank(publish=False)
    condition = bank.conditions.first()
    page = admin_client.get(
        reverse("admin:assessments_condition_change", args=[condition.pk])
    ).content.decode()
    statement = condition.statements.first()
    assert '<textarea name="statements-0-text"' in page
    assert statement.text in page
    text_at = page.index('name="statements-0-text"')
    assert (
        text_at
        < page.index('name="statements-0-reverse_keyed"')
        < page.index('name="statements-0-routed"')
    )


def test_published_bank_says_why_it_is_read_only_and_offers_a_copy(admin_client):
    bank = make_bank()
    page = admin_client.get(
        reverse("admin:assessments_questionbank_change", args=[bank.pk])
    ).content.decode()
    assert "This bank is published, so it cannot be changed" in page
    assert reverse("admin:assessments_questionbank_copy", args=[bank.pk]) in page


def test_copy_as_new_draft_twice_offers_the_existing_draft(admin_client):
    bank = make_bank()
    url = reverse("admin:assessments_questionbank_copy", args=[bank.pk])
    first = admin_client.post(url)
    copy = QuestionBank.objects.get(name=bank.name, version=2)
    assert first.url == reverse("admin:assessments_questionbank_change", args=[copy.pk])
    second = admin_client.post(url, follow=True)
    assert QuestionBank.objects.filter(name=bank.name).count() == 2  # no second draft
    assert "already has a draft copy" in second.content.decode()
    assert second.redirect_chain[-1][0] == first.url
    # The list's action does the same.
    response = _action(admin_client, "copy_as_new_draft", bank)
    assert "already has a draft copy" in response.content.decode()
    assert QuestionBank.objects.filter(name=bank.name).count() == 2
    # Its page no longer offers the copy button, but links to the draft.
    page = admin_client.get(
        reverse("admin:assessments_questionbank_change", args=[bank.pk])
    ).content.decode()
    assert url not in page and str(copy) in page


def test_copy_needs_a_post(admin_client):
    bank = make_bank()
    url = reverse("admin:assessments_questionbank_copy", args=[bank.pk])
    assert admin_client.get(url).status_code == 405
    assert QuestionBank.objects.count() == 1


def test_preview_shows_routing_and_no_bullets(admin_client):
    from tests.factories import make_routed_bank

    bank = make_routed_bank(n_everyone=4, n_routed=2)
    html = admin_client.get(
        reverse("admin:assessments_questionbank_preview", args=[bank.pk])
    ).content.decode()
    assert "<li>" not in html.split('id="content-main"')[1]  # radio buttons, no bullets
    assert html.count("(routed: only for people in partnership meetings)") == 4
    assert "Do you take part in the partnership" in html
    assert "Which do we need?" in html


def test_publishing_refuses_a_routed_bank_with_too_few_statements_for_everyone(admin_client):
    from tests.factories import make_routed_bank

    bank = make_routed_bank(n_everyone=3, n_routed=2, publish=False)
    response = _action(admin_client, "publish_banks", bank)
    assert "needs at least 4 in each condition" in response.content.decode()
    bank.refresh_from_db()
    assert bank.status == BankStatus.DRAFT


def test_copying_v1_carries_routing_and_where_we_need_to_be(admin_client):
    from tests.factories import make_routed_bank

    bank = make_routed_bank(n_everyone=4, n_routed=2)
    admin_client.post(reverse("admin:assessments_questionbank_copy", args=[bank.pk]))
    copy = QuestionBank.objects.get(name=bank.name, version=2)
    assert copy.target_prompt == bank.target_prompt
    assert Statement.objects.for_bank(copy).filter(routed=True).count() == 4
