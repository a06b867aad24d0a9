"""A facilitator runs an OPERA workshop on a released round with six phones, from joining to
actions. The phones are split over two app servers on one database — Django's live_server and
a second server process — as behind a load balancer: everything a phone sees comes from the
database, and every phone follows the facilitator's steps by polling, without reloading."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from actions.models import Action
from tests.background import BASE_DIR, database_url, free_port
from tests.browser import audit, scenarios
from workshops.models import Idea, Participant, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (name given, partner organisation) for each phone; two give no name, one no organisation.
PHONES = [
    ("Ana", "Riverbank Borough Council"),
    ("", "Riverbank Borough Council"),
    ("Ben", "Riverbank Health NHS Trust"),
    ("Cleo", "Riverbank Youth Network"),
    ("", "Grainstore Co-operative"),
    ("Dev", None),
]
VOTE = re.compile("^Vote for")
FOLLOW = 15_000  # ms a phone may take to follow the facilitator (it polls every 2 s)


class SecondServer:
    """`manage.py runserver` in a process of its own on the test database: a second app server."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="server2-", suffix=".log", delete=False)  # noqa: SIM115
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "betterway.settings",
            "DATABASE_URL": database_url(),
            # Sessions are signed: both servers must share the key, as real ones do.
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "true",
            "CONN_MAX_AGE": "0",
        }
        self.process = subprocess.Popen(  # noqa: S603 (our own manage.py)
            [
                sys.executable,
                "manage.py",
                "runserver",
                f"127.0.0.1:{self.port}",
                "--noreload",
                "--skip-checks",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/workshop/", timeout=2):  # noqa: S310
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    output = self.output()
                    raise AssertionError(f"The second server did not start:\n{output}") from None
                time.sleep(0.2)

    def output(self) -> str:
        return Path(self.log.name).read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)


@pytest.fixture
def second_server(live_server):
    server = SecondServer()
    yield server
    server.stop()


def released_round():
    place = scenarios.make_place()
    cycle = scenarios.open_cycle(place, scenarios.default_bank())
    scenarios.add_place_responses(cycle)
    scenarios.close_and_release(cycle)
    scenarios.facilitator(place)
    return place, cycle


def step_shown(phone, step: str):
    return phone.locator(f'#panel h2[data-step="{step}"]')


def test_facilitator_runs_a_workshop_with_six_phones_on_two_servers(
    live_server, second_server, page, new_context, check
):
    place, cycle = released_round()

    # --- The facilitator starts a workshop from the released dashboard ---
    scenarios.log_in(page, live_server, "facilitator")
    page.goto(f"{live_server.url}/places/{place.slug}/results/{cycle.pk}/")
    page.get_by_role("link", name="Run a workshop on these results").click()
    check.page(page, "start a workshop")
    topics = page.locator('input[name="topics"]')
    expect(page.get_by_text("one of the lowest scores").first).to_be_visible()
    topics.nth(0).check()
    topics.nth(1).check()
    page.get_by_label("Votes for each person in the Rank step").fill("2")
    page.get_by_label("Count every partner organisation equally in the ranking").check()
    page.get_by_role("button", name="Start the workshop").click()
    page.wait_for_url("**/workshops/*/")
    check.page(page, "projector: joining")
    code = page.locator(".join-code").inner_text().strip()
    assert len(code) == 6
    assert page.locator(".qr svg path").count() == 1

    # --- Six phones join, three through each server ---
    phones = []
    for n, (name, organisation) in enumerate(PHONES):
        server = live_server.url if n % 2 == 0 else second_server.url
        phone = new_context(viewport=audit.PHONE).new_page()
        phone.goto(f"{server}/workshop/")
        if n < 2:
            check.page(phone, f"phone {n}: enter code", phone=True)
        if n == 0:  # a mistyped code first: a clear message, nothing lost
            phone.get_by_label("Workshop code").fill("WRONG9")
            phone.get_by_role("button", name="Continue").click()
            expect(phone.get_by_text("No workshop has this code")).to_be_visible()
            check.page(phone, "phone: unknown code", phone=True)
        phone.get_by_label("Workshop code").fill(code.lower())
        phone.get_by_role("button", name="Continue").click()
        if n < 2:
            check.page(phone, f"phone {n}: join", phone=True)
        if name:
            phone.get_by_label("Your name (optional)").fill(name)
        if organisation:
            phone.get_by_label("Your organisation (optional)").select_option(label=organisation)
        phone.get_by_role("button", name="Join").click()
        expect(step_shown(phone, "join")).to_be_visible()
        # Marks this document: if the page ever reloads, the mark is gone.
        phone.evaluate("window.stillTheSamePage = true")
        phones.append(phone)
    check.page(phones[0], "phone: waiting", phone=True)
    check.page(phones[1], "phone (second server): waiting", phone=True)
    assert Participant.objects.count() == 6
    expect(page.locator(".live-counts")).to_contain_text("6 people have joined")

    def facilitator_moves_to(step_label: str, step: str):
        page.get_by_role("button", name=f"Move everyone to {step_label}").click()
        page.wait_for_load_state("load")
        for phone in phones:
            expect(step_shown(phone, step)).to_be_visible(timeout=FOLLOW)
            assert phone.evaluate("window.stillTheSamePage === true"), "the phone reloaded"

    # --- Own: each writes privately; one puts their name to an idea ---
    facilitator_moves_to("Own", "own")
    check.page(page, "projector: own")
    for n, phone in enumerate(phones):
        phone.get_by_label("Your idea").fill(f"Idea from phone {n}")
        if n == 0:
            phone.get_by_label("Put my name (Ana) to this idea").check()
        phone.get_by_role("button", name="Add the idea").click()
        expect(phone.locator(".idea-list li", has_text=f"Idea from phone {n}")).to_have_count(1)
        phone.evaluate("window.stillTheSamePage = true")
    check.page(phones[0], "phone: own, with an idea", phone=True)
    # Typing when the step moves on: the text survives the redraw.
    phones[5].get_by_label("Your idea").fill("Half-written thought")

    # --- Pair: the app pairs across organisations; pairs merge their ideas ---
    facilitator_moves_to("Pair", "pair")
    check.page(page, "projector: pairs")
    expect(phones[5].get_by_label("An idea from the two of you")).to_have_value(
        "Half-written thought"
    )
    workshop = Workshop.objects.get(code=code)
    for group in workshop.groups.all():
        orgs = [p.partner_id for p in group.members.all() if p.partner_id]
        assert len(orgs) == len(set(orgs)), "two people of one organisation were paired"
    for phone in phones:
        expect(phone.locator(".partner-line")).to_be_visible()
    check.page(phones[2], "phone: pair", phone=True)
    # A joint idea from one phone shows on its partner's phone, which does not reload.
    first = Participant.objects.get(display_name="Ana")
    partner = first.group.members.exclude(pk=first.pk).first()
    partner_phone = phones[[p.pk for p in Participant.objects.order_by("number")].index(partner.pk)]
    phones[0].get_by_label("An idea from the two of you").fill("Joint idea: co-chairs")
    phones[0].get_by_role("button", name="Add the idea").click()
    expect(partner_phone.locator(".idea-list li", has_text="Joint idea: co-chairs")).to_have_count(
        1, timeout=FOLLOW
    )
    assert partner_phone.evaluate("window.stillTheSamePage === true")
    phones[0].evaluate("window.stillTheSamePage = true")

    # --- Explain: the projector shows each pair's ideas in turn ---
    facilitator_moves_to("Explain", "explain")
    check.page(page, "projector: explain")
    expect(page.locator(".idea-list-large")).to_be_visible()
    pairs = workshop.groups.count()
    for n in range(1, pairs):
        page.get_by_role("button", name="Next pair").click()
        expect(page.get_by_role("heading", name=f"Pair {n + 1} of {pairs}")).to_be_visible()
    expect(partner_phone.locator(".explain-line")).to_be_visible(timeout=FOLLOW)
    check.page(phones[3], "phone: explain", phone=True)

    # --- Rank: two votes each; a third is refused with a clear message ---
    facilitator_moves_to("Rank", "rank")
    check.page(page, "projector: rank")
    for n, phone in enumerate(phones):
        for left in (1, 0):
            phone.get_by_role("button", name=VOTE).first.click()
            expect(phone.locator(".votes-left")).to_have_text(f"You have {left} of 2 votes left.")
        if n == 0:
            phone.get_by_role("button", name=VOTE).first.click()
            expect(phone.get_by_text("You have used all 2 of your votes")).to_be_visible()
            check.page(phone, "phone: vote budget used", phone=True)
        else:
            phone.evaluate("window.stillTheSamePage = true")
    check.page(phones[1], "phone: rank", phone=True)
    phones[0].goto(f"{live_server.url}/workshop/{code}/")
    phones[0].evaluate("window.stillTheSamePage = true")

    # --- Arrange: themes and actions ---
    facilitator_moves_to("Arrange", "arrange")
    check.page(page, "projector: arrange")
    page.get_by_label("New theme").fill("Sharing power")
    page.get_by_role("button", name="Add the theme").click()
    first_idea = page.locator("tbody tr").first
    idea_text = first_idea.locator("td").nth(1).inner_text().split(" — ")[0]
    first_idea.get_by_role("combobox").select_option(label="Sharing power")
    first_idea.get_by_role("button", name="Set").click()
    page.locator('tbody input[name="ideas"]').nth(0).check()
    page.locator('tbody input[name="ideas"]').nth(1).check()
    page.get_by_role("button", name="Turn the chosen ideas into actions").click()
    expect(page.get_by_text("Added 2 actions to the action plan")).to_be_visible()
    check.page(page, "projector: actions made")
    actions = Action.objects.filter(place=place, cycle=cycle)
    assert actions.count() == 2 and actions.filter(title=idea_text).exists()
    focus = set(workshop.focus_conditions.all()) | set(workshop.focus_statements.all())
    for action in actions:
        linked = set(action.conditions.all()) | set(action.statements.all())
        assert linked == focus
    expect(phones[4].get_by_text("The ideas with most votes")).to_be_visible(timeout=FOLLOW)
    check.page(phones[4], "phone: arrange", phone=True)

    # --- The end: the code stops working ---
    page.get_by_role("button", name="End the workshop").click()
    check.page(page, "projector: ended")
    for phone in phones:
        expect(phone.get_by_text("The workshop has ended")).to_be_visible(timeout=FOLLOW)
    phones[2].goto(f"{second_server.url}/workshop/")
    phones[2].get_by_label("Workshop code").fill(code)
    phones[2].get_by_role("button", name="Continue").click()
    expect(phones[2].get_by_text("has ended, so the code no longer works")).to_be_visible()
    check.page(phones[2], "phone: expired code", phone=True)

    # Nothing showed who wrote an idea but Ana, who chose to.
    assert Idea.objects.exclude(signed_name="").get().text == "Idea from phone 0"
    check.assert_html_valid()
