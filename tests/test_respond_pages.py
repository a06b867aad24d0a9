"""What the respondent's pages cost and show: the personal link's lookup, each page's queries
(the same however big the bank), escaping, and the markup that assistive technology relies on."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from jinja2 import UndefinedError

from assessments import services
from assessments.models import (
    CycleStatus,
    DraftResponse,
    Invitation,
    RoleLevel,
    Statement,
)
from assessments.respond.questionnaire import Questionnaire
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(place_a):
    bank = make_bank(n_conditions=2, n_statements=3)
    return CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN, min_group_size=4)


@pytest.fixture
def partner(cycle):
    return PartnerFactory(place=cycle.place, name="Food Bank")


@pytest.fixture
def invitation(cycle, partner):
    return _invite(cycle, partner, "Robin")


def _invite(cycle, partner, name: str) -> Invitation:
    line = services.InviteeLine(name=name, email=f"{name.lower()}@example.org", partner=partner)
    return services.create_invitations(cycle, [line])[0]


def _started(invitation, partner, **fields) -> DraftResponse:
    """The person has said who they are, so the questionnaire's pages are open to them."""
    return DraftResponse.objects.create(
        invitation=invitation, partner=partner, role_level=RoleLevel.MANAGER, **fields
    )


def _page(client, invitation, number: int = 1) -> str:
    return client.get(reverse("respond_page", args=[invitation.token, number])).content.decode()


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


# --- The personal link's lookup ---


def test_a_link_finds_its_invitation_and_all_a_page_needs_in_one_query(invitation, partner):
    _started(invitation, partner, comments={"1": "Ça va — “quotes” & <tags>"}, step=2)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        found = Invitation.objects.by_token(invitation.token)
        cycle, draft = found.cycle, found.draft
        loaded = [cycle.bank.spectrum_prompt, cycle.place.name, draft.step, draft.invitation]
    assert len(queries) == 1
    assert loaded[-1] is found
    expected = Invitation.objects.get(pk=invitation.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(cycle) == _fields(expected.cycle)
    assert _fields(cycle.bank) == _fields(expected.cycle.bank)
    assert _fields(cycle.place) == _fields(expected.cycle.place)
    assert _fields(draft) == _fields(DraftResponse.objects.get(invitation=invitation))


def test_a_link_without_a_draft_knows_there_is_none(invitation):
    with CaptureQueriesContext(connection) as queries:
        found = Invitation.objects.by_token(invitation.token)
        with pytest.raises(DraftResponse.DoesNotExist, match="has no draft"):
            found.draft  # noqa: B018
    assert len(queries) == 1
    assert found == invitation


def test_an_unknown_or_malformed_token_finds_nothing(invitation):
    for token in ["0" * 64, invitation.token_hash, invitation.token[:-1], "", "f" * 10_000]:
        assert Invitation.objects.by_token(token) is None
    with CaptureQueriesContext(connection) as queries:
        Invitation.objects.by_token("f" * 10_000)
    assert len(queries) == 0  # not even hashed


# --- Queries per page: the same for any size of bank ---


def _journey_queries(place, conditions: int, statements: int) -> dict[str, int]:
    """Each respondent page's queries, for a bank of this size, as a new respondent walks it."""
    bank = make_bank(n_conditions=conditions, n_statements=statements)
    cycle = CycleFactory(place=place, bank=bank, status=CycleStatus.OPEN)
    partner = PartnerFactory(place=place)
    invitation = _invite(cycle, partner, f"Size{conditions}x{statements}")
    first = Statement.objects.for_bank(bank).filter(condition__order=0)
    token, client = invitation.token, Client()
    counts = {}

    def count(name, method, view, *args, data=None, expect=200):
        path = reverse(view, args=[token, *args])
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path, data) if method == "post" else client.get(path)
        assert response.status_code == expect, (name, response.status_code)
        counts[name] = len(queries)

    count("start", "get", "respond_start")
    count("about you", "get", "respond_about")
    about = {"partner": partner.pk, "role_level": RoleLevel.MANAGER}
    count("about you, sent", "post", "respond_about", data=about, expect=302)
    count("questionnaire page", "get", "respond_page", 1)
    answers = {f"s{s.pk}": "4" for s in first} | {"action": "next", "comment": "Fine"}
    count("questionnaire page, saved", "post", "respond_page", 1, data=answers, expect=302)
    count("questionnaire page, refused", "post", "respond_page", 1, data={}, expect=400)
    count("spectrum page", "get", "respond_page", conditions + 1)
    spectrum = {"spectrum_choice": "strong", "action": "next"}
    count("spectrum page, saved", "post", "respond_page", conditions + 1, data=spectrum, expect=302)
    count("review", "get", "respond_review")
    count("submit, refused", "post", "respond_submit", expect=400)  # pages 2.. unanswered
    return counts


def test_each_respondent_page_costs_the_same_queries_however_big_the_bank(place_a):
    small = _journey_queries(place_a, conditions=2, statements=3)
    large = _journey_queries(place_a, conditions=6, statements=8)
    assert small == large
    # The link's lookup only: the start page read the bank's pages, which are kept.
    assert small["questionnaire page"] == 1
    assert small["spectrum page"] == 1


def test_a_published_banks_pages_are_read_once(client, invitation, partner):
    _started(invitation, partner)
    path = reverse("respond_page", args=[invitation.token, 1])
    with CaptureQueriesContext(connection) as first:
        assert client.get(path).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(path).status_code == 200
    assert len(first) == 2  # the link, then the bank's conditions and statements
    assert len(again) == 1  # the link only


def test_a_draft_banks_pages_are_read_every_time():
    bank = make_bank(n_conditions=2, n_statements=3, publish=False)
    with CaptureQueriesContext(connection) as queries:
        assert Questionnaire(bank).page_count == 3
        assert Questionnaire(bank).page_count == 3
    assert len(queries) == 2


def test_each_bank_has_its_own_pages(cycle):
    other = make_bank(n_conditions=3, n_statements=1)
    mine, theirs = Questionnaire(cycle.bank), Questionnaire(other)
    assert [c.bank_id for c in mine.conditions] == [cycle.bank.pk] * 2
    assert [c.bank_id for c in theirs.conditions] == [other.pk] * 3
    assert [len(mine.statements_for(c)) for c in mine.conditions] == [3, 3]


# --- What the page shows ---


def test_an_answer_never_offered_is_never_checked(client, invitation, partner, cycle):
    statements = list(Statement.objects.for_bank(cycle.bank).filter(condition__order=0))
    saved = {str(statements[0].pk): 9, str(statements[1].pk): None, str(statements[2].pk): 4}
    _started(invitation, partner, answers=saved)
    html = _page(client, invitation)
    assert html.count(" checked") == 2
    assert f'id="id_s{statements[1].pk}_5" value="dk" checked' in html
    assert f'id="id_s{statements[2].pk}_3" value="4" checked' in html


def test_the_questionnaire_page_escapes_what_people_typed(client, invitation, partner, cycle):
    place = cycle.place
    place.name = "<b>Ours</b> & co"
    place.save()
    condition = cycle.bank.conditions.first()
    comment = "</textarea><script>alert(1)</script>"
    _started(invitation, partner, comments={str(condition.pk): comment})
    html = _page(client, invitation)
    assert "&lt;b&gt;Ours&lt;/b&gt; &amp; co" in html
    assert "<script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html


def test_a_banks_wording_is_shown_as_written(client, partner, cycle):
    bank = make_bank(n_conditions=1, n_statements=1, publish=False)  # published ones cannot change
    Statement.objects.filter(condition__bank=bank).update(
        text="Partners’ “shared” café — naïve & <bold>", help_text="Ça va"
    )
    bank.publish()
    other_cycle = CycleFactory(place=cycle.place, bank=bank, status=CycleStatus.OPEN)
    other = _invite(other_cycle, partner, "Sam")
    _started(other, partner)
    html = _page(client, other)
    assert "&lt;bold&gt;" in html
    shown = unescape(html)
    assert "1. Partners’ “shared” café — naïve & <bold></legend>" in shown
    assert ">Ça va</p>" in shown
    assert "choose “Don’t know”." in shown and "Don’t know</label>" in shown


def test_a_question_with_an_error_points_to_it(client, invitation, partner, cycle):
    _started(invitation, partner)
    statements = list(Statement.objects.for_bank(cycle.bank).filter(condition__order=0))
    data = {f"s{statements[0].pk}": "5", "action": "next"}  # the others left unanswered
    response = client.post(reverse("respond_page", args=[invitation.token, 1]), data)
    html = response.content.decode()
    assert response.status_code == 400
    missing = f"s{statements[1].pk}"
    assert f'<fieldset id="q-{missing}" aria-describedby="{missing}-error">' in html
    assert f'id="{missing}-error">Please choose an answer' in html
    assert f'<fieldset id="q-s{statements[0].pk}">' in html  # answered: no error
    assert 'value="5" checked' in html


def test_help_text_and_error_are_both_described(client, invitation, partner, cycle):
    bank = make_bank(n_conditions=1, n_statements=1, publish=False)
    Statement.objects.filter(condition__bank=bank).update(help_text="Think of the last year.")
    bank.publish()
    other_cycle = CycleFactory(place=cycle.place, bank=bank, status=CycleStatus.OPEN)
    other = _invite(other_cycle, partner, "Sam")
    _started(other, partner)
    name = f"s{Statement.objects.for_bank(bank).get().pk}"
    path = reverse("respond_page", args=[other.token, 1])
    assert f'aria-describedby="{name}-help">' in client.get(path).content.decode()
    html = client.post(path, {"action": "next"}).content.decode()
    assert f'aria-describedby="{name}-help {name}-error">' in html


def _head_and_header(html: str) -> str:
    head = re.search(r"<head>(.*)</head>", html, re.S).group(1)
    head = re.sub(r"<title>.*</title>", "", head, flags=re.S)
    header = re.search(r"<header.*</header>", html, re.S).group(0)
    skip = re.search(r'<a class="visually-hidden-focusable skip-link"[^>]*>[^<]*</a>', html)
    return re.sub(r"\s+", " ", head + skip.group(0) + header).strip()


def test_respondent_pages_have_every_pages_head_and_header(client, invitation):
    respondent_page = client.get(reverse("respond_start", args=[invitation.token]))
    sign_in_page = client.get(reverse("login"))
    assert _head_and_header(respondent_page.content.decode()) == _head_and_header(
        sign_in_page.content.decode()
    )


def test_someone_signed_in_sees_no_account_navigation_on_a_respondent_page(
    client, facilitator_a, invitation
):
    client.force_login(facilitator_a)
    html = client.get(reverse("respond_start", args=[invitation.token])).content.decode()
    assert "Hello Robin" in html
    assert "Sign out" not in html


def test_a_name_missing_from_a_respondent_template_is_an_error_not_a_blank():
    with pytest.raises(UndefinedError, match="'no_such_name' is undefined"):
        engines["jinja2"].from_string("<p>{{ no_such_name }}</p>").render({})
