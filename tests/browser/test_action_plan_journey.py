"""From results to action: a facilitator adds an action and agrees the plan; a partner member
reads the plan on a phone and updates the action their organisation owns; the next round's
dashboard re-measures the actions answering the round before; anyone with the emailed link
reads the round's public summary. axe and the Nu HTML checker on every page, phone first."""

from __future__ import annotations

import pytest
from django.urls import reverse

from actions.models import Action, ActionStatus
from assessments import tokens
from assessments.models import Cycle, Statement
from tests.browser import audit, scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_from_results_to_the_next_round(live_server, page, new_context, check):
    place = scenarios.make_place()
    bank = scenarios.default_bank()
    latest = scenarios.released_results(place, bank)
    previous = Cycle.objects.get(place=place, name="Autumn 2025")
    scenarios.facilitator(place)
    scenarios.member(place)  # of Eastgate Residents' Association
    eastgate = place.partners.get(name="Eastgate Residents' Association")
    # Decided after Autumn 2025: re-measured on Spring 2026's dashboard.
    earlier = Action.objects.create(
        place=place, cycle=previous, title="Decide the small grants together", status="done"
    )
    earlier.owners.set([eastgate])
    earlier.conditions.set(bank.conditions.filter(key="leadership"))
    earlier.statements.set(
        Statement.objects.for_bank(bank).filter(key="leadership_joint_decisions")
    )

    # --- The facilitator adds an action answering Spring 2026, and agrees the plan ---
    scenarios.log_in(page, live_server, "facilitator")
    page.goto(live_server.url + reverse("place_detail", args=[place.slug]))
    page.get_by_role("link", name="Action plan").click()
    check.page(page, "action plan")
    page.get_by_role("link", name="Add an action").click()
    check.page(page, "add an action")
    page.get_by_role("button", name="Add the action").click()
    check.page(page, "add an action with errors")
    assert page.get_by_text("Nothing was saved: please correct the marked fields.").is_visible()
    page.locator("#id_title").fill("Rotate who chairs the partnership meeting")
    page.get_by_label("What will be done").fill("Each partner chairs the meeting in turn.")
    page.get_by_label("Eastgate Residents' Association").check()
    page.get_by_label("Grainstore Co-operative").check()
    page.get_by_label("Due by").fill("2026-12-31")
    page.get_by_role("checkbox", name="Shared leadership and power", exact=True).check()
    page.get_by_role(
        "checkbox", name="Shared leadership and power: Small and local organisations"
    ).check()
    page.set_viewport_size(audit.PHONE)
    check.page(page, "add an action on a phone", phone=True)
    page.get_by_role("button", name="Add the action").click()
    assert page.get_by_text("Added “Rotate who chairs the partnership meeting”").is_visible()
    check.page(page, "the new action", phone=True)
    page.get_by_role("link", name="Action plan").click()
    page.get_by_role("button", name="Mark the plan as agreed").click()
    assert page.get_by_text("The plan in answer to Spring 2026 is agreed").is_visible()
    check.page(page, "plan agreed", phone=True)

    # --- A member reads the plan on a phone and updates their organisation's action ---
    phone = new_context(viewport=audit.PHONE).new_page()
    scenarios.log_in(phone, live_server, "member")
    phone.goto(live_server.url + reverse("place_detail", args=[place.slug]))
    check.page(phone, "member: place", phone=True)
    phone.get_by_role("link", name="Action plan").click()
    check.page(phone, "member: action plan", phone=True)
    assert phone.get_by_role("heading", name="Decide the small grants together").is_visible()
    assert phone.get_by_role("link", name="Add an action").count() == 0
    phone.get_by_role("link", name="Rotate who chairs the partnership meeting").click()
    check.page(phone, "member: the action", phone=True)
    phone.locator("#id_text").fill("Eastgate chaired the first meeting.")
    phone.get_by_label("Status").select_option("under_way")
    phone.get_by_role("button", name="Add the update").click()
    assert phone.get_by_text("Eastgate chaired the first meeting.").is_visible()
    assert phone.get_by_text("status now under way").is_visible()
    check.page(phone, "member: after the update", phone=True)
    added = Action.objects.get(title="Rotate who chairs the partnership meeting")
    assert added.status == ActionStatus.UNDER_WAY
    phone.get_by_role("link", name="Action plan").click()
    phone.get_by_role("link", name="Print-friendly version").click()
    check.page(phone, "member: plan print view", phone=True)

    # --- Spring 2026's dashboard re-measures what was done after Autumn 2025 ---
    phone.goto(live_server.url + reverse("dashboard", args=[place.slug, latest.pk]))
    heading = phone.get_by_role("heading", name="What was done since last round")
    assert heading.is_visible()
    block = phone.locator("#remeasured-leadership")
    assert block.get_by_text("1 action done; linked statements").is_visible()
    assert "Decide the small grants together" in block.inner_text()
    assert phone.get_by_role("heading", name="What tends to help").is_visible()
    check.page(phone, "member: dashboard with the re-measurement", phone=True)

    # --- The public summary, from the link in the results email, without signing in ---
    anyone = new_context(viewport=audit.PHONE).new_page()
    anyone.goto(live_server.url + reverse("public_summary", args=[tokens.summary_token(latest.pk)]))
    assert anyone.get_by_role("heading", name="What people said: Spring 2026").is_visible()
    assert anyone.get_by_text("Rotate who chairs the partnership meeting").is_visible()
    check.page(anyone, "public summary", phone=True)

    check.assert_html_valid()
