"""A facilitator creates a cycle, invites people, watches participation, closes the cycle, reviews
and releases the results, and reads the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from playwright.sync_api import expect

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

    # --- The invitation email: the facilitator's own words, previewed, then saved ---
    page.get_by_role("link", name="Invitation email", exact=True).click()
    check.page(page, "invitation email")
    page.get_by_label("Your message").fill("We agreed in March to check how we work together.")
    page.get_by_label("Contact name").fill("Alex Jones")
    page.get_by_label("Contact email address").fill("alex@example.org")
    page.get_by_role("button", name="Preview").click()
    check.page(page, "invitation email preview")
    assert page.get_by_role("heading", name="Preview (not saved yet)").is_visible()
    preview = page.locator("#preview-body").inner_text()
    assert "A MESSAGE FROM ALEX JONES\nWe agreed in March" in preview
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")

    # --- Invite people: a CSV file with a bad line, corrected in the box it lands in ---
    page.get_by_role("link", name="Invite a list").click()
    check.page(page, "invite people")
    rows = ["name,email,partner", *(",".join(person) for person in PEOPLE)]
    csv_bytes = "\n".join([*rows, "Ian Grey,not-an-email,Nobody"]).encode()
    page.get_by_label("Or upload a CSV file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv_bytes}
    )
    page.get_by_role("button", name="Invite and send emails").click()
    check.page(page, "invite people with errors")
    assert page.get_by_text("Line 10:").is_visible()
    assert page.get_by_text("The file's rows are now in the box below").is_visible()
    assert not Invitation.objects.filter(cycle=cycle).exists()
    box = page.get_by_label("Paste a list")
    assert box.input_value().splitlines()[1] == "\t".join(PEOPLE[0])
    box.fill("\n".join(box.input_value().splitlines()[:-1]))  # the bad line removed
    page.get_by_role("button", name="Invite and send emails").click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    check.page(page, "cycle with invitations")
    assert page.get_by_text("Invited 8 people").is_visible()

    # --- One more person by the form, with a typo in the address, then corrected ---
    page.get_by_role("link", name="Invite one person").click()
    check.page(page, "invite one person")
    page.get_by_label("Name").fill("Ivy Rose")
    page.get_by_label("Email address").fill("ivy@exmaple.org")
    page.get_by_label("Partner organisation").select_option(label="Grainstore Co-operative")
    page.get_by_role("button", name="Invite", exact=True).click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert page.get_by_text("Invited Ivy Rose").is_visible()
    page.get_by_role("link", name="Correct Ivy Rose's name or address").click()
    check.page(page, "correct an invitation")
    page.get_by_label("Email address").fill("ivy@example.org")
    page.get_by_role("button", name="Save and send a new link").click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert page.get_by_text("emailed to ivy@example.org when the cycle opens").is_visible()
    assert _totals(page) == ["9", "0", "0", "0%"]

    page.get_by_role("button", name="Open the cycle").click()
    check.page(page, "open cycle")
    assert page.get_by_text("The cycle is open").is_visible()
    # The invitations waited for the opening; a worker sends them.
    assert mail.outbox == []
    run_tasks()
    assert len(mail.outbox) == 9
    assert live_server.url + "/r/" in mail.outbox[0].body
    assert "We agreed in March" in mail.outbox[0].body
    assert sorted(m.to[0] for m in mail.outbox if "Ivy" in m.body) == ["ivy@example.org"]

    # --- A second round cannot open while this one is open, and says why ---
    second = Cycle.objects.create(
        place=place, bank=bank, name="Autumn 2026", opens_on=today, closes_on=today
    )
    page.goto(f"{live_server.url}/places/riverbank/cycles/{second.pk}/")
    check.page(page, "second round while one is open")
    page.get_by_role("button", name="Open the cycle").click()
    assert page.get_by_text("Another round, Spring 2026, is still open in Riverbank").is_visible()
    assert Cycle.objects.get(pk=second.pk).status == CycleStatus.DRAFT
    page.goto(f"{live_server.url}/places/riverbank/cycles/{cycle.pk}/")

    # --- More time ---
    page.get_by_role("link", name="Give people more time").click()
    check.page(page, "extend the closing date")
    later = today + dt.timedelta(days=35)
    page.get_by_label("New closing date").fill(later.isoformat())
    page.get_by_role("button", name="Extend the closing date").click()
    page.wait_for_url(f"**/cycles/{cycle.pk}/")
    assert page.get_by_text("People can now answer until the end of").is_visible()
    assert Cycle.objects.get(pk=cycle.pk).closes_on == later

    # --- People answer: one starts from the link the facilitator copied; six submit ---
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    hal_row = page.get_by_role("row", name="Hal Black")
    hal_row.get_by_role("button", name="Copy link for Hal Black").click()
    # Copying is asynchronous: wait for the status line to say so.
    expect(page.locator("#copy-status")).to_have_text("Link copied for Hal Black.")
    link = hal_row.locator("code").inner_text()
    assert page.evaluate("navigator.clipboard.readText()") == link
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
    assert _totals(page) == ["9", "7", "6", "67%"]
    hal = page.get_by_role("row", name="Hal Black")
    assert hal.get_by_text("Hidden once started").is_visible()
    assert hal.get_by_role("button", name="Copy link for Hal Black").count() == 0
    assert page.get_by_role("row", name="Ali Khan").get_by_role("cell", name="Submitted").count()

    # --- Close, review, release ---
    page.get_by_role("link", name="Close the cycle now…").click()
    check.page(page, "close the cycle?")
    assert page.locator("#discarded").inner_text() == "1 person"
    page.get_by_role("button", name="Close the cycle now").click()
    check.page(page, "closed cycle")
    assert page.get_by_text("The cycle is closed").is_visible()
    page.get_by_role("link", name="Review the results").click()
    check.page(page, "results before release")
    assert page.get_by_text("These results have not been released yet").is_visible()
    page.go_back()
    page.get_by_role("link", name="Release results to partner members…").click()
    check.page(page, "release the results?")
    assert page.get_by_text("This cannot be undone.").is_visible()
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
    check.page(page, "your places with results")
    assert page.get_by_text("Latest overall score:").is_visible()
    page.get_by_role("link", name="Compare the places you facilitate").click()
    check.page(page, "comparison")
    assert page.get_by_role("row", name="Riverbank").get_by_text("Spring 2026").is_visible()

    check.assert_html_valid()
