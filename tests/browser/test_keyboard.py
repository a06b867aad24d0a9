"""The whole questionnaire with the keyboard alone — Tab, arrow keys, Space, typing and Enter — with
a visible focus indicator on every element the focus lands on."""

from __future__ import annotations

import pytest

from assessments.models import Answer, Comment, Response, RoleLevel
from assessments.respond.questionnaire import Questionnaire
from tests.browser import audit, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHOICES = ["1", "2", "3", "4", "5", "dk"]  # the radios of a statement, in page order


def tab_to(page, wanted, limit: int = 80) -> dict:
    """Press Tab until `wanted(focused element)`; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = audit.assert_visible_focus(page)
        if wanted(element):
            return element
    raise AssertionError(f"Tab never reached the element wanted on {page.url}")


def choose_radio(page, group: str, index: int) -> None:
    """Tab into a radio group (the focus lands on its first radio, nothing chosen yet), then
    choose the radio at `index` with the arrow keys, or Space for the first."""
    tab_to(page, lambda el: el["name"] == group)
    assert page.locator(f'input[name="{group}"]:checked').count() == 0
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    audit.assert_visible_focus(page)


def press_button(page, text: str) -> None:
    tab_to(page, lambda el: el["tag"] in ("button", "a") and el["text"].startswith(text))
    page.keyboard.press("Enter")


def test_questionnaire_with_the_keyboard_alone(live_server, new_context, check):
    # Bootstrap scrolls smoothly unless motion is reduced: the focused element would still be
    # gliding into view when it is checked.
    page = new_context(reduced_motion="reduce").new_page()
    place = scenarios.make_place()
    bank = scenarios.default_bank()
    cycle = scenarios.open_cycle(place, bank)
    council = place.partners.get(is_lead=True)
    (invitation,) = scenarios.invite(cycle, ("Kim Lee", "kim@example.org", council))
    questionnaire = Questionnaire(bank)
    pages = [questionnaire.statements_for(c) for c in questionnaire.conditions]
    expected = {}

    page.goto(scenarios.respond_url(live_server, invitation))
    check.page(page, "start")
    skip_link = tab_to(page, lambda el: True)
    assert skip_link["text"] == "Skip to main content"
    press_button(page, "Start")

    page.wait_for_url("**/about/")
    check.page(page, "about you")
    tab_to(page, lambda el: el["tag"] == "select")  # already the invitation's partner
    roles = page.locator('input[name="role_level"]')
    values = [roles.nth(i).get_attribute("value") for i in range(roles.count())]
    choose_radio(page, "role_level", values.index(RoleLevel.VOLUNTEER))
    choose_radio(page, "in_meetings", 0)  # yes: every statement is asked
    press_button(page, "Save and continue")

    for number, statements in enumerate(pages, start=1):
        page.wait_for_url(f"**/page/{number}/")
        check.page(page, f"page {number}")
        for statement in statements:
            index = (statement.pk + number) % len(CHOICES)
            choose_radio(page, f"s{statement.pk}", index)
            expected[statement.key] = None if CHOICES[index] == "dk" else int(CHOICES[index])
            if number == 1 and statement == statements[0]:
                page.screenshot(path=check.shot_dir / "focus-on-a-radio.png")
        if number == 2:
            tab_to(page, lambda el: el["tag"] == "textarea")
            page.keyboard.type("Typed without a mouse.")
        press_button(page, "Save and continue")

    page.wait_for_url("**/page/7/")
    check.page(page, "how partners work together")
    choose_radio(page, "spectrum_choice", 3)
    choose_radio(page, "spectrum_target", 3)  # where we need to be
    press_button(page, "Save and review")

    page.wait_for_url("**/review/")
    check.page(page, "check your answers")
    assert page.get_by_text("Not answered yet").count() == 0
    page.keyboard.press("Tab")
    page.screenshot(path=check.shot_dir / "focus-on-the-skip-link.png")
    press_button(page, "Send my answers")
    page.wait_for_url(scenarios.respond_url(live_server, invitation))
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    check.page(page, "thank you")

    response = Response.objects.get(cycle=cycle)
    assert (response.partner, response.role_level) == (council, RoleLevel.VOLUNTEER)
    assert (response.spectrum_choice, response.spectrum_target) == ("strong", "strong")
    assert response.in_meetings is True
    assert (
        dict(Answer.objects.filter(response=response).values_list("statement__key", "value"))
        == expected
    )
    assert Comment.objects.get(cycle=cycle).text == "Typed without a mouse."
    check.assert_html_valid()
