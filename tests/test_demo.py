"""The demo data: `load_demo` leaves an open round whose printed link opens the questionnaire."""

from __future__ import annotations

import datetime as dt
import io
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, PlanAgreement
from assessments import tokens
from assessments.demo import OPEN_CYCLE_NAME
from assessments.models import Cycle, CycleStatus, Invitation
from places.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--force", stdout=out)
    return out.getvalue()


def _printed_link(output: str) -> str:
    match = re.search(r"open round as .+: https?://[^/]+(/r/\w+/)$", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def _assert_opens_the_questionnaire(client, path: str, invitee: Invitation) -> None:
    """The link's welcome page, open for answers: not a closed, withdrawn or thank-you page."""
    response = client.get(path)
    assert response.status_code == 200
    shown = unescape(response.content.decode())
    assert f"Hello {invitee.name}." in shown
    assert f"<strong>Riverside</strong> ({OPEN_CYCLE_NAME})" in shown
    assert ">Start</a>" in shown


def _first_invitee() -> Invitation:
    return Invitation.objects.filter(cycle__name=OPEN_CYCLE_NAME).order_by("pk").first()


def test_the_demo_refuses_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=io.StringIO())


def test_the_demo_has_an_open_round_whose_printed_link_opens_the_questionnaire(client):
    output = _load_demo()
    cycle = Cycle.objects.get(name=OPEN_CYCLE_NAME)
    assert cycle.status == CycleStatus.OPEN and cycle.place.slug == "riverside"
    assert cycle.closes_on > timezone.localdate()
    # One invitation per partner, nobody has answered yet.
    assert cycle.invitations.count() == cycle.place.partners.count()
    assert not cycle.responses.exists()
    assert Cycle.objects.filter(status=CycleStatus.RELEASED).count() == 14  # the results, as before

    _assert_opens_the_questionnaire(client, _printed_link(output), _first_invitee())


def test_loading_the_demo_again_adds_nothing_and_keeps_the_round_open(client):
    _load_demo()
    cycles, invitations = Cycle.objects.count(), Invitation.objects.count()
    # Weeks later: the round's closing date has passed.
    Cycle.objects.filter(name=OPEN_CYCLE_NAME).update(
        opens_on=dt.date(2020, 1, 6), closes_on=dt.date(2020, 1, 31)
    )
    output = _load_demo()
    assert (Cycle.objects.count(), Invitation.objects.count()) == (cycles, invitations)
    assert Cycle.objects.get(name=OPEN_CYCLE_NAME).closes_on > timezone.localdate()
    _assert_opens_the_questionnaire(client, _printed_link(output), _first_invitee())


def test_once_the_printed_link_is_answered_the_next_run_prints_another():
    first = _printed_link(_load_demo())
    answered = _first_invitee()
    assert first.strip("/").endswith(answered.token)
    Invitation.objects.filter(pk=answered.pk).update(submitted=True)
    assert _printed_link(_load_demo()) != first


@pytest.mark.parametrize("username", ["facilitator", "member"])
def test_the_demo_places_pages_still_show_their_results_beside_the_open_round(client, username):
    _load_demo()
    assert client.login(username=username, password=DEMO_PASSWORD)
    open_round = Cycle.objects.get(name=OPEN_CYCLE_NAME)
    released = Cycle.objects.filter(place=open_round.place, status=CycleStatus.RELEASED).first()
    home = client.get(reverse("home")).content.decode()
    assert "Riverside" in home
    dashboard = client.get(reverse("dashboard", args=["riverside", released.pk]))
    assert dashboard.status_code == 200 and released.name in dashboard.content.decode()
    place_page = client.get(reverse("place_detail", args=["riverside"])).content.decode()
    assert released.name in place_page
    if username == "facilitator":
        assert OPEN_CYCLE_NAME in place_page
        detail = client.get(reverse("cycle_detail", args=["riverside", open_round.pk]))
        assert detail.status_code == 200
        assert "Priya Shah" in detail.content.decode()  # who is invited, for the facilitator


def test_released_demo_rounds_carry_invitations_that_agree_with_their_results(client):
    _load_demo()
    released = Cycle.objects.filter(status=CycleStatus.RELEASED).select_related("result")
    assert released.count() == 14
    for cycle in released:
        answered = dict(
            cycle.responses.order_by().values_list("partner_id").annotate(n=Count("pk"))
        )
        submitted = dict(
            cycle.invitations.filter(submitted=True)
            .order_by()
            .values_list("partner_id")
            .annotate(n=Count("pk"))
        )
        # Partner by partner, one invitation submitted for each response.
        assert submitted == answered, cycle
        assert sum(submitted.values()) == cycle.result.n_responses
        invited = cycle.invitations.count()
        assert cycle.result.n_responses <= invited <= cycle.result.n_responses + 2 * len(answered)
        for invitation in cycle.invitations.all():
            # Erased like any round's once released more than the retention period ago.
            assert invitation.email.endswith("@example.org") or (
                invitation.email == "" and invitation.erased_at is not None
            ), invitation.email
            assert invitation.last_sent_at == cycle.opened_at
        # History, not a round to email now: nothing queued for its invitees.
        assert not cycle.deliveries.exists()

    # The facilitator's page of a released round counts them, as its dashboard does.
    assert client.login(username="facilitator", password=DEMO_PASSWORD)
    cycle = released.get(place__slug="riverside", name="Spring 2026")
    html = client.get(reverse("cycle_detail", args=["riverside", cycle.pk])).content.decode()
    assert "Nobody has been invited yet" not in html
    totals = re.search(r"<tfoot>.*?</tfoot>", html, re.S).group(0)
    invited, started, submitted = map(int, re.findall(r'text-end">(\d+)</td>', totals)[:3])
    assert started == submitted == cycle.result.n_responses == 49
    assert invited >= submitted
    dashboard = client.get(reverse("dashboard", args=["riverside", cycle.pk])).content.decode()
    assert "49 people answered this health check." in dashboard


def test_loading_again_gives_a_round_loaded_without_invitations_its_invitations():
    _load_demo()
    cycle = Cycle.objects.get(place__slug="hillmarsh", name="Autumn 2025")
    before = sorted(cycle.invitations.values_list("partner_id", "submitted"))
    cycle.invitations.all().delete()  # as loaded before released rounds had invitations
    _load_demo()
    assert sorted(cycle.invitations.values_list("partner_id", "submitted")) == before
    counts = Invitation.objects.count()
    _load_demo()
    assert Invitation.objects.count() == counts


def test_riverside_has_an_action_plan_re_measured_in_its_latest_round(client):
    _load_demo()
    _load_demo()  # twice: nothing doubles
    riverside = Cycle.objects.get(place__slug="riverside", name="Spring 2026")
    assert Action.objects.filter(place__slug="riverside").count() == 5
    assert PlanAgreement.objects.filter(cycle__place__slug="riverside").count() == 2
    client.login(username="member", password=DEMO_PASSWORD)
    plan = client.get(reverse("action_list", args=["riverside"])).content.decode()
    assert "Rotate who chairs the partnership meeting" in plan
    html = client.get(reverse("dashboard", args=["riverside", riverside.pk])).content.decode()
    start = html.index('id="remeasured-leadership"')
    block = html[start : html.index("</div>", start)]
    assert "1 action done, 1 under way; linked statements" in block
    assert "What tends to help" in html
    summary = client.get(reverse("public_summary", args=[tokens.summary_token(riverside.pk)]))
    assert "Write down how the partnership works" in summary.content.decode()


def test_the_printed_sign_in_address_follows_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8011"
    output = _load_demo()
    assert "Sign in at http://127.0.0.1:8011/" in output
    assert ":8000" not in output
