"""Invitees' names and addresses are kept no longer than needed (issue 15, part 5)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Cycle, CycleStatus, Invitation
from assessments.participation import partner_participation
from tests.factories import InvitationFactory, PartnerFactory, add_responses, open_cycle_for

pytestmark = pytest.mark.django_db

RELEASED_DAYS_AGO = 91  # the default retention is 90 days


@pytest.fixture
def rounds(place_a, partner_a):
    """An old released round (91 days ago), a recent released one (10 days ago) and an open
    one, each with two invitations from partner_a and one from a charity, one submitted."""
    charity = PartnerFactory(place=place_a, name="Charity")
    made = {}
    for label, days_ago in (("old", RELEASED_DAYS_AGO), ("recent", 10), ("open", None)):
        cycle = open_cycle_for(place_a, min_group_size=3, name=label)
        invitations = [
            InvitationFactory(cycle=cycle, partner=partner_a, name=f"Ann {label}"),
            InvitationFactory(cycle=cycle, partner=partner_a, name=f"Bob {label}"),
            InvitationFactory(cycle=cycle, partner=charity, name=f"Cat {label}"),
        ]
        Invitation.objects.filter(pk=invitations[0].pk).update(submitted=True)
        if days_ago is not None:
            add_responses(cycle, partner_a, count=3)
            services.close_cycle(cycle)
            services.release_cycle(cycle, at=timezone.now() - dt.timedelta(days=days_ago))
        made[label] = cycle
    return made


def _erase() -> str:
    out = io.StringIO()
    call_command("erase_personal_data", stdout=out)
    return out.getvalue()


def test_names_and_addresses_are_erased_after_the_retention_period(rounds):
    old = rounds["old"]
    before = partner_participation(old)
    assert _erase().strip() == "Erased the names and email addresses of 3 invitation(s)."

    erased = Invitation.objects.filter(cycle=old)
    assert {(i.name, i.email) for i in erased} == {("", "")}
    assert all(i.erased_at for i in erased)
    # Participation per partner is unchanged: invited, started and submitted stay counted.
    after = partner_participation(old)
    assert [(r.partner.name, r.invited, r.submitted) for r in after.partners] == [
        (r.partner.name, r.invited, r.submitted) for r in before.partners
    ]
    assert after.submitted == 1 and after.invited == 3

    # Younger rounds keep theirs, and nothing is left in the database to find the names by.
    for label in ("recent", "open"):
        kept = Invitation.objects.filter(cycle=rounds[label])
        assert all(i.name and i.email and i.erased_at is None for i in kept)
    with connection.cursor() as cursor:
        table = Invitation._meta.db_table
        cursor.execute(f"SELECT * FROM {table} WHERE cycle_id = %s", [old.pk])
        dumped = repr(cursor.fetchall())
    assert "Ann old" not in dumped and "example.org" not in dumped


def test_erasing_again_touches_nothing(rounds):
    _erase()
    stamp = set(Invitation.objects.filter(cycle=rounds["old"]).values_list("erased_at", flat=True))
    assert _erase().strip() == "Erased the names and email addresses of 0 invitation(s)."
    assert (
        set(Invitation.objects.filter(cycle=rounds["old"]).values_list("erased_at", flat=True))
        == stamp
    )


def test_the_retention_period_is_a_setting(rounds, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 5
    assert "of 6 invitation(s)" in _erase()  # the old and the recent round
    assert Invitation.objects.filter(cycle=rounds["open"], erased_at__isnull=True).count() == 3


def test_the_cycle_page_says_when_names_go_and_that_they_went(client, facilitator_a, rounds):
    client.force_login(facilitator_a)
    recent = rounds["recent"]
    page = client.get(reverse("cycle_detail", args=[recent.place.slug, recent.pk]))
    text = page.content.decode()
    due = timezone.localdate(recent.released_at + dt.timedelta(days=90))
    assert f"will be deleted 90 days after the results were released ({due:%-d %B %Y})" in text
    assert "Ann recent" in text

    _erase()
    old = rounds["old"]
    text = client.get(reverse("cycle_detail", args=[old.place.slug, old.pk])).content.decode()
    assert "were deleted 90 days after the results were released" in text
    assert "Ann old" not in text and "Name deleted" in text
    assert "Who took part from each partner is still counted." in text


def test_the_welcome_page_says_how_long_names_are_kept(client, rounds, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 60
    invitation = Invitation.objects.filter(cycle=rounds["open"], submitted=False).first()
    Cycle.objects.filter(pk=rounds["open"].pk).update(status=CycleStatus.OPEN)
    html = client.get(reverse("respond_start", args=[invitation.token])).content.decode()
    assert "They are deleted 60 days after the results are released." in html
