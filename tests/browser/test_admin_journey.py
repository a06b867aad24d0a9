"""An admin copies bank v1 as a new draft version from its read-only page (a second copy offers
the existing draft), rewords a statement in its textarea and routes it to people in partnership
meetings, previews the questionnaire (routing shown, radio buttons without bullets) and
publishes the new version."""

from __future__ import annotations

import pytest

from assessments.banks import load_bank_v1
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
    scenarios.default_bank()  # v2, the default, is there too
    original = load_bank_v1()
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    statement = Statement.objects.for_bank(original).get(key="relationships_easy_contact")
    old_text = statement.text

    scenarios.log_in(page, live_server, "admin", check)
    page.get_by_role("link", name="Admin", exact=True).click()
    check.page(page, "admin home")
    page.get_by_role("link", name="Question banks").click()
    check.page(page, "question banks")

    # --- v1 is published: its page says why it cannot change, and offers a draft copy ---
    page.locator(f'a[href$="/questionbank/{original.pk}/change/"]').first.click()
    check.page(page, "published bank, read only")
    note = page.locator("#bank-published-note")
    assert "cannot be changed" in note.inner_text()
    page.get_by_role("button", name="Copy as new draft").click()
    draft = QuestionBank.objects.get(name=original.name, version=original.version + 1)
    assert draft.status == BankStatus.DRAFT
    page.wait_for_url(f"**/questionbank/{draft.pk}/change/")
    check.page(page, "draft bank")
    assert page.get_by_text(f"Created {draft}.").is_visible()

    # Copying again offers the draft that exists, rather than making a second one.
    page.goto(live_server.url + "/admin/assessments/questionbank/")
    _run_action(page, original, "copy_as_new_draft")
    check.page(page, "question banks, copy offered again")
    assert page.get_by_text("already has a draft copy").is_visible()
    assert QuestionBank.objects.drafts().filter(name=original.name).count() == 1
    page.goto(live_server.url + f"/admin/assessments/questionbank/{original.pk}/change/")
    assert page.get_by_role("button", name="Copy as new draft").count() == 0
    page.locator("#bank-published-note").get_by_role("link", name=str(draft)).click()

    # --- Reword one statement of the draft, in its textarea, and route it ---
    page.wait_for_url(f"**/questionbank/{draft.pk}/change/")
    condition = draft.conditions.get(key="relationships")
    page.locator(f'a[href$="/condition/{condition.pk}/change/"]').first.click()
    check.page(page, "draft condition with its statements")
    copied = Statement.objects.get(condition=condition, key="relationships_easy_contact")
    row = page.locator("tr.form-row").filter(has=page.locator(f'input[value="{copied.pk}"]'))
    text_box = row.locator("textarea[name$='-text']")
    assert text_box.input_value() == old_text
    text_box.fill(NEW_TEXT)
    # The reverse-wording and routing boxes are in view beside it, not off to the side.
    for name in ("reverse_keyed", "routed"):
        box = row.locator(f"input[name$='-{name}']")
        box.scroll_into_view_if_needed()
        assert box.is_visible()
        assert box.bounding_box()["x"] + box.bounding_box()["width"] <= page.viewport_size["width"]
    row.locator("input[name$='-routed']").check()
    page.get_by_role("button", name="Save", exact=True).click()
    check.page(page, "conditions after saving")
    assert page.locator(".messagelist .success").is_visible()
    copied.refresh_from_db()
    assert copied.text == NEW_TEXT and copied.routed

    # --- Preview (routing shown, no bullets), then publish ---
    page.goto(live_server.url + f"/admin/assessments/questionbank/{draft.pk}/preview/")
    check.page(page, "preview")
    assert page.get_by_text(NEW_TEXT).is_visible()
    assert page.get_by_text("(routed: only for people in partnership meetings)").count() == 1
    assert page.locator("#content-main li").count() == 0
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
    assert page.locator("textarea[name$='-text']").count() == 0

    check.assert_html_valid()
