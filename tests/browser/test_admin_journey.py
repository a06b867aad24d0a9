"""An admin copies the published bank as a new draft version, rewords a statement in Django admin,
previews the questionnaire and publishes the new version."""

from __future__ import annotations

import pytest

from assessments.models import BankStatus, QuestionBank, Statement
from tests.browser import scenarios
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_TEXT = "People here can pick up the phone to anyone in the partnership, whatever their job."


def _run_action(page, bank: QuestionBank, action: str) -> None:
    page.locator(f'input[name="_selected_action"][value="{bank.pk}"]').check()
    page.get_by_label("Action:").select_option(action)
    page.locator('button[name="index"]').click()


def test_admin_copies_bank_edits_statement_and_publishes(live_server, page, check):
    original = scenarios.default_bank()
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    statement = Statement.objects.for_bank(original).get(key="relationships_easy_contact")
    old_text = statement.text

    scenarios.log_in(page, live_server, "admin", check)
    page.get_by_role("link", name="Admin", exact=True).click()
    check.page(page, "admin home")
    page.get_by_role("link", name="Question banks").click()
    check.page(page, "question banks")

    # --- Copy the published bank as a new draft ---
    _run_action(page, original, "copy_as_new_draft")
    check.page(page, "question banks with the copy")
    draft = QuestionBank.objects.get(name=original.name, version=original.version + 1)
    assert draft.status == BankStatus.DRAFT
    assert page.get_by_text(f"Created {draft}.").is_visible()

    # --- Reword one statement of the draft ---
    page.locator(f'a[href$="/questionbank/{draft.pk}/change/"]').first.click()
    check.page(page, "draft bank")
    condition = draft.conditions.get(key="relationships")
    page.locator(f'a[href$="/condition/{condition.pk}/change/"]').first.click()
    check.page(page, "draft condition with its statements")
    copied = Statement.objects.get(condition=condition, key="relationships_easy_contact")
    row = page.locator("tr.form-row").filter(has=page.locator(f'input[value="{copied.pk}"]'))
    text_box = row.locator("input[name$='-text']")
    assert text_box.input_value() == old_text
    text_box.fill(NEW_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    check.page(page, "conditions after saving")
    assert page.locator(".messagelist .success").is_visible()
    copied.refresh_from_db()
    assert copied.text == NEW_TEXT

    # --- Preview, then publish ---
    page.goto(live_server.url + f"/admin/assessments/questionbank/{draft.pk}/preview/")
    check.page(page, "preview")
    assert page.get_by_text(NEW_TEXT).is_visible()
    page.goto(live_server.url + "/admin/assessments/questionbank/")
    _run_action(page, draft, "publish_banks")
    check.page(page, "question banks after publishing")
    assert page.get_by_text(f"Published {draft.name}").is_visible()

    draft.refresh_from_db()
    assert draft.status == BankStatus.PUBLISHED
    statement.refresh_from_db()
    assert statement.text == old_text, "the published original must not change"
    assert Statement.objects.for_bank(draft).get(key=copied.key).text == NEW_TEXT

    # The published copy is read-only now: its statements show as text, with no form to edit.
    page.goto(live_server.url + f"/admin/assessments/condition/{condition.pk}/change/")
    check.page(page, "published condition, read only")
    assert page.locator("input[name$='-text']").count() == 0

    check.assert_html_valid()
