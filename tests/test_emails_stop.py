"""The link in reminder emails that stops reminders and results emails, and nothing else."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from assessments import delivery
from assessments.models import (
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DraftResponse,
    Invitation,
)
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(place_a, partner_a):
    cycle = CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN, name="Spring")
    invitation = InvitationFactory(cycle=cycle, partner=partner_a)
    DraftResponse.objects.create(invitation=invitation, answers={"1": 4}, step=2)
    return invitation


def stop_url(invitation) -> str:
    return reverse("emails_stop", args=[invitation.token])


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_link_asks_first_and_changes_nothing_until_the_button_is_pressed(client, invitation):
    response = client.get(stop_url(invitation))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    page = text(response)
    assert "Emails about the Ashford health check" in page
    assert "no more reminders about it, and no email when its results are released" in page
    assert '<button type="submit" class="btn btn-primary">Stop these emails</button>' in page
    invitation.refresh_from_db()
    assert invitation.emails_stopped_at is None


def test_stopping_ends_reminders_but_not_answers_or_the_link(client, invitation):
    delivery.queue_reminders(invitation.cycle)
    queued = Delivery.objects.get(kind=DeliveryKind.REMINDER)
    response = client.post(stop_url(invitation))
    assert response.status_code == 200
    assert "Done: you will get no more reminders about Spring" in text(response)
    invitation.refresh_from_db()
    assert invitation.emails_stopped_at is not None
    queued.refresh_from_db()
    assert queued.status == DeliveryStatus.CANCELLED
    # Answers, the draft and the link itself are as they were.
    draft = DraftResponse.objects.get(invitation=invitation)
    assert (draft.answers, draft.step) == ({"1": 4}, 2)
    assert not invitation.is_revoked and not invitation.submitted
    assert client.get(reverse("respond_start", args=[invitation.token])).status_code == 200
    # No reminder is queued for them again.
    Invitation.objects.filter(pk=invitation.pk).update(last_sent_at=None)
    assert delivery.queue_reminders(invitation.cycle) == 0
    # Pressing it again, or opening it again, just says so.
    assert "You will get no more reminders" in text(client.post(stop_url(invitation)))
    assert "You will get no more reminders" in text(client.get(stop_url(invitation)))


def test_a_mail_programs_one_click_post_works_without_a_cookie(invitation):
    # RFC 8058: the mail program POSTs "List-Unsubscribe=One-Click" with no session or token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(stop_url(invitation), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.emails_stopped_at is not None


def test_an_unknown_link_is_not_found(client, invitation):
    assert client.get(reverse("emails_stop", args=["0" * 64])).status_code == 404
    assert client.post(reverse("emails_stop", args=["x" * 200])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.emails_stopped_at is None


def test_other_methods_are_refused(client, invitation):
    assert client.put(stop_url(invitation)).status_code == 405
