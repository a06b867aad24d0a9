"""A respondent on a phone: opens their link, answers half, closes the browser, comes back to find
every answer kept, finishes, and double-clicks submit — which makes exactly one response. On the
default bank (v2) they say they are not in partnership meetings, so they never see the routed
statements; another changes that answer part-way and is warned before routed answers go."""

from __future__ import annotations

import re

import pytest

from assessments.models import Answer, Comment, Invitation, Response, RoleLevel
from assessments.respond.questionnaire import Questionnaire
from tests.browser import audit, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHOICES = ["1", "2", "3", "4", "5", "dk"]


def _choice(statement) -> str:
    return CHOICES[statement.pk % len(CHOICES)]


def _stored(choice: str) -> int | None:
    return None if choice == "dk" else int(choice)


def _answer(page, statements) -> None:
    for statement in statements:
        page.check(f'input[name="s{statement.pk}"][value="{_choice(statement)}"]')


def _assert_kept(page, statements) -> None:
    for statement in statements:
        radio = page.locator(f'input[name="s{statement.pk}"][value="{_choice(statement)}"]')
        assert radio.is_checked(), f"the answer to {statement.key} was lost"


def _phone(new_context):
    return new_context(viewport=audit.PHONE, is_mobile=True, has_touch=True).new_page()


def test_respondent_stops_halfway_comes_back_and_submits_once(live_server, new_context, check):
    place = scenarios.make_place()
    bank = scenarios.default_bank()
    cycle = scenarios.open_cycle(place, bank)
    youth = place.partners.get(name="Riverbank Youth Network")
    (invitation,) = scenarios.invite(cycle, ("Sam Patel", "sam@example.org", youth))
    link = scenarios.respond_url(live_server, invitation)
    questionnaire = Questionnaire(bank)
    assert questionnaire.asks_meetings
    # Sam is not in partnership meetings: the routed statements are never shown to them.
    pages = [questionnaire.statements_for(c, in_meetings=False) for c in questionnaire.conditions]
    routed = [s for c in questionnaire.conditions for s in questionnaire.statements_for(c)]
    routed = [s for s in routed if s.routed]
    assert len(pages) == 6 and routed
    stop_page = 4  # pages 1–3 in full and half of page 4: about half the questionnaire
    half = len(pages[stop_page - 1]) // 2

    # --- First visit, on a phone ---
    page = _phone(new_context)
    page.goto(link)
    check.page(page, "start", phone=True)
    assert page.get_by_role("heading", level=1).inner_text() == "How well are we working together?"
    page.get_by_role("link", name="Start").click()

    check.page(page, "about you", phone=True)
    assert page.get_by_label("Which organisation are you part of?").input_value() == str(youth.pk)
    page.get_by_label("Front-line staff").check()
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()

    for number, statements in enumerate(pages[: stop_page - 1], start=1):
        page.wait_for_url(f"**/page/{number}/")
        check.page(page, f"page {number}", phone=True)
        for statement in routed:
            assert page.locator(f'input[name="s{statement.pk}"]').count() == 0
        assert page.locator("#progress-label").inner_text() == f"Page {number} of 7"
        _answer(page, statements)
        page.get_by_role("button", name="Save and continue").click()

    page.wait_for_url(f"**/page/{stop_page}/")
    _answer(page, pages[stop_page - 1][:half])
    page.get_by_role("textbox").fill("Meetings are at times front-line staff cannot make.")
    page.get_by_role("button", name="Save and finish later").click()
    check.page(page, "saved for later", phone=True)
    assert page.get_by_role("heading", name="Your answers are saved").is_visible()
    page.context.close()  # the browser is closed: no cookie, no cache, nothing kept on the phone

    # --- Back days later, in a fresh browser: everything is where it was ---
    page = _phone(new_context)
    page.goto(link)
    check.page(page, "start again", phone=True)
    page.get_by_role("link", name="Carry on where you stopped").click()
    page.wait_for_url(f"**/page/{stop_page}/")
    check.page(page, f"page {stop_page} with half its answers", phone=True)
    _assert_kept(page, pages[stop_page - 1][:half])
    unanswered = page.locator(f'input[name="s{pages[stop_page - 1][half].pk}"]:checked')
    assert unanswered.count() == 0
    assert page.get_by_role("textbox").input_value().startswith("Meetings are at times")
    for number in range(1, stop_page):
        page.goto(f"{link}page/{number}/")
        check.page(page, f"page {number} as answered", phone=True)
        _assert_kept(page, pages[number - 1])
    page.goto(f"{link}about/")
    check.page(page, "about you as answered", phone=True)
    assert page.get_by_label("Front-line staff").is_checked()

    # --- Finish ---
    page.goto(f"{link}page/{stop_page}/")
    _answer(page, pages[stop_page - 1][half:])
    page.get_by_role("button", name="Save and continue").click()
    for number, statements in enumerate(pages[stop_page:], start=stop_page + 1):
        page.wait_for_url(f"**/page/{number}/")
        check.page(page, f"page {number}", phone=True)
        _answer(page, statements)
        page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/page/7/")
    check.page(page, "how partners work together", phone=True)
    page.check('input[name="spectrum_choice"][value="weak"]')
    page.check('input[name="spectrum_target"][value="strong"]')  # where we need to be
    page.get_by_role("button", name="Save and review").click()

    page.wait_for_url("**/review/")
    check.page(page, "check your answers", phone=True)
    assert page.get_by_text("Not answered yet").count() == 0
    assert page.get_by_text("Meetings are at times front-line staff cannot make.").is_visible()

    # A second tab on the review page, to send the same answers again after the double click.
    other_tab = page.context.new_page()
    other_tab.goto(f"{link}review/")

    # Chromium sends a double-clicked form once or twice; the second tab below certainly sends
    # the same answers a second time.
    submits = []
    page.on("request", lambda r: submits.append(r) if r.url.endswith("/submit/") else None)
    page.get_by_role("button", name="Send my answers").dblclick()
    page.wait_for_url(link)
    check.page(page, "thank you", phone=True)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    assert submits, "the double click sent nothing"

    with other_tab.expect_request(lambda r: r.method == "POST" and r.url.endswith("/submit/")):
        other_tab.get_by_role("button", name="Send my answers").click()
    other_tab.wait_for_url(link)
    check.page(other_tab, "thank you in the second tab", phone=True)
    assert other_tab.get_by_role("heading", level=1).inner_text().startswith("Thank you")
    page.go_back()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thank you")

    # Exactly one response, with every answer as given and the comment, and no link to Sam.
    response = Response.objects.get(cycle=cycle)
    assert (response.partner, response.role_level) == (youth, RoleLevel.FRONT_LINE)
    assert (response.in_meetings, response.spectrum_choice, response.spectrum_target) == (
        False,
        "weak",
        "strong",
    )
    stored = dict(Answer.objects.filter(response=response).values_list("statement__key", "value"))
    assert stored == {s.key: _stored(_choice(s)) for statements in pages for s in statements}
    assert list(Comment.objects.filter(cycle=cycle).values_list("text", flat=True)) == [
        "Meetings are at times front-line staff cannot make."
    ]
    assert Invitation.objects.get(pk=invitation.pk).submitted

    check.assert_html_valid()


def test_changing_the_meetings_answer_part_way_warns_before_routed_answers_go(
    live_server, new_context, check
):
    place = scenarios.make_place()
    bank = scenarios.default_bank()
    cycle = scenarios.open_cycle(place, bank)
    council = place.partners.get(name="Riverbank Borough Council")
    (invitation,) = scenarios.invite(cycle, ("Ann Lee", "ann@example.org", council))
    link = scenarios.respond_url(live_server, invitation)
    questionnaire = Questionnaire(bank)
    first = questionnaire.statements_for(questionnaire.conditions[0])
    routed = [s for s in first if s.routed]
    assert routed

    page = _phone(new_context)
    page.goto(f"{link}about/")
    page.get_by_label("Manager").check()
    page.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/page/1/")
    check.page(page, "page 1 with routed statements", phone=True)
    _answer(page, first)
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/page/2/")

    # Back to About you: now "No". A warning first; nothing is removed yet.
    page.goto(f"{link}about/")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    check.page(page, "warning before removing routed answers", phone=True)
    warning = page.locator("#discard-warning")
    assert warning.is_visible()
    assert f"answered {len(routed)} question" in warning.inner_text()
    page.goto(f"{link}page/1/")
    _assert_kept(page, first)

    page.goto(f"{link}about/")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name=re.compile(r"^Remove th(ose answers|at answer)")).click()
    page.wait_for_url("**/page/1/")
    check.page(page, "page 1 without routed statements", phone=True)
    for statement in routed:
        assert page.locator(f'input[name="s{statement.pk}"]').count() == 0
    _assert_kept(page, [s for s in first if not s.routed])
    check.assert_html_valid()
