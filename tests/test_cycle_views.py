"""Facilitators create, open, close and release cycles (DESIGN §6: k is fixed once open)."""

from __future__ import annotations

import datetime as dt
import html
import io
from types import SimpleNamespace

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.cycle_forms import CycleForm
from assessments.models import (
    Cycle,
    CycleStatus,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    DraftResponse,
    Invitation,
)
from tests.background import run_tasks
from tests.factories import CycleFactory, InvitationFactory, make_bank

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def cycle(place_a, partner_a, bank):
    return CycleFactory(place=place_a, bank=bank, name="Spring 2026")


def cycle_data(bank, **overrides) -> dict:
    data = {
        "name": "Autumn 2026",
        "bank": bank.pk,
        "min_group_size": 5,
        "opens_on": "2026-09-01",
        "closes_on": "2026-09-28",
    }
    data.update(overrides)
    return data


def url(name: str, cycle: Cycle) -> str:
    return reverse(name, args=[cycle.place.slug, cycle.pk])


# --- Creating and editing ---


def test_new_cycle_form_offers_published_banks_and_k_of_five(client, facilitator_a, bank):
    draft_bank = make_bank(publish=False, name="Unfinished bank")
    client.force_login(facilitator_a)
    response = client.get(reverse("cycle_create", args=["ashford"]))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["bank"].queryset) == [bank]
    assert draft_bank.name not in response.content.decode()
    assert form["min_group_size"].value() == 5
    assert 'type="date"' in response.content.decode()


@pytest.mark.parametrize("k", [3, 4, 5])
def test_create_a_cycle_with_k_from_three_to_five(client, facilitator_a, place_a, bank, k):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("cycle_create", args=["ashford"]), cycle_data(bank, min_group_size=k)
    )
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("cycle_detail", cycle)
    assert (cycle.place, cycle.bank, cycle.min_group_size, cycle.status) == (
        place_a,
        bank,
        k,
        CycleStatus.DRAFT,
    )
    assert cycle.opens_on == dt.date(2026, 9, 1) and cycle.closes_on == dt.date(2026, 9, 28)


@pytest.mark.parametrize("k", [2, 6])
def test_k_outside_three_to_five_is_refused_with_a_message(client, facilitator_a, bank, k):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("cycle_create", args=["ashford"]), cycle_data(bank, min_group_size=k)
    )
    assert response.status_code == 200
    assert "Choose a minimum group size between 3 and 5." in text(response)
    assert not Cycle.objects.exists()


def test_closing_before_opening_is_refused(client, facilitator_a, bank):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("cycle_create", args=["ashford"]),
        cycle_data(bank, opens_on="2026-09-10", closes_on="2026-09-09"),
    )
    assert response.status_code == 200
    assert "The closing date cannot be before the opening date." in text(response)
    assert not Cycle.objects.exists()


def test_a_draft_bank_cannot_be_chosen(client, facilitator_a, bank):
    draft_bank = make_bank(publish=False)
    client.force_login(facilitator_a)
    response = client.post(reverse("cycle_create", args=["ashford"]), cycle_data(draft_bank))
    assert response.status_code == 200
    assert not Cycle.objects.exists()


def test_draft_cycle_can_change_k_and_bank(client, facilitator_a, cycle):
    other_bank = make_bank()
    client.force_login(facilitator_a)
    response = client.post(
        url("cycle_edit", cycle), cycle_data(other_bank, name="Renamed", min_group_size=3)
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.bank, cycle.min_group_size) == ("Renamed", other_bank, 3)


@pytest.mark.parametrize("status", [CycleStatus.OPEN, CycleStatus.CLOSED, CycleStatus.RELEASED])
def test_k_and_bank_are_not_offered_once_open(client, facilitator_a, cycle, status):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    client.force_login(facilitator_a)
    response = client.get(url("cycle_edit", cycle))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="min_group_size"' not in page
    assert 'name="bank"' not in page
    assert 'name="name"' in page
    assert "fixed" in page


def test_posting_k_or_bank_for_an_open_cycle_changes_neither(client, facilitator_a, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
    other_bank = make_bank()
    client.force_login(facilitator_a)
    closes_on = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    response = client.post(
        url("cycle_edit", cycle),
        cycle_data(other_bank, name="Spring, extended", min_group_size=3, closes_on=closes_on),
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "Spring, extended"
    assert cycle.closes_on.isoformat() == closes_on
    assert cycle.min_group_size == 5
    assert cycle.bank != other_bank


def test_an_open_cycle_cannot_be_given_a_past_closing_date(client, facilitator_a, cycle):
    Cycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.OPEN, opens_on=timezone.localdate() - dt.timedelta(days=10)
    )
    client.force_login(facilitator_a)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(url("cycle_edit", cycle), {"name": "x", "closes_on": yesterday})
    assert response.status_code == 200
    assert "cannot be in the past" in text(response)
    cycle.refresh_from_db()
    assert cycle.name == "Spring 2026"


def test_an_overdue_open_cycle_can_still_be_renamed(client, facilitator_a, cycle):
    # The nightly close has not run yet: the stored closing date is already in the past.
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Cycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.OPEN, opens_on=yesterday - dt.timedelta(days=10), closes_on=yesterday
    )
    client.force_login(facilitator_a)
    response = client.post(
        url("cycle_edit", cycle), {"name": "Renamed", "closes_on": yesterday.isoformat()}
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.name == "Renamed"


def test_an_edit_racing_an_open_saves_nothing(client, facilitator_a, cycle, monkeypatch):
    clean = CycleForm.clean

    def opened_by_someone_else_meanwhile(form):
        Cycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
        return clean(form)

    monkeypatch.setattr(CycleForm, "clean", opened_by_someone_else_meanwhile)
    client.force_login(facilitator_a)
    response = client.post(url("cycle_edit", cycle), cycle_data(cycle.bank, min_group_size=3))
    assert response.status_code == 302
    assert flash(response) == [
        "Nothing was saved. Someone else has just opened, closed or released this cycle. "
        "Reload the page to see it as it is now."
    ]
    cycle.refresh_from_db()
    assert (cycle.min_group_size, cycle.name) == (5, "Spring 2026")


# --- Lists and pages ---


def test_cycle_list_shows_the_places_cycles_with_counts(client, facilitator_a, cycle, place_b):
    InvitationFactory.create_batch(3, cycle=cycle, partner=cycle.place.partners.get())
    InvitationFactory(cycle=cycle, partner=cycle.place.partners.get(), submitted=True)
    CycleFactory(place=place_b, name="Brampton's own")
    client.force_login(facilitator_a)
    response = client.get(reverse("cycle_list", args=["ashford"]))
    page = text(response)
    assert "Spring 2026" in page and "Brampton's own" not in page
    assert url("cycle_detail", cycle) in page
    row = response.context["cycles"][0]
    assert (row.n_invited, row.n_submitted) == (4, 1)


def test_cycle_list_query_count_does_not_grow(client, facilitator_a, place_a, bank):
    client.force_login(facilitator_a)
    list_url = reverse("cycle_list", args=["ashford"])
    CycleFactory.create_batch(2, place=place_a, bank=bank)
    with CaptureQueriesContext(connection) as few:
        client.get(list_url)
    for cycle in CycleFactory.create_batch(10, place=place_a, bank=bank):
        InvitationFactory.create_batch(2, cycle=cycle)
    with CaptureQueriesContext(connection) as many:
        client.get(list_url)
    assert len(many) == len(few)


def test_place_page_links_each_cycle_for_facilitators_only(
    client, facilitator_a, member_a, cycle, bank
):
    released = CycleFactory(place=cycle.place, bank=bank, status=CycleStatus.RELEASED)
    client.force_login(facilitator_a)
    page = client.get(reverse("place_detail", args=["ashford"])).content.decode()
    assert url("cycle_detail", cycle) in page and url("cycle_detail", released) in page
    client.force_login(member_a)
    page = client.get(reverse("place_detail", args=["ashford"])).content.decode()
    assert released.name in page and cycle.name not in page
    assert "/cycles/" not in page


@pytest.mark.parametrize(
    ("status", "sentence", "action"),
    [
        (CycleStatus.DRAFT, "Opening the cycle makes every invitation link work", "cycle_open"),
        (CycleStatus.OPEN, "stops every invitation link from working", "cycle_close"),
        (CycleStatus.OPEN, "works out the results", "cycle_close"),
        (CycleStatus.CLOSED, "lets every partner member", "cycle_release"),
    ],
)
def test_each_action_button_comes_with_a_sentence_saying_what_it_does(
    client, facilitator_a, cycle, status, sentence, action
):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    client.force_login(facilitator_a)
    page = text(client.get(url("cycle_detail", cycle)))
    assert sentence in page
    # Opening acts at once; closing and releasing lead to a page that asks first.
    attribute = "action" if action == "cycle_open" else "href"
    assert f'{attribute}="{url(action, cycle)}"' in page


# --- Moving through the statuses ---


def shown(response) -> list[str]:
    """The messages on the page a POST redirected to."""
    assert response.redirect_chain[-1][0] == response.request["PATH_INFO"]
    return [str(m) for m in response.context["messages"]]


def test_open_close_release(client, facilitator_a, cycle):
    client.force_login(facilitator_a)
    invitation = InvitationFactory(cycle=cycle, partner=cycle.place.partners.get())

    response = client.post(url("cycle_open", cycle), follow=True)
    assert response.redirect_chain == [(url("cycle_detail", cycle), 302)]
    assert shown(response) == ["The cycle is open: invitation links now work."]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and cycle.opened_at is not None

    DraftResponse.objects.create(invitation=invitation)
    response = client.post(url("cycle_close", cycle), follow=True)
    assert len(shown(response)) == 1 and "links no longer work" in shown(response)[0]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.CLOSED and cycle.closed_at is not None
    assert not DraftResponse.objects.exists()  # unsubmitted drafts go when the cycle closes
    assert invitation.refusal() is not None

    response = client.post(url("cycle_release", cycle), follow=True)
    assert shown(response) == [
        "The results are released: partner members can now see them, and 1 person invited is "
        "being emailed the link to the public summary."
    ]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RELEASED and cycle.released_at is not None


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (CycleStatus.OPEN, "cycle_open"),
        (CycleStatus.CLOSED, "cycle_open"),
        (CycleStatus.DRAFT, "cycle_close"),
        (CycleStatus.RELEASED, "cycle_close"),
        (CycleStatus.DRAFT, "cycle_release"),
        (CycleStatus.OPEN, "cycle_release"),
        (CycleStatus.RELEASED, "cycle_release"),
    ],
)
def test_wrong_state_shows_the_reason_and_changes_nothing(
    client, facilitator_a, cycle, status, action
):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    before = Cycle.objects.filter(pk=cycle.pk).values().get()
    client.force_login(facilitator_a)
    response = client.post(url(action, cycle), follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1
    assert f"This cycle is {CycleStatus(status).label.lower()}, so it cannot be" in messages[0]
    assert messages[0] in text(response)
    assert Cycle.objects.filter(pk=cycle.pk).values().get() == before


def test_opening_without_partners_is_refused_with_the_reason(client, facilitator_a, place_a):
    cycle = CycleFactory(place=place_a)
    client.force_login(facilitator_a)
    response = client.post(url("cycle_open", cycle))
    assert flash(response) == ["Add the place's partner organisations before opening a cycle."]
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT


@pytest.mark.parametrize("name", ["cycle_open", "cycle_remind"])
def test_state_changes_are_post_only(client, facilitator_a, cycle, name):
    client.force_login(facilitator_a)
    assert client.get(url(name, cycle)).status_code == 405
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.DRAFT


@pytest.mark.parametrize(
    ("status", "name"),
    [
        (CycleStatus.OPEN, "cycle_close"),
        (CycleStatus.CLOSED, "cycle_release"),
        (CycleStatus.DRAFT, "cycle_close"),
        (CycleStatus.DRAFT, "cycle_release"),
    ],
)
def test_a_get_of_close_or_release_only_asks(client, facilitator_a, cycle, status, name):
    Cycle.objects.filter(pk=cycle.pk).update(status=status)
    client.force_login(facilitator_a)
    response = client.get(url(name, cycle))
    if status == CycleStatus.DRAFT:
        assert response.status_code == 302  # nothing to confirm: back to the cycle's page
    else:
        assert response.status_code == 200
        assert '<form method="post" class="d-flex' in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == status


def test_revoke_is_post_only(client, facilitator_a, cycle):
    invitation = InvitationFactory(cycle=cycle, partner=cycle.place.partners.get())
    client.force_login(facilitator_a)
    response = client.get(reverse("invitation_revoke", args=["ashford", cycle.pk, invitation.pk]))
    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- Closing automatically ---


@pytest.mark.django_db(transaction=True)
def test_close_due_cycles_closes_only_open_cycles_past_their_closing_date(place_a, place_b):
    today = timezone.localdate()
    past = {"opens_on": today - dt.timedelta(days=30), "closes_on": today - dt.timedelta(days=1)}
    due = CycleFactory(place=place_a, status=CycleStatus.OPEN, **past)
    due_elsewhere = CycleFactory(place=place_b, status=CycleStatus.OPEN, **past)
    last_day = CycleFactory(
        place=place_a, status=CycleStatus.OPEN, opens_on=past["opens_on"], closes_on=today
    )
    not_yet = CycleFactory(place=place_a, status=CycleStatus.OPEN)
    draft = CycleFactory(place=place_a, status=CycleStatus.DRAFT, **past)
    released = CycleFactory(place=place_a, status=CycleStatus.RELEASED, **past)
    invitation = InvitationFactory(cycle=due)
    DraftResponse.objects.create(invitation=invitation)

    out = io.StringIO()
    call_command("close_due_cycles", stdout=out)
    assert "2 cycle(s) queued for closing." in out.getvalue()
    assert Cycle.objects.get(pk=due.pk).status == CycleStatus.OPEN  # a worker closes it
    run_tasks()

    statuses = {c.pk: c.status for c in Cycle.objects.all()}
    assert statuses == {
        due.pk: CycleStatus.CLOSED,
        due_elsewhere.pk: CycleStatus.CLOSED,
        last_day.pk: CycleStatus.OPEN,  # the closing date is the last day to answer
        not_yet.pk: CycleStatus.OPEN,
        draft.pk: CycleStatus.DRAFT,
        released.pk: CycleStatus.RELEASED,
    }
    assert not DraftResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.refusal() == (
        "This health check has closed, so answers can no longer be added."
    )


# --- Who may do what, for every facilitator URL ---


@pytest.fixture
def world(place_a, partner_a, place_b, bank):
    today = timezone.localdate()
    draft = CycleFactory(place=place_a, bank=bank, name="Draft one")
    open_ = CycleFactory(place=place_a, bank=bank, name="Open one", status=CycleStatus.OPEN)
    closed = CycleFactory(
        place=place_a,
        bank=bank,
        name="Closed one",
        status=CycleStatus.CLOSED,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
    )
    invitation = InvitationFactory(cycle=open_, partner=partner_a)
    DraftResponse.objects.create(invitation=invitation)
    # An email that could not be sent, for the retry button.
    Delivery.objects.create(
        cycle=open_,
        invitation=invitation,
        kind=DeliveryKind.INVITATION,
        status=DeliveryStatus.FAILED,
        attempts=6,
        error="The mail server refused this address (550 no such user).",
    )
    return SimpleNamespace(draft=draft, open=open_, closed=closed, invitation=invitation, bank=bank)


# (url name, method, which cycle) — each POST would change something if it were let through.
CYCLE_URLS = [
    ("cycle_list", "get", None),
    ("cycle_create", "get", None),
    ("cycle_create", "post", None),
    ("cycle_detail", "get", "open"),
    ("cycle_edit", "get", "draft"),
    ("cycle_edit", "post", "draft"),
    ("cycle_open", "post", "draft"),
    ("cycle_close", "post", "open"),
    ("cycle_release", "post", "closed"),
    ("invitation_import", "get", "open"),
    ("invitation_import", "post", "open"),
    ("invitation_revoke", "post", "open"),
    ("cycle_remind", "post", "open"),
    ("cycle_retry_emails", "post", "open"),
]


def world_url(world, name: str, which: str | None, slug: str = "ashford") -> str:
    if which is None:
        return reverse(name, args=[slug])
    cycle = getattr(world, which)
    if name == "invitation_revoke":
        return reverse(name, args=[slug, cycle.pk, world.invitation.pk])
    return reverse(name, args=[slug, cycle.pk])


def world_data(world) -> dict:
    return {
        **cycle_data(world.bank, name="Hijacked"),
        "lines": "Mallory, mallory@example.org, Ashford Council",
    }


def world_state():
    return (
        list(Cycle.objects.order_by("pk").values_list("pk", "name", "status", "min_group_size")),
        list(
            Invitation.objects.order_by("pk").values_list(
                "pk", "email", "revoked_at", "last_sent_at"
            )
        ),
        DraftResponse.objects.count(),
        list(Delivery.objects.order_by("pk").values_list("pk", "status", "attempts")),
        len(mail.outbox),
    )


@pytest.mark.parametrize(("name", "method", "which"), CYCLE_URLS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("outsider", 404), ("member_a", 403), ("facilitator_b", 404), (None, 302)],
)
def test_only_the_places_facilitators_get_in(
    request, client, world, name, method, which, persona, expected
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    before = world_state()
    response = getattr(client, method)(world_url(world, name, which), world_data(world))
    assert response.status_code == expected
    if persona is None:
        assert response["Location"].startswith(reverse("login"))
    assert world_state() == before


@pytest.mark.parametrize(("name", "method", "which"), [u for u in CYCLE_URLS if u[2]])
def test_another_places_objects_are_not_found_under_your_own_place(
    client, world, facilitator_b, name, method, which
):
    client.force_login(facilitator_b)
    before = world_state()
    response = getattr(client, method)(
        world_url(world, name, which, slug="brampton"), world_data(world)
    )
    assert response.status_code == 404
    assert world_state() == before


def test_an_invitation_from_another_cycle_is_not_found(client, world, facilitator_a):
    client.force_login(facilitator_a)
    before = world_state()
    response = client.post(
        reverse("invitation_revoke", args=["ashford", world.draft.pk, world.invitation.pk])
    )
    assert response.status_code == 404
    assert world_state() == before


def _unchanged(world, before):
    assert world_state() == before


def _cycle_created(world, before):
    created = Cycle.objects.exclude(pk__in=[c[0] for c in before[0]]).get()
    assert (created.place.slug, created.name, created.status) == (
        "ashford",
        "Hijacked",
        CycleStatus.DRAFT,
    )
    assert world_state()[1:] == before[1:]


def _status(which, status):
    def check(world, before):
        assert Cycle.objects.get(pk=getattr(world, which).pk).status == status

    return check


def _open_refused(world, before):
    # The world's place already has a round open: a second one is refused (one open round a
    # place), and nothing changes.
    _status("draft", CycleStatus.DRAFT)(world, before)
    assert world_state() == before


def _draft_renamed(world, before):
    assert Cycle.objects.get(pk=world.draft.pk).name == "Hijacked"
    assert Cycle.objects.get(pk=world.open.pk).name == "Open one"


def _closed(world, before):
    _status("open", CycleStatus.CLOSED)(world, before)
    assert not DraftResponse.objects.exists()  # closing discards what was not submitted


def _invited(world, before):
    added = Invitation.objects.exclude(pk=world.invitation.pk).get()
    assert (added.cycle, added.name, added.email) == (world.open, "Mallory", "mallory@example.org")
    assert Delivery.objects.filter(invitation=added, status=DeliveryStatus.QUEUED).count() == 1


def _revoked(world, before):
    assert Invitation.objects.get(pk=world.invitation.pk).revoked_at is not None
    assert not DraftResponse.objects.exists()


def _reminded(world, before):
    reminder = Delivery.objects.get(kind=DeliveryKind.REMINDER)
    assert (reminder.invitation, reminder.status) == (world.invitation, DeliveryStatus.QUEUED)


def _retried(world, before):
    failed = Delivery.objects.get(kind=DeliveryKind.INVITATION)
    assert (failed.status, failed.attempts) == (DeliveryStatus.QUEUED, 0)


# What each request does for the place's facilitator: its status, where it goes, what it changed.
FACILITATOR_OUTCOMES = {
    ("cycle_list", "get"): (200, None, _unchanged),
    ("cycle_create", "get"): (200, None, _unchanged),
    ("cycle_create", "post"): (302, "created", _cycle_created),
    ("cycle_detail", "get"): (200, None, _unchanged),
    ("cycle_edit", "get"): (200, None, _unchanged),
    ("cycle_edit", "post"): (302, "draft", _draft_renamed),
    ("cycle_open", "post"): (302, "draft", _open_refused),
    ("cycle_close", "post"): (302, "open", _closed),
    ("cycle_release", "post"): (302, "closed", _status("closed", CycleStatus.RELEASED)),
    ("invitation_import", "get"): (200, None, _unchanged),
    ("invitation_import", "post"): (302, "open", _invited),
    ("invitation_revoke", "post"): (302, "open", _revoked),
    ("cycle_remind", "post"): (302, "open", _reminded),
    ("cycle_retry_emails", "post"): (302, "open", _retried),
}


def test_every_facilitator_url_has_an_expected_outcome():
    assert set(FACILITATOR_OUTCOMES) == {(name, method) for name, method, _ in CYCLE_URLS}


@pytest.mark.parametrize(("name", "method", "which"), CYCLE_URLS)
def test_the_places_facilitator_gets_in_and_the_request_does_its_job(
    client, world, facilitator_a, name, method, which
):
    client.force_login(facilitator_a)
    before = world_state()
    response = getattr(client, method)(world_url(world, name, which), world_data(world))
    status, goes_to, check = FACILITATOR_OUTCOMES[(name, method)]
    assert response.status_code == status
    if goes_to == "created":
        goes_to = Cycle.objects.get(name="Hijacked")
    elif goes_to:
        goes_to = getattr(world, goes_to)
    if goes_to:
        assert response["Location"] == reverse("cycle_detail", args=["ashford", goes_to.pk])
        errors = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
        if check is _open_refused:
            assert len(errors) == 1 and "Open one, is still open in Ashford" in errors[0]
        else:
            assert errors == []
    check(world, before)
