"""Every check of `services.draft_problems`, reached the way a respondent reaches it: the review
page and the submit button. Each refused submit says why, in full, keeps the draft as it was, and
leaves no response and no claimed invitation behind. And the races between two tabs of one link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments import services
from assessments.models import (
    Answer,
    Comment,
    CycleStatus,
    DraftResponse,
    Invitation,
    Response,
    Statement,
)
from assessments.respond import views as respond_views
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db

REFUSED_HEADING = "Before you can send your answers:"


@pytest.fixture
def cycle(place_a):
    bank = make_bank(n_conditions=2, n_statements=3)
    return CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN, min_group_size=4)


@pytest.fixture
def partner(cycle):
    return PartnerFactory(place=cycle.place, name="Food Bank")


@pytest.fixture
def invitation(cycle, partner):
    line = services.InviteeLine(name="Robin", email="robin@example.org", partner=partner)
    return services.create_invitations(cycle, [line])[0]


def url(name, invitation, *args):
    return reverse(name, args=[invitation.token, *args])


def statement_ids(cycle) -> list[int]:
    return list(
        Statement.objects.for_bank(cycle.bank)
        .order_by("condition__order", "order")
        .values_list("pk", flat=True)
    )


def complete_draft(invitation, as_partner, **changes) -> DraftResponse:
    """A draft as the pages leave it when everything is answered, with `changes` made to it."""
    fields = {
        "partner": as_partner,
        "role_level": "manager",
        "spectrum_choice": "strong",
        "answers": {str(pk): 4 for pk in statement_ids(invitation.cycle)},
        "step": 4,
        **changes,
    }
    return DraftResponse.objects.create(invitation=invitation, **fields)


def problems_shown(html: str) -> list[str]:
    """The items of the review page's list of what is missing."""
    start = html.index(REFUSED_HEADING)
    items = html[start : html.index("</ul>", start)].split("<li>")[1:]
    return [item.split("</li>")[0] for item in items]


def assert_nothing_submitted(invitation, draft_before: DraftResponse | None):
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not Comment.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).submitted is False
    if draft_before is None:
        assert not DraftResponse.objects.filter(invitation=invitation).exists()
    else:
        draft = DraftResponse.objects.get(invitation=invitation)
        assert (draft.partner_id, draft.role_level, draft.spectrum_choice, draft.answers) == (
            draft_before.partner_id,
            draft_before.role_level,
            draft_before.spectrum_choice,
            draft_before.answers,
        )


def test_a_complete_draft_submits_from_the_review_page(client, invitation, partner):
    complete_draft(invitation, partner)
    review = client.get(url("respond_review", invitation))
    assert REFUSED_HEADING not in review.content.decode()
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 302
    assert response["Location"] == url("respond_start", invitation)
    assert Response.objects.get().partner == partner
    assert Answer.objects.count() == 6
    assert not DraftResponse.objects.exists()


def test_submitting_without_a_draft_asks_for_answers(client, invitation):
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 403
    assert "Please answer the questions before submitting." in response.content.decode()
    assert_nothing_submitted(invitation, None)


@pytest.mark.parametrize(
    "changes",
    [{"partner": None}, {"role_level": ""}, {"partner": None, "role_level": ""}],
    ids=["no organisation", "no role", "neither"],
)
def test_submitting_without_organisation_or_role_asks_for_them(
    client, invitation, partner, changes
):
    draft = complete_draft(invitation, partner, **changes)
    response = client.post(url("respond_submit", invitation))
    if draft.partner_id is None:
        # The review names the organisation chosen: with none, the about-you page asks for it.
        assert response.status_code == 302
        assert response["Location"] == url("respond_about", invitation)
        assert client.get(url("respond_review", invitation))["Location"] == response["Location"]
    else:
        assert response.status_code == 400
        assert problems_shown(response.content.decode()) == [
            "Please confirm your organisation and your role."
        ]
    assert_nothing_submitted(invitation, draft)


def test_submitting_as_another_places_partner_is_refused(client, invitation, place_b):
    elsewhere = PartnerFactory(place=place_b, name="Brampton Trust")
    draft = complete_draft(invitation, elsewhere)
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    assert problems_shown(response.content.decode()) == [
        "Please choose one of this place&#39;s partner organisations."
    ]
    assert_nothing_submitted(invitation, draft)


def test_answers_to_statements_of_another_bank_are_refused(client, cycle, invitation, partner):
    other_bank_statement = Statement.objects.for_bank(make_bank(n_conditions=1)).first()
    answers = {str(pk): 4 for pk in statement_ids(cycle)}
    answers[str(other_bank_statement.pk)] = 2
    draft = complete_draft(invitation, partner, answers=answers)
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    assert problems_shown(response.content.decode()) == [
        "Some answers do not belong to this health check."
    ]
    assert_nothing_submitted(invitation, draft)


@pytest.mark.parametrize(
    ("unanswered", "message"),
    [
        (1, "1 statement still needs an answer."),
        (2, "2 statements still need an answer."),
        (6, "6 statements still need an answer."),
    ],
)
def test_unanswered_statements_are_counted(client, cycle, invitation, partner, unanswered, message):
    ids = statement_ids(cycle)
    answers = {str(pk): 4 for pk in ids[unanswered:]}
    draft = complete_draft(invitation, partner, answers=answers)
    review = client.get(url("respond_review", invitation))
    assert problems_shown(review.content.decode()) == [message]
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    assert problems_shown(response.content.decode()) == [message]
    assert_nothing_submitted(invitation, draft)


def test_a_dont_know_is_an_answer(client, cycle, invitation, partner):
    complete_draft(invitation, partner, answers={str(pk): None for pk in statement_ids(cycle)})
    assert client.post(url("respond_submit", invitation)).status_code == 302
    assert list(Answer.objects.values_list("value", flat=True)) == [None] * 6


def test_submitting_without_the_spectrum_answer_asks_for_it(client, invitation, partner):
    draft = complete_draft(invitation, partner, spectrum_choice="")
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    assert problems_shown(response.content.decode()) == [
        "Please choose how partners work together."
    ]
    assert_nothing_submitted(invitation, draft)


def test_every_problem_is_named_at_once_in_order(client, cycle, invitation, partner, place_b):
    ids = statement_ids(cycle)
    stray = Statement.objects.for_bank(make_bank(n_conditions=1)).first()
    answers = {str(ids[0]): 3, str(stray.pk): 3}
    elsewhere = PartnerFactory(place=place_b)
    draft = complete_draft(invitation, elsewhere, answers=answers, spectrum_choice="")
    review = client.get(url("respond_review", invitation))
    expected = [
        "Please choose one of this place&#39;s partner organisations.",
        "Some answers do not belong to this health check.",
        "5 statements still need an answer.",
        "Please choose how partners work together.",
    ]
    assert problems_shown(review.content.decode()) == expected
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    # The refusal repeats them, in the same order, as one message.
    assert problems_shown(response.content.decode()) == [" ".join(expected)]
    assert_nothing_submitted(invitation, draft)


# --- Two tabs of one link -----------------------------------------------------------------------


def test_an_answer_saved_in_another_tab_after_the_review_counts_at_submit(
    client, cycle, invitation, partner
):
    ids = statement_ids(cycle)
    complete_draft(invitation, partner, answers={str(pk): 4 for pk in ids[:-1]})
    review = client.get(url("respond_review", invitation)).content.decode()
    assert problems_shown(review) == ["1 statement still needs an answer."]
    # The other tab answers the last statement of page 2 and saves it for later.
    other_tab = client.post(
        url("respond_page", invitation, 2),
        {**{f"s{pk}": "4" for pk in ids[3:5]}, f"s{ids[5]}": "2", "action": "later"},
    )
    assert other_tab.status_code == 200
    # This tab's review is stale, but the submit checks the draft as it is now.
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 302
    assert sorted(Answer.objects.values_list("value", flat=True)) == [2, 4, 4, 4, 4, 4]


def test_a_page_saved_while_another_tab_submits_lands_on_thanks_and_changes_nothing(
    client, cycle, invitation, partner, monkeypatch
):
    complete_draft(invitation, partner)
    real_save_page = respond_views.save_page

    def other_tab_submits_first(draft, form, number, action):
        # The other tab's submit commits after this request read the draft, before it saves.
        assert services.submit_response(Invitation.objects.get(pk=invitation.pk)) is True
        return real_save_page(draft, form, number, action)

    monkeypatch.setattr(respond_views, "save_page", other_tab_submits_first)
    data = {f"s{pk}": "1" for pk in statement_ids(cycle)[:3]}
    response = client.post(url("respond_page", invitation, 1), {**data, "action": "next"})
    assert response.status_code == 302
    assert response["Location"] == url("respond_start", invitation)
    assert "Thank you" in client.get(response["Location"]).content.decode()
    # The submitted answers are the ones the other tab sent, not this page's 1s.
    assert list(Answer.objects.values_list("value", flat=True).distinct()) == [4]
    assert Response.objects.count() == 1
    assert not DraftResponse.objects.exists()


def test_a_submit_from_the_second_tab_after_the_first_lands_on_thanks(client, invitation, partner):
    complete_draft(invitation, partner)
    assert client.post(url("respond_submit", invitation)).status_code == 302
    again = client.post(url("respond_submit", invitation))
    assert again.status_code == 302
    assert again["Location"] == url("respond_start", invitation)
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 6
    # And the other tab's about-you form and review page go to the thank-you page too.
    about = client.post(url("respond_about", invitation), {"partner": partner.pk})
    assert about["Location"] == url("respond_start", invitation)
    assert client.get(url("respond_review", invitation))["Location"] == url(
        "respond_start", invitation
    )
    assert not DraftResponse.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("close", "This health check has closed, so answers can no longer be added."),
        ("revoke", "This link has been withdrawn by the facilitator. Ask them for a new one."),
    ],
)
def test_a_submit_after_the_round_closed_or_the_link_was_withdrawn_is_refused(
    client, cycle, invitation, partner, change, message
):
    complete_draft(invitation, partner)
    if change == "close":
        services.close_cycle(cycle)
    else:
        services.revoke_invitation(invitation)
    response = client.post(url("respond_submit", invitation))
    # Closing and withdrawing discard the draft: the page says why the link cannot be used.
    assert response.status_code == 403
    assert message in response.content.decode()
    assert not DraftResponse.objects.filter(invitation=invitation).exists()
    assert not Response.objects.exists()
    assert Invitation.objects.get(pk=invitation.pk).submitted is False
