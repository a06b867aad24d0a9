"""Closing the loop (DESIGN §7b): results emails on release with the link to the round's public
summary (whole place only, no sign-in, nothing for an unreleased round), the plan's headlines
once agreed, and reminders to the owners of actions falling due, all through the outbox."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionStatus, PlanAgreement
from actions.reminders import queue_action_reminders
from assessments import delivery, services, tokens
from assessments.models import CycleStatus, Delivery, DeliveryKind, DeliveryStatus
from places.models import Role, Sector
from tests.background import run_tasks
from tests.factories import (
    InvitationFactory,
    MembershipFactory,
    PartnerFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)

pytestmark = pytest.mark.django_db(transaction=True)
KEYS = ("relationships", "leadership")


@pytest.fixture
def closed(place_a, partner_a):
    """A closed round of Ashford, k = 3: council (lead) 3 people at 75, charity 3 at 25."""
    bank = make_keyed_bank(KEYS, n_statements=2)
    charity = PartnerFactory(place=place_a, name="Ashford Youth", sector=Sector.VOLUNTARY)
    cycle = open_cycle_for(place_a, bank, min_group_size=3, name="Spring 2026")
    add_responses(cycle, partner_a, count=3, values=4)
    add_responses(cycle, charity, count=3, values=2)
    services.close_cycle(cycle)
    return cycle


def _summary_url(cycle) -> str:
    return reverse("public_summary", args=[tokens.summary_token(cycle.pk)])


def test_release_emails_everyone_invited_the_summary_link(client, closed, partner_a):
    invited = InvitationFactory(cycle=closed, partner=partner_a, name="Robin")
    InvitationFactory(cycle=closed, partner=partner_a, name="Withdrawn", revoked_at=timezone.now())
    InvitationFactory(cycle=closed, partner=partner_a, emails_stopped_at=timezone.now())
    InvitationFactory(cycle=closed, partner=partner_a, submitted=True, name="Sam")
    assert services.release_cycle(closed) == 2
    run_tasks()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [invited.email, closed.invitations.get(name="Sam").email]
    )
    message = mail.outbox[0]
    assert "results of the Ashford collaboration health check are ready" in message.subject
    link = re.search(r"http://\S+/summary/\S+/", message.body).group(0)
    assert link.endswith(_summary_url(closed))
    assert "List-Unsubscribe" in message.extra_headers
    # The link works without signing in.
    response = client.get(_summary_url(closed))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_release_button_says_who_is_emailed(client, facilitator_a, closed, partner_a):
    InvitationFactory(cycle=closed, partner=partner_a)
    client.force_login(facilitator_a)
    response = client.post(reverse("cycle_release", args=["ashford", closed.pk]), follow=True)
    assert (
        "1 person invited is being emailed the link to the public summary"
        in response.content.decode()
    )


def test_the_summary_shows_whole_place_figures_only(client, closed):
    services.release_cycle(closed)
    html = client.get(_summary_url(closed)).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "6 people answered" in main
    assert '<td data-label="Score">50</td>' in main  # (75 + 25) / 2, partner-balanced
    # No group, gap or reason built on one (the lead gap is 50 points here).
    text = re.sub(r"<[^>]+>", " ", main).lower()
    for word in ("ashford youth", "ashford council", "voluntary", "local authority", "steers"):
        assert word not in text, word
    assert not re.search(r"\blead\b|\bgap\b|\bgroups?\b.*\bscores?\b", text)
    assert "has not yet agreed its actions" in main


def test_the_summary_lists_the_plan_once_agreed(client, facilitator_a, closed, partner_a):
    services.release_cycle(closed)
    action = Action.objects.create(
        place=closed.place, cycle=closed, title="Rotate the chair", due_date=dt.date(2030, 3, 1)
    )
    action.owners.set([partner_a])
    Action.objects.create(place=closed.place, cycle=closed, title="Dropped idea", status="dropped")
    assert "Rotate the chair" not in client.get(_summary_url(closed)).content.decode()
    PlanAgreement.objects.create(cycle=closed, agreed_on=dt.date(2026, 6, 1))
    html = client.get(_summary_url(closed)).content.decode()
    assert "Rotate the chair" in html and "due by March 2030" in html
    assert "led by Ashford Council" in html and "Dropped idea" not in html


def test_an_unreleased_round_or_a_forged_link_reveals_nothing(client, closed, place_a):
    unreleased = client.get(_summary_url(closed))
    forged = client.get(reverse("public_summary", args=[f"{closed.pk}:forged"]))
    bare = client.get(reverse("public_summary", args=[str(closed.pk)]))
    long = client.get(reverse("public_summary", args=["x" * 300]))
    for response in (unreleased, forged, bare, long):
        assert response.status_code == 404
        assert "Spring 2026" not in response.content.decode()
    assert unreleased.content == forged.content
    # A token is for one purpose only: an invitation's token does not open a summary.
    invitation = InvitationFactory(cycle=closed)
    assert client.get(reverse("public_summary", args=[invitation.token])).status_code == 404


def test_erased_invitees_get_no_results_email(closed, partner_a):
    InvitationFactory(cycle=closed, partner=partner_a, erased_at=timezone.now(), email="")
    assert services.release_cycle(closed) == 0
    assert not Delivery.objects.filter(kind=DeliveryKind.RESULTS).exists()


# --- Reminders to owners ------------------------------------------------------------------------


@pytest.fixture
def owned(place_a, partner_a):
    charity = PartnerFactory(place=place_a, name="Ashford Youth")
    owner = UserFactory(username="owner", email="owner@example.org")
    MembershipFactory(user=owner, place=place_a, role=Role.MEMBER, partner=partner_a)
    inactive = UserFactory(username="gone", is_active=False)
    MembershipFactory(user=inactive, place=place_a, role=Role.MEMBER, partner=partner_a)
    bystander = UserFactory(username="bystander")
    MembershipFactory(user=bystander, place=place_a, role=Role.MEMBER, partner=charity)
    today = timezone.localdate()
    soon = Action.objects.create(place=place_a, title="Rotate the chair", due_date=today)
    soon.owners.set([partner_a])
    Action.objects.create(place=place_a, title="Later", due_date=today + dt.timedelta(days=30))
    done = Action.objects.create(
        place=place_a, title="Done already", due_date=today, status=ActionStatus.DONE
    )
    done.owners.set([partner_a])
    return soon, owner


def test_owners_are_reminded_once_per_due_date(owned):
    soon, owner = owned
    out = io.StringIO()
    call_command("send_action_reminders", stdout=out)
    assert "1 reminder(s) queued" in out.getvalue()
    assert queue_action_reminders() == 0  # the same due date is not reminded again
    run_tasks()
    assert [m.to for m in mail.outbox] == [["owner@example.org"]]
    message = mail.outbox[0]
    assert "Rotate the chair" in message.subject
    assert reverse("action_detail", args=["ashford", soon.pk]) in message.body
    # A new due date is reminded again.
    Action.objects.filter(pk=soon.pk).update(due_date=soon.due_date + dt.timedelta(days=2))
    assert queue_action_reminders() == 1


def test_a_reminder_for_an_action_done_meanwhile_is_cancelled(owned):
    soon, _owner = owned
    assert queue_action_reminders() == 1
    Action.objects.filter(pk=soon.pk).update(status=ActionStatus.DONE)
    run_tasks()
    assert mail.outbox == []
    reminder = Delivery.objects.get(kind=DeliveryKind.ACTION_DUE)
    assert reminder.status == DeliveryStatus.CANCELLED
    assert reminder.error == "The action is done or dropped."
    assert delivery.needless(reminder) == "The action is done or dropped."


def test_a_released_round_is_required(closed):
    assert closed.status == CycleStatus.CLOSED
    assert services.release_cycle(closed) == 0
