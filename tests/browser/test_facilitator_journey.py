"""A facilitator creates a cycle, invites people, watches participation, closes the cycle, reviews
and releases the results, and reads the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from assessments.models import Cycle, CycleStatus, Invitation, RoleLevel
from tests.background import run_tasks
from tests.browser import scenarios

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PEOPLE = [
    ("Ali Khan", "ali@example.org", "Riverbank Borough Council"),
    ("Bea Jones", "bea@example.org", "Riverbank Borough Council"),
    ("Cal Smith", "cal@example.org", "Riverbank Health NHS Trust"),
    ("Dee Patel", "dee@example.org", "Riverbank Youth Network"),
    ("Eve Brown", "eve@example.org", "Grainstore Co-operative"),
    ("Fay Green", "fay@example.org", "Eastgate Residents' Association"),
    ("Gus White", "gus@example.org", "Riverbank Youth Network"),
    ("Hal Black", "hal@example.org", "Grainstore Co-operative"),
]


def _totals(page) -> list[str]:
    """The "All partners" row of the participation table: invited, started, submitted, rate."""
    return page.locator("#participation ~ div tfoot td").all_inner_texts()


def test_facilitator_runs_a_cycle_from_draft_to_released_results(
    live_server, page, new_context, check, settings
):
    settings.SITE_URL = live_server.url  # the links in emails and in the invitee table
    place = scenarios.make_place()
    bank = scenarios.default_bank()
    scenarios.facilitator(place)
    today = dt.date.today()

    scenarios.log_in(page, live_server, "facilitator", check)
    check.page(page, "your places")
    page.get_by_role("link", name="Riverbank").click()
    check.page(page, "place overview")
    page.get_by_role("link", name="Cycles").click()
    check.page(page, "cycles")
    page.get_by_role("link", name="Start a new cycle").click()

    # --- Create the cycle ---
    check.page(page, "new cycle form")
    page.get_by_label("Name").fill("Spring 2026")
    assert page.get_by_label("Question bank").input_value() == str(bank.pk)
    assert page.get_by_label("Minimum group size (k)").input_value() == "5"
    page.get_by_label("Opening date").fill(today.isoformat())
    page.get_by_label("Closing date").fill((today + dt.timedelta(days=28)).isoformat())
    page.get_by_role("button", name="Create cycle").click()
    page.wait_for_url("**/cycles/*/")
    check.page(page, "draft cycle")
    cycle = Cycle.objects.get(place=place, name="Spring 2026")
    assert cycle.status == CycleStatus.DRAFT

    # --- Invite people: one bad line first, then the corrected list ---
    page.get_by_role("link", name="Invite people").click()
    check.page(page, "invite people")
    lines = [", ".join(person) for person in PEOPLE]
    page.get_by_label("People to invite").fill(
        "\n".join([*lines, "Ian Grey, not-an-email, Nobody"])
    )
    page.get_by_role("button", name="Invite and send emails").click()
    check.page(page, "invite people with errors")
    assert page.get_by_text("Line 9:").is_visible()
    assert not Invitation.objects.filter(cycle=cycle).exists()
    page.get_by_label("People to invite").fill("\n".join(lines))
    page.get_by_role("button", name="Invite and send emails").click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    check.page(page, "cycle with invitations")
    assert page.get_by_text("Invited 8 people").is_visible()
    assert _totals(page) == ["8", "0", "0", "0%"]

    page.get_by_role("button", name="Open the cycle").click()
    check.page(page, "open cycle")
    assert page.get_by_text("The cycle is open").is_visible()
    # The invitations waited for the opening; a worker sends them.
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 8
    assert live_server.url + "/r/" in mail.outbox[0].body

    # --- People answer: one starts from the link the facilitator copied; six submit ---
    link = page.get_by_label("Personal link for Hal Black").input_value()
    respondent = new_context().new_page()
    respondent.goto(link)
    check.page(respondent, "respondent's start")
    respondent.get_by_role("link", name="Start").click()
    check.page(respondent, "respondent's about you")
    respondent.get_by_label("Manager").check()
    respondent.get_by_label("Yes", exact=True).check()  # takes part in partnership meetings
    respondent.get_by_role("button", name="Save and continue").click()
    respondent.wait_for_url("**/page/1/")
    check.page(respondent, "respondent's page 1")
    respondent.context.close()
    roles = [RoleLevel.SENIOR_LEADER, RoleLevel.MANAGER, RoleLevel.FRONT_LINE]
    for n, invitation in enumerate(Invitation.objects.filter(cycle=cycle).order_by("name")[:6]):
        scenarios.submit_for(invitation, level=2 + n % 3, role=roles[n % 3])

    page.reload()
    check.page(page, "participation")
    assert _totals(page) == ["8", "7", "6", "75%"]
    hal = page.get_by_role("row", name="Hal Black")
    assert hal.get_by_text("Hidden once started").is_visible()
    assert page.get_by_role("row", name="Ali Khan").get_by_role("cell", name="Submitted").count()

    # --- Close, review, release ---
    page.get_by_role("button", name="Close the cycle now").click()
    check.page(page, "closed cycle")
    assert page.get_by_text("The cycle is closed").is_visible()
    page.get_by_role("link", name="Review the results").click()
    check.page(page, "results before release")
    assert page.get_by_text("These results have not been released yet").is_visible()
    page.go_back()
    page.get_by_role("button", name="Release results to partner members").click()
    check.page(page, "released cycle")
    assert page.get_by_text("The results are released").is_visible()
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RELEASED

    # --- Read the dashboard ---
    page.get_by_role("link", name="See the results").click()
    check.page(page, "dashboard")
    assert page.get_by_text("6 people answered this health check.").is_visible()
    assert page.get_by_text("These results have not been released yet").count() == 0
    conditions = page.locator("#conditions-caption").locator("xpath=..").locator("tbody tr")
    assert conditions.count() == 6
    assert page.locator(".overall-score").is_visible()
    for heading in (
        "Overall",
        "What kind of collaboration is this?",
        "How different groups see it",
    ):
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()

    page.get_by_role("link", name="Your places").click()
    page.get_by_role("link", name="Compare the places you facilitate").click()
    check.page(page, "comparison")
    assert page.get_by_role("row", name="Riverbank").get_by_text("Spring 2026").is_visible()

    check.assert_html_valid()
