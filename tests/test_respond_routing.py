"""Routed statements in the respondent's journey (issue 20, DESIGN §5): the About-you page asks
about partnership meetings once; people who are not in them never see routed statements; changing
the answer part-way removes routed answers only after a warning; the submitted response keeps
the answer, and the "where we need to be" question."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import Answer, CycleStatus, DraftResponse, Response, Statement
from tests.factories import CycleFactory, PartnerFactory, make_bank, make_routed_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(place_a):
    bank = make_routed_bank(n_everyone=4, n_routed=2)
    return CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN)


@pytest.fixture
def partner(cycle):
    return PartnerFactory(place=cycle.place, name="Food Bank")


@pytest.fixture
def invitation(cycle, partner):
    line = services.InviteeLine(name="Robin", email="robin@example.org", partner=partner)
    return services.create_invitations(cycle, [line])[0]


def url(name, invitation, *args):
    return reverse(name, args=[invitation.token, *args])


def about(client, invitation, partner, meetings, **extra):
    data = {"partner": partner.pk, "role_level": "volunteer", "in_meetings": meetings, **extra}
    return client.post(url("respond_about", invitation), data)


def page_statements(cycle, order):
    return list(
        Statement.objects.filter(condition__bank=cycle.bank, condition__order=order).order_by(
            "order"
        )
    )


def answer_page(client, invitation, cycle, order, *, routed=True):
    data = {f"s{s.pk}": "4" for s in page_statements(cycle, order) if routed or not s.routed} | {
        "action": "next"
    }
    return client.post(url("respond_page", invitation, order + 1), data)


def test_about_you_asks_the_meetings_question_once_and_only_for_a_routed_bank(
    client, invitation, place_a
):
    html = client.get(url("respond_about", invitation)).content.decode()
    assert html.count("take part in the partnership") == 1
    plain = CycleFactory(place=place_a, bank=make_bank(), status=CycleStatus.OPEN)
    line = services.InviteeLine(name="Sam", email="sam@example.org", partner=invitation.partner)
    other = services.create_invitations(plain, [line])[0]
    assert (
        "take part in the partnership"
        not in client.get(url("respond_about", other)).content.decode()
    )


def test_meetings_answer_is_required(client, invitation, partner):
    response = about(client, invitation, partner, "")
    assert response.status_code == 200
    assert "Please say whether you take part" in response.content.decode()
    assert not DraftResponse.objects.filter(in_meetings__isnull=False).exists()


def test_people_not_in_meetings_never_see_routed_statements(client, cycle, invitation, partner):
    about(client, invitation, partner, "no")
    html = client.get(url("respond_page", invitation, 1)).content.decode()
    for statement in page_statements(cycle, 0):
        assert (f'name="s{statement.pk}"' in html) is not statement.routed
    assert html.count("<legend>") == 4
    # Sending a routed statement's answer anyway is refused and saves nothing.
    routed = next(s for s in page_statements(cycle, 0) if s.routed)
    data = {f"s{s.pk}": "4" for s in page_statements(cycle, 0)} | {"action": "next"}
    refused = client.post(url("respond_page", invitation, 1), data)
    assert refused.status_code == 400
    assert str(routed.pk) not in DraftResponse.objects.get().answers


def test_people_in_meetings_see_every_statement(client, cycle, invitation, partner):
    about(client, invitation, partner, "yes")
    html = client.get(url("respond_page", invitation, 1)).content.decode()
    assert html.count("<legend>") == 6


def _finish(client, invitation, cycle, *, routed):
    answer_page(client, invitation, cycle, 0, routed=routed)
    answer_page(client, invitation, cycle, 1, routed=routed)
    data = {"spectrum_choice": "weak", "spectrum_target": "strong", "action": "next"}
    return client.post(url("respond_page", invitation, 3), data)


def test_submitted_response_keeps_the_meetings_answer_and_where_we_need_to_be(
    client, cycle, invitation, partner
):
    about(client, invitation, partner, "no")
    _finish(client, invitation, cycle, routed=False)
    review = client.get(url("respond_review", invitation)).content.decode()
    assert "Before you can send" not in review
    assert "Which do we need?" in review
    client.post(url("respond_submit", invitation))
    response = Response.objects.get()
    assert response.in_meetings is False
    assert response.spectrum_target == "strong"
    assert Answer.objects.filter(response=response).count() == 8
    assert not Answer.objects.filter(statement__routed=True).exists()


def test_where_we_need_to_be_is_required(client, cycle, invitation, partner):
    about(client, invitation, partner, "yes")
    answer_page(client, invitation, cycle, 0)
    answer_page(client, invitation, cycle, 1)
    sent = client.post(url("respond_page", invitation, 3), {"spectrum_choice": "weak"})
    assert sent.status_code == 400
    assert "how partners need to work" in sent.content.decode()


def test_changing_to_not_in_meetings_warns_before_discarding_routed_answers(
    client, cycle, invitation, partner
):
    about(client, invitation, partner, "yes")
    answer_page(client, invitation, cycle, 0)
    saved = dict(DraftResponse.objects.get().answers)
    assert len(saved) == 6

    warned = about(client, invitation, partner, "no")
    html = warned.content.decode()
    assert warned.status_code == 200 and 'id="discard-warning"' in html
    assert "answered 2 questions" in html
    draft = DraftResponse.objects.get()
    assert draft.answers == saved and draft.in_meetings is True  # nothing lost yet

    # Saving again without choosing to remove them still removes nothing.
    about(client, invitation, partner, "no")
    assert DraftResponse.objects.get().answers == saved

    done = about(client, invitation, partner, "no", discard="yes")
    assert done.status_code == 302
    draft = DraftResponse.objects.get()
    assert draft.in_meetings is False
    routed = {str(s.pk) for s in page_statements(cycle, 0) if s.routed}
    assert set(draft.answers) == set(saved) - routed


def test_changing_to_in_meetings_keeps_everything_and_asks_the_routed_ones(
    client, cycle, invitation, partner
):
    about(client, invitation, partner, "no")
    _finish(client, invitation, cycle, routed=False)
    assert about(client, invitation, partner, "yes").status_code == 302
    review = client.get(url("respond_review", invitation)).content.decode()
    assert "4 statements still need an answer" in review
    assert len(DraftResponse.objects.get().answers) == 8
