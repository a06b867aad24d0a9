"""Running a round as a facilitator expects (issue 21): confirmation before closing and releasing,
one open round per place, extending a round, inviting by file or one at a time, correcting an
invitation, and the facilitator's own words in the invitation email."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments import delivery, scheduled, services
from assessments.models import (
    AutomationFailure,
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryStatus,
    DraftResponse,
    Invitation,
)
from places.models import Role
from tests.background import run_tasks
from tests.factories import (
    CycleFactory,
    InvitationFactory,
    MembershipFactory,
    PartnerFactory,
    UserFactory,
    make_bank,
)

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return html.unescape(response.content.decode())


def words(response) -> str:
    """The page's text as read, without tags."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split()).replace(" ,", ",")


def url(name: str, cycle: Cycle, *args) -> str:
    return reverse(name, args=[cycle.place.slug, cycle.pk, *args])


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def cycle(place_a, partner_a, bank):
    return CycleFactory(place=place_a, bank=bank, name="Spring 2026")


@pytest.fixture
def open_cycle(cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def other_place_cycle(place_b, bank):
    PartnerFactory(place=place_b, name="Brampton Trust")
    return CycleFactory(place=place_b, bank=bank, name="Brampton round", status=CycleStatus.OPEN)


# --- Closing and releasing ask first ---


def test_close_page_counts_the_started_answers_that_will_be_deleted(
    client, facilitator_a, open_cycle, partner_a
):
    started = InvitationFactory.create_batch(3, cycle=open_cycle, partner=partner_a)
    for invitation in started:
        DraftResponse.objects.create(invitation=invitation)
    InvitationFactory(cycle=open_cycle, partner=partner_a, submitted=True)
    InvitationFactory(cycle=open_cycle, partner=partner_a)
    withdrawn = InvitationFactory(cycle=open_cycle, partner=partner_a, revoked_at=timezone.now())
    DraftResponse.objects.create(invitation=withdrawn)  # not counted: already out of the round
    client.force_login(facilitator_a)
    page = text(client.get(url("cycle_close", open_cycle)))
    assert (
        '<strong id="discarded">3 people</strong> who started but did not submit are deleted'
        in (page)
    )
    assert "from the <strong>1 submitted response</strong>, out of 5 people invited" in page
    open_cycle.refresh_from_db()
    assert open_cycle.status == CycleStatus.OPEN
    assert DraftResponse.objects.count() == 4  # looking changed nothing

    client.post(url("cycle_close", open_cycle))
    open_cycle.refresh_from_db()
    assert open_cycle.status == CycleStatus.CLOSED
    assert not DraftResponse.objects.exists()


def test_release_page_says_it_cannot_be_undone_and_who_will_see(
    client, facilitator_a, member_a, cycle, place_a, partner_a
):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.CLOSED)
    InvitationFactory.create_batch(2, cycle=cycle, partner=partner_a)
    InvitationFactory(cycle=cycle, partner=partner_a, revoked_at=timezone.now())
    InvitationFactory(cycle=cycle, partner=partner_a, emails_stopped_at=timezone.now())
    MembershipFactory(user=UserFactory(), place=place_a, role=Role.MEMBER)
    MembershipFactory(user=UserFactory(is_active=False), place=place_a, role=Role.MEMBER)
    MembershipFactory(user=UserFactory(), place=PartnerFactory().place, role=Role.MEMBER)
    client.force_login(facilitator_a)
    page = text(client.get(url("cycle_release", cycle)))
    assert "This cannot be undone." in page
    assert '<li id="member-readers">the 2 partner members of Ashford with an account;' in page
    assert "the 1 facilitator of Ashford" in page
    assert '<li id="summary-readers">the 2 people invited to Spring 2026' in page
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED


def test_cross_place_close_release_and_extend_change_nothing(
    client, facilitator_b, open_cycle, place_a
):
    client.force_login(facilitator_b)
    for name in ("cycle_close", "cycle_release", "cycle_extend"):
        for slug in ("ashford", "brampton"):
            target = reverse(name, args=[slug, open_cycle.pk])
            assert client.get(target).status_code == 404
            assert client.post(target, {"closes_on": "2030-01-01"}).status_code == 404
    open_cycle.refresh_from_db()
    assert open_cycle.status == CycleStatus.OPEN and open_cycle.closes_on < dt.date(2030, 1, 1)


# --- One open round per place ---


def test_a_second_round_cannot_open_and_the_facilitator_is_told_why(
    client, facilitator_a, open_cycle, place_a, bank
):
    second = CycleFactory(place=place_a, bank=bank, name="Autumn 2026")
    client.force_login(facilitator_a)
    page = words(client.get(url("cycle_detail", second)))
    assert "Another round, Spring 2026, is open in Ashford" in page
    response = client.post(url("cycle_open", second))
    assert flash(response) == [
        "Another round, Spring 2026, is still open in Ashford, and only one round can be open in "
        "a place at a time (otherwise people would be asked the same questions twice at once). "
        f"Close Spring 2026 first, or wait until it closes after "
        f"{open_cycle.closes_on.day} {open_cycle.closes_on:%B %Y}."
    ]
    second.refresh_from_db()
    assert second.status == CycleStatus.DRAFT and second.opened_at is None


def test_a_round_in_another_place_does_not_stop_an_opening(open_cycle, other_place_cycle, bank):
    draft = CycleFactory(place=other_place_cycle.place, bank=bank)
    Cycle.objects.filter(pk=other_place_cycle.pk).update(status=CycleStatus.RELEASED)
    services.open_cycle(draft)
    assert Cycle.objects.get(pk=draft.pk).status == CycleStatus.OPEN


@pytest.mark.django_db(transaction=True)
def test_a_scheduled_opening_is_refused_and_the_facilitators_are_emailed(
    open_cycle, place_a, bank, facilitator_a
):
    facilitator_a.email = "fac@example.org"
    facilitator_a.save()
    second = CycleFactory(
        place=place_a,
        bank=bank,
        name="Autumn 2026",
        opens_automatically=True,
        opens_on=timezone.localdate(),
    )
    assert scheduled.open_if_due(second.pk) == "failed"
    second.refresh_from_db()
    assert second.status == CycleStatus.DRAFT
    failure = AutomationFailure.objects.get(cycle=second)
    assert failure.message.startswith("Another round, Spring 2026, is still open in Ashford")
    run_tasks()
    (alert,) = mail.outbox
    assert alert.to == ["fac@example.org"]
    assert "could not be opened: Another round, Spring 2026, is still open" in alert.body


# --- Extending the closing date ---


def test_extending_moves_the_closing_date_later(client, facilitator_a, open_cycle):
    client.force_login(facilitator_a)
    later = open_cycle.closes_on + dt.timedelta(days=7)
    response = client.post(url("cycle_extend", open_cycle), {"closes_on": later.isoformat()})
    assert response.status_code == 302
    open_cycle.refresh_from_db()
    assert open_cycle.closes_on == later
    assert flash(response)[0].startswith("People can now answer until the end of")


@pytest.mark.parametrize("days", [0, -1])
def test_extending_refuses_a_day_that_is_not_later(client, facilitator_a, open_cycle, days):
    before = open_cycle.closes_on
    client.force_login(facilitator_a)
    day = (before + dt.timedelta(days=days)).isoformat()
    response = client.post(url("cycle_extend", open_cycle), {"closes_on": day})
    assert response.status_code == 200
    assert "Choose a day after the current closing date" in text(response)
    assert f'value="{day}"' in text(response)  # what was typed is still there
    open_cycle.refresh_from_db()
    assert open_cycle.closes_on == before


def test_only_an_open_round_can_be_extended(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    later = cycle.closes_on + dt.timedelta(days=7)
    client.post(url("cycle_extend", cycle), {"closes_on": later.isoformat()})
    cycle.refresh_from_db()
    assert cycle.closes_on != later


# --- Inviting from a CSV file ---


def upload(content: str, name: str = "people.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(encoding), content_type="text/csv")


def test_a_csv_file_invites_everyone_in_it(client, facilitator_a, cycle, partner_a):
    PartnerFactory(place=cycle.place, name="Hope, Faith & Co")
    client.force_login(facilitator_a)
    csv_text = (
        "Name,Email,Partner\r\n"
        "Sam Patel,sam@example.org,Ashford Council\r\n"
        '"Lee, Jo",jo@example.org,"Hope, Faith & Co"\r\n'
        "\r\n"
    )
    response = client.post(url("invitation_import", cycle), {"csv_file": upload(csv_text)})
    assert response.status_code == 302
    people = dict(Invitation.objects.filter(cycle=cycle).values_list("name", "partner__name"))
    assert people == {"Sam Patel": "Ashford Council", "Lee, Jo": "Hope, Faith & Co"}
    waiting = Delivery.objects.filter(cycle=cycle, status=DeliveryStatus.WAITING)
    assert waiting.count() == 2


def test_excel_csv_with_semicolons_and_windows_encoding(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    csv_text = "Zoë Brontë;zoe@example.org;Ashford Council\r\n"
    client.post(url("invitation_import", cycle), {"csv_file": upload(csv_text, encoding="cp1252")})
    assert Invitation.objects.get(cycle=cycle).name == "Zoë Brontë"


def test_a_bad_csv_file_invites_nobody_and_its_rows_land_in_the_box(client, facilitator_a, cycle):
    InvitationFactory(cycle=cycle, partner=cycle.place.partners.get(), email="taken@example.org")
    client.force_login(facilitator_a)
    csv_text = (
        "name,email,partner\n"
        "Sam Patel,sam@example.org,Ashford Council\n"
        "Jo Lee,not-an-address,Ashford Council\n"
        "Kim Park,taken@example.org,Nowhere Trust\n"
    )
    response = client.post(url("invitation_import", cycle), {"csv_file": upload(csv_text)})
    page = text(response)
    assert response.status_code == 200
    assert "The file's rows are now in the box below" in page
    assert "Line 3: 'not-an-address' is not a valid email address." in page
    assert (
        "Line 4: taken@example.org has already been invited to this cycle; no partner called "
        "'Nowhere Trust' in this place — partners are: Ashford Council." in page
    )
    assert "name\temail\tpartner\nSam Patel\tsam@example.org\tAshford Council\n" in page
    assert Invitation.objects.filter(cycle=cycle).count() == 1  # only the one invited before

    # Corrected in the box and sent again: the same line numbers, and everyone is invited.
    corrected = (
        "name\temail\tpartner\n"
        "Sam Patel\tsam@example.org\tAshford Council\n"
        "Jo Lee\tjo@example.org\tAshford Council\n"
        "Kim Park\tkim@example.org\tAshford Council\n"
    )
    response = client.post(url("invitation_import", cycle), {"lines": corrected})
    assert response.status_code == 302
    assert Invitation.objects.filter(cycle=cycle).count() == 4


def test_a_workbook_instead_of_a_csv_is_refused_with_what_to_do(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    workbook = SimpleUploadedFile("people.xlsx", b"PK\x03\x04\x14\x00\x06\x00binary")
    response = client.post(url("invitation_import", cycle), {"csv_file": workbook})
    assert "This is not a CSV file" in text(response)
    assert not Invitation.objects.exists()


def test_a_list_and_a_file_together_are_refused_keeping_the_list(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    pasted = "Sam Patel, sam@example.org, Ashford Council"
    response = client.post(
        url("invitation_import", cycle),
        {"lines": pasted, "csv_file": upload("Jo Lee,jo@example.org,Ashford Council\n")},
    )
    page = text(response)
    assert "Please either paste a list or upload a file, not both." in page
    assert pasted in page
    assert not Invitation.objects.exists()


def test_a_csv_into_another_places_cycle_changes_nothing(client, facilitator_a, other_place_cycle):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("invitation_import", args=["ashford", other_place_cycle.pk]),
        {"csv_file": upload("Sam,sam@example.org,Brampton Trust\n")},
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


# --- Inviting one person ---


@pytest.mark.django_db(transaction=True)
def test_one_person_is_invited_with_the_form(client, facilitator_a, open_cycle, partner_a):
    client.force_login(facilitator_a)
    data = {"name": "Robin Hill", "email": "robin@example.org", "partner": partner_a.pk}
    response = client.post(url("invitation_add", open_cycle), data)
    assert response.status_code == 302
    invitation = Invitation.objects.get(cycle=open_cycle)
    assert (invitation.name, invitation.email, invitation.partner) == (
        "Robin Hill",
        "robin@example.org",
        partner_a,
    )
    run_tasks()
    (email,) = mail.outbox
    assert email.to == ["robin@example.org"] and invitation.token in email.body


def test_the_form_refuses_a_partner_of_another_place_and_a_repeated_address(
    client, facilitator_a, open_cycle, partner_a, place_b
):
    InvitationFactory(cycle=open_cycle, partner=partner_a, email="robin@example.org")
    elsewhere = PartnerFactory(place=place_b)
    client.force_login(facilitator_a)
    response = client.post(
        url("invitation_add", open_cycle),
        {"name": "Jo", "email": "jo@example.org", "partner": elsewhere.pk},
    )
    assert "Select a valid choice." in text(response)
    response = client.post(
        url("invitation_add", open_cycle),
        {"name": "Robin", "email": "ROBIN@example.org", "partner": partner_a.pk},
    )
    assert "ROBIN@example.org has already been invited to this cycle." in text(response)
    assert Invitation.objects.count() == 1


# --- Correcting an invitation before its person starts ---


@pytest.mark.django_db(transaction=True)
def test_correcting_an_address_replaces_the_link_and_emails_the_new_address(
    client, facilitator_a, open_cycle, partner_a
):
    invitation = services.create_invitations(
        open_cycle, [services.InviteeLine("Robin Hil", "robin@exmaple.org", partner_a)]
    )[0]
    old_token = invitation.token
    client.force_login(facilitator_a)
    response = client.post(
        url("invitation_edit", open_cycle, invitation.pk),
        {"name": "Robin Hill", "email": "robin@example.org"},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.name, invitation.email) == ("Robin Hill", "robin@example.org")
    assert invitation.token != old_token
    assert Invitation.objects.by_token(old_token) is None  # the old link is dead
    assert client.get(reverse("respond_start", args=[old_token])).status_code == 404
    first = Delivery.objects.filter(invitation=invitation).order_by("pk").first()
    assert first.status == DeliveryStatus.CANCELLED  # the email to the wrong address, if unsent
    run_tasks()
    (email,) = mail.outbox
    assert email.to == ["robin@example.org"]
    assert invitation.token in email.body and old_token not in email.body


def test_someone_who_has_started_cannot_be_corrected(client, facilitator_a, open_cycle, partner_a):
    invitation = InvitationFactory(cycle=open_cycle, partner=partner_a, name="Robin")
    DraftResponse.objects.create(invitation=invitation)
    token = invitation.token
    client.force_login(facilitator_a)
    page = text(client.get(url("cycle_detail", open_cycle)))
    assert url("invitation_edit", open_cycle, invitation.pk) not in page
    for method in (client.get, client.post):
        response = method(
            url("invitation_edit", open_cycle, invitation.pk),
            {"name": "Someone Else", "email": "else@example.org"},
        )
        assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.name == "Robin" and invitation.token == token


def test_correcting_another_places_invitation_changes_nothing(
    client, facilitator_a, other_place_cycle, cycle
):
    theirs = InvitationFactory(cycle=other_place_cycle, name="Kim")
    client.force_login(facilitator_a)
    for target in (
        reverse("invitation_edit", args=["ashford", other_place_cycle.pk, theirs.pk]),
        reverse("invitation_edit", args=["ashford", cycle.pk, theirs.pk]),
        reverse("invitation_edit", args=["brampton", other_place_cycle.pk, theirs.pk]),
    ):
        response = client.post(target, {"name": "Changed", "email": "changed@example.org"})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.name == "Kim"


def test_the_correct_button_is_offered_only_before_someone_starts(
    client, facilitator_a, open_cycle, partner_a
):
    waiting = InvitationFactory(cycle=open_cycle, partner=partner_a)
    done = InvitationFactory(cycle=open_cycle, partner=partner_a, submitted=True)
    gone = InvitationFactory(cycle=open_cycle, partner=partner_a, revoked_at=timezone.now())
    client.force_login(facilitator_a)
    page = text(client.get(url("cycle_detail", open_cycle)))
    assert url("invitation_edit", open_cycle, waiting.pk) in page
    assert url("invitation_edit", open_cycle, done.pk) not in page
    assert url("invitation_edit", open_cycle, gone.pk) not in page


# --- The facilitator's words in the invitation email ---


@pytest.mark.django_db(transaction=True)
def test_the_message_is_previewed_without_saving_then_saved_and_sent(
    client, facilitator_a, cycle, partner_a
):
    client.force_login(facilitator_a)
    data = {
        "invitation_message": "We agreed at the March meeting to do this every year.",
        "contact_name": "Alex Jones",
        "contact_email": "alex@example.org",
    }
    response = client.post(url("invitation_email", cycle), {**data, "preview": ""})
    page = text(response)
    assert "Preview (not saved yet)" in page
    assert "A MESSAGE FROM ALEX JONES\nWe agreed at the March meeting" in page
    assert "please contact Alex Jones at alex@example.org" in page
    assert "Hello Sam Patel" in page  # an example person, with no real link
    cycle.refresh_from_db()
    assert cycle.invitation_message == ""

    client.post(url("invitation_email", cycle), {**data, "save": ""})
    cycle.refresh_from_db()
    assert cycle.contact_name == "Alex Jones"
    services.create_invitations(
        cycle, [services.InviteeLine("Robin", "robin@example.org", partner_a)]
    )
    services.open_cycle(cycle)
    run_tasks()
    (email,) = mail.outbox
    assert "A MESSAGE FROM ALEX JONES\nWe agreed at the March meeting" in email.body
    assert email.reply_to == ["alex@example.org"]


@pytest.mark.django_db(transaction=True)
def test_a_new_round_starts_with_the_last_rounds_words_and_contact(
    client, facilitator_a, cycle, bank
):
    Cycle.objects.filter(pk=cycle.pk).update(
        invitation_message="Our yearly check.", contact_name="Alex Jones"
    )
    client.force_login(facilitator_a)
    data = {
        "name": "Autumn 2026",
        "bank": bank.pk,
        "min_group_size": 5,
        "opens_on": "2026-09-01",
        "closes_on": "2026-09-28",
    }
    client.post(reverse("cycle_create", args=["ashford"]), data)
    new = Cycle.objects.get(name="Autumn 2026")
    assert (new.invitation_message, new.contact_name) == ("Our yearly check.", "Alex Jones")
    page = words(client.get(url("cycle_detail", new)))
    assert "The invitation email carries your own message and names Alex Jones as the" in page


@pytest.mark.django_db(transaction=True)
def test_reminders_name_the_contact(open_cycle, partner_a):
    Cycle.objects.filter(pk=open_cycle.pk).update(
        contact_name="Alex Jones", contact_email="alex@example.org"
    )
    open_cycle.refresh_from_db()
    InvitationFactory(cycle=open_cycle, partner=partner_a, email="robin@example.org")
    assert delivery.queue_reminders(open_cycle) == 1
    run_tasks()
    (email,) = mail.outbox
    assert "please contact Alex Jones at alex@example.org (or reply to this email)" in email.body
    assert email.reply_to == ["alex@example.org"]


@pytest.mark.django_db(transaction=True)
def test_without_a_message_the_email_reads_as_before(cycle, partner_a):
    services.create_invitations(
        cycle, [services.InviteeLine("Robin", "robin@example.org", partner_a)]
    )
    services.open_cycle(cycle)
    run_tasks()
    (email,) = mail.outbox
    assert "A MESSAGE FROM" not in email.body
    assert "please contact the person who asked you to take part" in email.body
    assert email.reply_to == []


def test_bad_contact_details_are_refused_and_kept(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    response = client.post(
        url("invitation_email", cycle),
        {"invitation_message": "Hello all", "contact_email": "not-an-address", "save": ""},
    )
    page = text(response)
    assert response.status_code == 200
    assert "Enter a valid email address." in page and "Hello all" in page
    cycle.refresh_from_db()
    assert cycle.invitation_message == ""


def test_another_places_invitation_email_cannot_be_changed(
    client, facilitator_a, other_place_cycle
):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("invitation_email", args=["ashford", other_place_cycle.pk]),
        {"invitation_message": "Hijacked", "save": ""},
    )
    assert response.status_code == 404
    other_place_cycle.refresh_from_db()
    assert other_place_cycle.invitation_message == ""


# --- A mistyped personal link, in development too ---


@pytest.mark.parametrize(
    "path",
    [
        "/r/abc123/",  # cut off
        "/r/" + "0" * 64 + "/",  # the right length, no such link
        "/r/" + "0" * 64 + "/page/99/",
        "/r/" + "0" * 64 + "/nowhere/",  # no such address under the link
        "/r/",
        "/emails/stop/abc/",
        "/summary/12:forged/",  # a public summary link that was not made by us
    ],
)
def test_a_mistyped_link_gets_the_apps_own_404_page_even_with_debug_on(client, settings, path):
    settings.DEBUG = True
    response = client.get(path)
    assert response.status_code == 404
    page = text(response)
    assert "We could not find that page" in page
    assert "copied the whole link" in page
    assert "Django" not in page and "URLconf" not in page
    assert response["Referrer-Policy"] == "no-referrer"


def test_saving_the_message_after_someone_opened_the_round_still_works(
    client, facilitator_a, cycle, partner_a
):
    client.force_login(facilitator_a)
    client.get(url("invitation_email", cycle))
    services.open_cycle(cycle)  # by another facilitator, while this one types
    response = client.post(
        url("invitation_email", cycle), {"invitation_message": "Please take part.", "save": ""}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.invitation_message == "Please take part." and cycle.status == CycleStatus.OPEN
