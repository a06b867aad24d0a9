"""Facilitators set up their place's partner organisations."""

from __future__ import annotations

import html

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from places.models import Partner, Sector, Size
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def text(response) -> str:
    return html.unescape(response.content.decode())


def partner_data(**overrides) -> dict:
    data = {"name": "Ashford Food Bank", "sector": Sector.VOLUNTARY, "size": Size.MICRO}
    data.update(overrides)
    return data


def test_facilitator_sees_the_places_partners_only(client, facilitator_a, partner_a, place_b):
    PartnerFactory(place=place_b, name="Brampton Trust")
    client.force_login(facilitator_a)
    response = client.get(reverse("partner_list", args=["ashford"]))
    assert response.status_code == 200
    page = text(response)
    assert "Ashford Council" in page and "Local authority" not in page  # factory: voluntary
    assert "Voluntary & community" in page
    assert "Brampton Trust" not in page
    assert reverse("partner_edit", args=["ashford", partner_a.pk]) in page


def test_partner_list_query_count_does_not_grow(client, facilitator_a, place_a):
    client.force_login(facilitator_a)
    url = reverse("partner_list", args=["ashford"])
    PartnerFactory.create_batch(2, place=place_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    PartnerFactory.create_batch(18, place=place_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_add_a_partner(client, facilitator_a, place_a):
    client.force_login(facilitator_a)
    assert client.get(reverse("partner_create", args=["ashford"])).status_code == 200
    response = client.post(
        reverse("partner_create", args=["ashford"]),
        partner_data(name="  Ashford   Food Bank ", is_lead="on"),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("partner_list", args=["ashford"])
    partner = Partner.objects.get(place=place_a)
    assert (partner.name, partner.sector, partner.size, partner.is_lead) == (
        "Ashford Food Bank",
        Sector.VOLUNTARY,
        Size.MICRO,
        True,
    )
    assert flash(response) == ["Added Ashford Food Bank."]


def test_partner_names_must_differ_by_more_than_case(client, facilitator_a, partner_a):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("partner_create", args=["ashford"]), partner_data(name="ashford council")
    )
    assert response.status_code == 200
    assert "already has a partner called" in text(response)
    assert Partner.objects.count() == 1


def test_same_name_allowed_in_another_place(client, facilitator_b, partner_a, place_b):
    client.force_login(facilitator_b)
    response = client.post(
        reverse("partner_create", args=["brampton"]), partner_data(name="Ashford Council")
    )
    assert response.status_code == 302
    assert Partner.objects.filter(place=place_b, name="Ashford Council").exists()


def test_invalid_sector_is_refused(client, facilitator_a, place_a):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("partner_create", args=["ashford"]), partner_data(sector="mafia")
    )
    assert response.status_code == 200
    assert not Partner.objects.exists()


def test_edit_a_partner(client, facilitator_a, partner_a):
    client.force_login(facilitator_a)
    url = reverse("partner_edit", args=["ashford", partner_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Ashford Council"' in page.content.decode()
    response = client.post(
        url,
        partner_data(name="Ashford Borough Council", sector=Sector.LOCAL_AUTHORITY, size="large"),
    )
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.name == "Ashford Borough Council"
    assert partner_a.sector == Sector.LOCAL_AUTHORITY
    assert partner_a.size == Size.LARGE
    assert partner_a.is_lead is False  # unticked


def test_keeping_its_own_name_is_not_a_clash(client, facilitator_a, partner_a):
    client.force_login(facilitator_a)
    response = client.post(
        reverse("partner_edit", args=["ashford", partner_a.pk]),
        partner_data(name="ASHFORD COUNCIL", is_lead="on"),
    )
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.name == "ASHFORD COUNCIL"


def test_place_page_links_facilitators_to_partners_and_cycles(client, facilitator_a, member_a):
    client.force_login(facilitator_a)
    page = client.get(reverse("place_detail", args=["ashford"])).content.decode()
    assert reverse("partner_list", args=["ashford"]) in page
    assert reverse("cycle_list", args=["ashford"]) in page
    client.force_login(member_a)
    page = client.get(reverse("place_detail", args=["ashford"])).content.decode()
    assert reverse("partner_list", args=["ashford"]) not in page
    assert reverse("cycle_list", args=["ashford"]) not in page


# --- Who may do what ---


def partner_state():
    return list(Partner.objects.order_by("pk").values_list("pk", "place_id", "name", "is_lead"))


PARTNER_URLS = [
    ("partner_list", "get"),
    ("partner_create", "get"),
    ("partner_create", "post"),
    ("partner_edit", "get"),
    ("partner_edit", "post"),
]


def partner_url(name: str, slug: str, partner: Partner) -> str:
    args = [slug, partner.pk] if name == "partner_edit" else [slug]
    return reverse(name, args=args)


@pytest.mark.parametrize(("name", "method"), PARTNER_URLS)
@pytest.mark.parametrize(
    ("persona", "expected"),
    [("outsider", 404), ("member_a", 403), ("facilitator_b", 404), (None, 302)],
)
def test_only_the_places_facilitators_get_in(
    request, client, partner_a, place_b, name, method, persona, expected
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    before = partner_state()
    url = partner_url(name, "ashford", partner_a)
    response = getattr(client, method)(url, partner_data(name="Hijacked", is_lead="on"))
    assert response.status_code == expected
    if persona is None:
        assert response["Location"].startswith(reverse("login"))
    assert partner_state() == before


@pytest.mark.parametrize(("name", "method"), [("partner_edit", "get"), ("partner_edit", "post")])
def test_another_places_partner_is_not_found_under_your_own_place(
    client, facilitator_b, partner_a, place_b, name, method
):
    client.force_login(facilitator_b)
    before = partner_state()
    url = partner_url(name, "brampton", partner_a)
    response = getattr(client, method)(url, partner_data(name="Hijacked"))
    assert response.status_code == 404
    assert partner_state() == before
