"""Inviting people by pasting a list, their emails and links, and withdrawing a link."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import resolve, reverse

from assessments.models import (
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DraftResponse,
    Invitation,
)
from places.models import Sector
from tests.background import run_tasks
from tests.factories import CycleFactory, InvitationFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def partners(place_a, partner_a):
    return [
        partner_a,
        PartnerFactory(place=place_a, name="Ashford Food Bank"),
        PartnerFactory(place=place_a, name="St Mary's Church, Ashford", sector=Sector.FAITH),
    ]


@pytest.fixture
def cycle(place_a, partners):
    return CycleFactory(
        place=place_a, bank=make_bank(), name="Spring 2026", status=CycleStatus.OPEN
    )


def import_url(cycle: Cycle) -> str:
    return reverse("invitation_import", args=[cycle.place.slug, cycle.pk])


GOOD_PASTE = """Alex Green, alex@example.org, Ashford Council

ashford food bank, jo@example.org,  ASHFORD FOOD BANK
  Sam Patel , sam@example.org , St Mary's Church, Ashford
Priya Shah\tpriya@example.org\tAshford Council
"""


@pytest.mark.django_db(transaction=True)
def test_a_valid_paste_invites_everyone_and_emails_each_their_link(
    client, facilitator_a, cycle, partners
):
    client.force_login(facilitator_a)
    assert client.get(import_url(cycle)).status_code == 200
    response = client.post(import_url(cycle), {"lines": GOOD_PASTE})
    assert response.status_code == 302
    assert response["Location"] == reverse("cycle_detail", args=["ashford", cycle.pk])
    assert flash(response) == [
        "Invited 4 people: their emails are being sent now. Any email that cannot be sent will "
        "be listed on this page."
    ]
    # The request only queued the emails: a worker sends them.
    assert mail.outbox == []
    deliveries = Delivery.objects.filter(cycle=cycle, kind=DeliveryKind.INVITATION)
    assert list(deliveries.values_list("status", flat=True)) == [DeliveryStatus.QUEUED] * 4
    run_tasks()
    assert list(deliveries.values_list("status", flat=True)) == [DeliveryStatus.SENT] * 4

    invitations = {i.email: i for i in Invitation.objects.filter(cycle=cycle)}
    assert set(invitations) == {
        "alex@example.org",
        "jo@example.org",
        "sam@example.org",
        "priya@example.org",
    }
    assert invitations["jo@example.org"].partner == partners[1]  # matched ignoring case
    assert invitations["sam@example.org"].partner == partners[2]  # a comma in the name
    assert invitations["sam@example.org"].name == "Sam Patel"
    assert invitations["priya@example.org"].partner == partners[0]  # spreadsheet columns
    assert all(i.last_sent_at is not None for i in invitations.values())

    assert len(mail.outbox) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(invitations)
    for message in mail.outbox:
        invitation = invitations[message.to[0]]
        links = re.findall(r"https?://\S+", message.body)
        assert len(links) == 1
        path = "/" + links[0].split("/", 3)[3]
        assert path.startswith("/r/")
        match = resolve(path)
        assert match.url_name == "respond_start"
        assert match.kwargs["token"] == invitation.token
        assert Invitation.objects.by_token(match.kwargs["token"]) == invitation
        # The respondent's link opens without an account.
        client.logout()
        assert client.get(path).status_code == 200
        client.force_login(facilitator_a)


@pytest.mark.django_db(transaction=True)
def test_the_email_says_what_it_is_for_and_how_people_are_protected(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    client.post(import_url(cycle), {"lines": "Alex O'Brien, alex@example.org, Ashford Council"})
    run_tasks()
    (message,) = mail.outbox
    assert "Ashford" in message.subject
    body = message.body
    assert "Hello Alex O'Brien," in body  # plain text: no HTML escaping
    assert "how well they really work as a partnership" in body
    assert "10 to 15 minutes" in body
    assert "confidential" in body
    assert f"groups of at least {cycle.min_group_size} people" in body
    assert "come back later using the same link" in body
    assert cycle.closes_on.strftime("%-d %B %Y") in body
    assert "opens on" not in body


@pytest.mark.django_db(transaction=True)
def test_a_draft_cycle_can_invite_but_the_emails_wait_for_the_opening(client, facilitator_a, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.DRAFT)
    cycle.refresh_from_db()
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "Alex, alex@example.org, Ashford Council"})
    assert flash(response) == [
        "Invited 1 person: their invitations will be emailed when the cycle opens."
    ]
    invitation = Invitation.objects.get()
    assert invitation.last_sent_at is None
    run_tasks()
    assert mail.outbox == []  # nobody gets a link to a cycle that is not open
    page = text(client.get(reverse("cycle_detail", args=["ashford", cycle.pk])))
    assert invitation.token not in page
    assert "1 invitation will be emailed when the cycle opens." in page

    response = client.post(reverse("cycle_open", args=["ashford", cycle.pk]))
    assert flash(response) == [
        "The cycle is open: invitation links now work, and 1 invitation is being emailed."
    ]
    assert mail.outbox == []
    run_tasks()
    (message,) = mail.outbox
    assert message.to == ["alex@example.org"]
    assert invitation.token in message.body
    assert "opens on" not in message.body
    invitation.refresh_from_db()
    assert invitation.last_sent_at is not None  # reminders count from the invitation


BAD_PASTE = """Alex Green, alex@example.org, Ashford Council
Bob Jones, bob@, Ashford Council
Cara, cara@example.org, Ashford Food Bank

Dee, dee@example.org, Foo
Eve, alex@example.org, Ashford Council
Fay, fay@example.org
Gus, already@example.org, Ashford Council
, hal@example.org, Ashford Council"""


def test_bad_lines_are_reported_one_by_one_and_nothing_is_imported(
    client, facilitator_a, cycle, partner_a
):
    InvitationFactory(cycle=cycle, partner=partner_a, email="Already@example.org")
    before = Invitation.objects.count()
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": BAD_PASTE})
    assert response.status_code == 200
    errors = response.context["form"].errors["lines"]
    assert errors == [
        "Line 2: 'bob@' is not a valid email address.",
        "Line 5: no partner called 'Foo' in this place — partners are: Ashford Council, "
        "Ashford Food Bank, St Mary's Church, Ashford.",
        "Line 6: alex@example.org is already on line 1.",
        "Line 7: expected a name, an email address and a partner, separated by commas.",
        "Line 8: already@example.org has already been invited to this cycle.",
        "Line 9: the name is missing.",
    ]
    page = text(response)
    for error in errors:
        assert error in page
    assert "Nobody has been invited yet" in page
    # The pasted text stays in the box to be corrected.
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", page, re.S).group(1)
    assert textarea.strip() == BAD_PASTE.strip()
    assert Invitation.objects.count() == before
    assert not Delivery.objects.exists()


def test_a_line_can_have_several_problems_at_once(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "Bob, bob@, Nowhere"})
    (error,) = response.context["form"].errors["lines"]
    assert error.startswith("Line 1: 'bob@' is not a valid email address; no partner called")


def test_a_withdrawn_address_cannot_be_invited_again(client, facilitator_a, cycle, partner_a):
    InvitationFactory(
        cycle=cycle, partner=partner_a, email="jo@example.org", revoked_at="2026-01-01T00:00Z"
    )
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "Jo, JO@example.org, Ashford Council"})
    assert response.context["form"].errors["lines"] == [
        "Line 1: JO@example.org has already been invited to this cycle (their link was withdrawn)."
    ]


def test_a_blank_paste_is_refused(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "\n  \n"})
    assert response.status_code == 200
    assert not Invitation.objects.exists()


def test_a_place_without_partners_says_so(client, facilitator_a, place_a):
    cycle = CycleFactory(place=place_a)
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "Jo, jo@example.org, Anyone"})
    assert response.context["form"].errors["lines"] == [
        "Line 1: this place has no partners yet — add them first."
    ]


def test_partners_of_another_place_do_not_match(client, facilitator_a, cycle, place_b):
    PartnerFactory(place=place_b, name="Brampton Trust")
    client.force_login(facilitator_a)
    response = client.post(import_url(cycle), {"lines": "Jo, jo@example.org, Brampton Trust"})
    assert response.status_code == 200
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("status", [CycleStatus.CLOSED, CycleStatus.RELEASED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_can_be_invited_once_a_cycle_has_closed(
    client, facilitator_a, cycle, status, method
):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    client.force_login(facilitator_a)
    response = getattr(client, method)(
        import_url(cycle), {"lines": "Jo, jo@example.org, Ashford Council"}
    )
    assert response.status_code == 302
    assert flash(response) == ["This cycle has closed, so nobody more can be invited to it."]
    assert not Invitation.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_tokens_are_not_stored_in_clear(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    client.post(import_url(cycle), {"lines": GOOD_PASTE})
    run_tasks()
    invitations = list(Invitation.objects.all())
    assert len(invitations) == 4
    for invitation in invitations:
        token = invitation.token
        assert len(token) >= 32
        stored = Invitation.objects.filter(pk=invitation.pk).values().get()
        assert all(token not in str(value) for value in stored.values())
        assert any(token in m.body for m in mail.outbox)  # the link works only from the email


def test_cycle_page_shows_each_usable_link_in_full_with_a_copy_button(
    client, facilitator_a, cycle, partner_a
):
    waiting = InvitationFactory(cycle=cycle, partner=partner_a, name="Waiting Walter")
    done = InvitationFactory(cycle=cycle, partner=partner_a, submitted=True)
    withdrawn = InvitationFactory(cycle=cycle, partner=partner_a, revoked_at="2026-01-01T00:00Z")
    client.force_login(facilitator_a)
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    link = f"http://127.0.0.1:8000/r/{waiting.token}/"
    # The whole link as text, selected in one click without JavaScript (nothing cut off)...
    assert f'user-select-all small" id="link-{waiting.pk}">{link}</code>' in page
    # ...and a copy button that the static script reveals; no inline script or style (CSP).
    button = re.search(r'<button[^>]*data-copy-target="link-(\d+)"[^>]*>', page)
    assert button.group(1) == str(waiting.pk) and " hidden>" in button.group(0)
    assert len(re.findall("data-copy-target=", page)) == 1
    assert done.token not in page and withdrawn.token not in page
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/copy-link.js" defer>']
    assert "style=" not in page


def test_links_are_not_shown_once_the_cycle_has_closed(client, facilitator_a, cycle, partner_a):
    invitation = InvitationFactory(cycle=cycle, partner=partner_a)
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    client.force_login(facilitator_a)
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert invitation.token not in page
    assert "these links no longer work" in page


# --- Withdrawing a link ---


def revoke_url(invitation: Invitation) -> str:
    cycle = invitation.cycle
    return reverse("invitation_revoke", args=[cycle.place.slug, cycle.pk, invitation.pk])


def test_withdraw_a_link(client, facilitator_a, cycle, partner_a):
    invitation = InvitationFactory(cycle=cycle, partner=partner_a, name="Jo")
    DraftResponse.objects.create(invitation=invitation, answers={"1": 4})
    client.force_login(facilitator_a)
    response = client.post(revoke_url(invitation))
    assert response.status_code == 302
    assert "Withdrew the link for Jo" in flash(response)[0]
    invitation.refresh_from_db()
    assert invitation.is_revoked
    assert not DraftResponse.objects.exists()
    assert invitation.refusal().startswith("This link has been withdrawn")
    page = client.get(reverse("cycle_detail", args=["ashford", cycle.pk])).content.decode()
    assert "Withdrawn" in page and invitation.token not in page
    # The link itself no longer lets anyone in.
    client.logout()
    assert "withdrawn" in client.get(f"/r/{invitation.token}/").content.decode()


def test_a_submitted_invitation_cannot_be_withdrawn(client, facilitator_a, cycle, partner_a):
    invitation = InvitationFactory(cycle=cycle, partner=partner_a, submitted=True)
    client.force_login(facilitator_a)
    response = client.post(revoke_url(invitation))
    assert "already submitted" in flash(response)[0]
    invitation.refresh_from_db()
    assert not invitation.is_revoked


def test_withdrawing_twice_is_harmless(client, facilitator_a, cycle, partner_a):
    invitation = InvitationFactory(cycle=cycle, partner=partner_a)
    client.force_login(facilitator_a)
    client.post(revoke_url(invitation))
    invitation.refresh_from_db()
    first = invitation.revoked_at
    response = client.post(revoke_url(invitation))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at == first


@pytest.mark.django_db(transaction=True)
def test_withdrawn_invitation_can_get_a_new_link(
    client, facilitator_a, place_a, partner_a, mailoutbox
):
    from assessments import services

    cycle = CycleFactory(place=place_a, status=CycleStatus.OPEN)
    invitation = services.create_invitations(
        cycle, [services.InviteeLine("Robin", "robin@example.org", partner_a)]
    )[0]
    old_token = invitation.token
    services.revoke_invitation(invitation)
    run_tasks()
    assert mailoutbox == []  # withdrawn before the worker got to it: never sent
    client.force_login(facilitator_a)
    response = client.post(
        reverse("invitation_reissue", args=[place_a.slug, cycle.pk, invitation.pk]), follow=True
    )
    assert (
        "Robin has a new personal link, emailed to them now. The old one stays withdrawn."
        in html.unescape(response.content.decode())
    )
    invitation.refresh_from_db()
    assert not invitation.is_revoked
    assert invitation.token != old_token
    run_tasks()
    (message,) = mailoutbox
    assert invitation.token in message.body and old_token not in message.body
    assert client.get(reverse("respond_start", args=[old_token])).status_code == 404
    assert client.get(reverse("respond_start", args=[invitation.token])).status_code == 200
