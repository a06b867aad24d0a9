"""The respondent's journey through Django's test client (DESIGN §4)."""

from __future__ import annotations

from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from assessments import services
from assessments.models import (
    Answer,
    Comment,
    CycleStatus,
    Delivery,
    DraftResponse,
    Invitation,
    Response,
    Statement,
)
from tests.factories import CycleFactory, PartnerFactory, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(place_a):
    bank = make_bank(n_conditions=2, n_statements=3)
    return CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN, min_group_size=4)


@pytest.fixture
def partners(cycle):
    return [
        PartnerFactory(place=cycle.place, name="Council", is_lead=True),
        PartnerFactory(place=cycle.place, name="Food Bank"),
    ]


@pytest.fixture
def invitation(cycle, partners):
    line = services.InviteeLine(name="Robin", email="robin@example.org", partner=partners[1])
    return services.create_invitations(cycle, [line])[0]


def url(name, invitation, *args):
    return reverse(name, args=[invitation.token, *args])


def statements(cycle, condition_order):
    return list(
        Statement.objects.filter(
            condition__bank=cycle.bank, condition__order=condition_order
        ).order_by("order")
    )


def page_data(cycle, condition_order, values, action="next", comment=""):
    data = {f"s{s.pk}": v for s, v in zip(statements(cycle, condition_order), values, strict=False)}
    data.update(action=action, comment=comment)
    return data


def fill_in(client, invitation, cycle, partner):
    client.post(url("respond_about", invitation), {"partner": partner.pk, "role_level": "manager"})
    client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "dk"]))
    client.post(
        url("respond_page", invitation, 2), page_data(cycle, 1, ["1", "2", "3"], comment="Hi")
    )
    client.post(url("respond_page", invitation, 3), {"spectrum_choice": "weak", "action": "next"})


def test_intro_states_purpose_time_confidentiality_and_k(client, invitation):
    html = client.get(url("respond_start", invitation)).content.decode()
    assert "10 to 15 minutes" in html
    assert "at least 4 people" in html  # the cycle's k, fixed when it opened
    assert "Nobody sees your individual answers" in html


def test_whole_journey_creates_one_detached_response(client, cycle, partners, invitation):
    fill_in(client, invitation, cycle, partners[1])
    review = client.get(url("respond_review", invitation))
    html = review.content.decode()
    assert "Strongly agree" in html and "Don’t know" in html and "Food Bank" in html
    assert "Before you can send" not in html
    done = client.post(url("respond_submit", invitation), follow=True)
    assert "Thank you" in done.content.decode()

    response = Response.objects.get()
    assert response.partner == partners[1]
    assert response.role_level == "manager"
    assert response.spectrum_choice == "weak"
    values = sorted(
        Answer.objects.filter(response=response).values_list("value", flat=True),
        key=lambda v: -1 if v is None else v,
    )
    assert values == [None, 1, 2, 3, 4, 5]
    assert list(Comment.objects.values_list("text", flat=True)) == ["Hi"]
    assert not DraftResponse.objects.exists()
    invitation.refresh_from_db()
    assert invitation.submitted


def test_progress_shows_page_n_of_m_and_radio_groups(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "volunteer"}
    )
    html = client.get(url("respond_page", invitation, 2)).content.decode()
    assert "Page 2 of 3" in html
    assert html.count("<fieldset") == 3
    assert html.count("<legend>") == 3
    assert html.count('value="dk"') == 3


def test_each_page_saved_server_side_and_link_resumes_in_a_new_browser(
    client, django_user_model, cycle, partners, invitation
):
    from django.test import Client

    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["2", "3"], action="later"))
    draft = DraftResponse.objects.get(invitation=invitation)
    assert len(draft.answers) == 2

    other_browser = Client()  # no cookies at all, days later
    start = other_browser.get(url("respond_start", invitation)).content.decode()
    assert "Carry on where you stopped" in start
    assert url("respond_page", invitation, 1) in start
    page = other_browser.get(url("respond_page", invitation, 1)).content.decode()
    first = statements(cycle, 0)[0]
    assert f'name="s{first.pk}" id="id_s{first.pk}_1" value="2" checked' in page


def test_double_submit_yields_one_response_and_a_friendly_page(client, cycle, partners, invitation):
    fill_in(client, invitation, cycle, partners[0])
    first = client.post(url("respond_submit", invitation))
    second = client.post(url("respond_submit", invitation), follow=True)
    assert first.status_code == 302
    assert second.status_code == 200
    assert "Thank you" in second.content.decode()
    assert Response.objects.count() == 1
    assert Answer.objects.count() == 6
    # Going back to a page after submitting lands on the thank-you page too.
    back = client.get(url("respond_page", invitation, 1), follow=True)
    assert "Thank you" in back.content.decode()


def test_after_submit_no_row_links_the_response_to_invitation_or_user(
    client, cycle, partners, invitation
):
    fill_in(client, invitation, cycle, partners[0])
    client.post(url("respond_submit", invitation))
    assert Response.objects.get().submitted_on is not None  # a date, not a timestamp
    invitation_table = Invitation._meta.db_table
    identifiers = {invitation.token, invitation.token_hash, invitation.token_salt, invitation.email}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            relations = connection.introspection.get_relations(cursor, table)
            pointing_at_invitations = [
                column
                for column, (_, target, *_) in relations.items()
                if target == invitation_table
            ]
            if pointing_at_invitations:
                # Only the draft table may point at an invitation, and the draft is gone; and
                # the emails to the person (deliveries), which point at nothing else.
                assert table in (DraftResponse._meta.db_table, Delivery._meta.db_table), table
                if table == DraftResponse._meta.db_table:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - introspected
                    assert cursor.fetchone()[0] == 0
                else:
                    targets = {target for _, target, *_ in relations.values()}
                    # (and the action an owner's reminder is about: never an invitation's)
                    allowed = {invitation_table, "assessments_cycle", "auth_user", "actions_action"}
                    assert targets <= allowed
            if table in (invitation_table, "django_session"):
                continue
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - introspected name
            for row in cursor.fetchall():
                assert not ({str(cell) for cell in row} & identifiers), table


def test_missing_answer_is_reported_with_other_answers_kept(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    response = client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4"]))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please choose an answer, or “Don’t know”" in unescape(html)  # as the browser shows it
    assert 'value="5" checked' in html and 'value="4" checked' in html
    assert DraftResponse.objects.get(invitation=invitation).answers == {}


@pytest.mark.parametrize("bad", ["0", "6", "abc", "4.5", ""])
def test_tampered_values_refused_and_nothing_saved(client, cycle, partners, invitation, bad):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    data = page_data(cycle, 0, ["5", "4", bad])
    response = client.post(url("respond_page", invitation, 1), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please choose" in html
    assert 'value="5" checked' in html
    assert DraftResponse.objects.get(invitation=invitation).answers == {}


def test_statement_from_another_condition_refused(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    data = page_data(cycle, 0, ["5", "4", "3"])
    data[f"s{statements(cycle, 1)[0].pk}"] = "1"
    response = client.post(url("respond_page", invitation, 1), data)
    assert response.status_code == 400
    assert "questions that are not on it" in response.content.decode()
    assert DraftResponse.objects.get(invitation=invitation).answers == {}


def test_statement_from_another_bank_refused(client, cycle, partners, invitation):
    other = make_bank(n_conditions=1, n_statements=1)
    foreign = Statement.objects.for_bank(other).get()
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    data = page_data(cycle, 0, ["5", "4", "3"])
    data[f"s{foreign.pk}"] = "2"
    response = client.post(url("respond_page", invitation, 1), data)
    assert response.status_code == 400
    assert DraftResponse.objects.get(invitation=invitation).answers == {}


def test_partner_from_another_place_refused(client, cycle, partners, invitation, place_b):
    stranger = PartnerFactory(place=place_b)
    response = client.post(
        url("respond_about", invitation), {"partner": stranger.pk, "role_level": "manager"}
    )
    assert response.status_code == 200
    assert "choose one of the organisations in the list" in response.content.decode()
    assert not DraftResponse.objects.filter(invitation=invitation).exists()


def test_tampered_role_level_refused(client, partners, invitation):
    response = client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "emperor"}
    )
    assert "Please choose one of the roles listed" in response.content.decode()
    assert not DraftResponse.objects.filter(invitation=invitation).exists()


def test_tampered_spectrum_choice_refused(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    response = client.post(url("respond_page", invitation, 3), {"spectrum_choice": "anarchy"})
    assert response.status_code == 400
    assert DraftResponse.objects.get(invitation=invitation).spectrum_choice == ""


def test_closed_cycle_keeps_typed_answers_and_saves_nothing(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    services.close_cycle(cycle)
    response = client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "3"]))
    html = response.content.decode()
    assert response.status_code == 403
    assert "has closed" in html and "Nothing was saved" in html
    assert 'value="5" checked' in html
    assert not DraftResponse.objects.exists()  # closing discards unsubmitted drafts


def test_not_yet_open_cycle_says_so(client, cycle, invitation):
    type(cycle).objects.filter(pk=cycle.pk).update(status=CycleStatus.DRAFT)
    html = client.get(url("respond_start", invitation)).content.decode()
    assert "has not opened yet" in html


def test_revoked_link_refused_with_answers_kept(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    services.revoke_invitation(invitation)
    response = client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "3"]))
    html = response.content.decode()
    assert "withdrawn" in html
    assert 'value="5" checked' in html
    assert client.post(url("respond_submit", invitation)).status_code == 403
    assert not Response.objects.exists()


def test_unknown_link_gets_a_clear_404(client):
    response = client.get(reverse("respond_start", args=["f" * 64]))
    assert response.status_code == 404
    assert "copied the whole link" in response.content.decode()


def test_incomplete_draft_cannot_be_submitted(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "3"]))
    response = client.post(url("respond_submit", invitation))
    assert response.status_code == 400
    html = response.content.decode()
    assert "3 statements still need an answer" in html
    assert "Please choose how partners work together" in html
    assert not Response.objects.exists()
    invitation.refresh_from_db()
    assert not invitation.submitted


def test_respondent_pages_send_no_referrer_and_no_store(client, invitation):
    response = client.get(url("respond_start", invitation))
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]


def test_answers_survive_without_csrf_cookie(cycle, partners, invitation):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    response = strict.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "3"]))
    assert response.status_code == 302
    assert len(DraftResponse.objects.get(invitation=invitation).answers) == 3


def test_back_and_later_save_partial_answers(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    back = client.post(
        url("respond_page", invitation, 1), page_data(cycle, 0, ["1"], action="back")
    )
    assert back["Location"] == url("respond_about", invitation)
    later = client.post(
        url("respond_page", invitation, 2), page_data(cycle, 1, ["2"], action="later")
    )
    assert "Your answers are saved" in later.content.decode()
    draft = DraftResponse.objects.get(invitation=invitation)
    assert sorted(draft.answers.values()) == [1, 2]
    assert draft.step == 2


def test_request_logs_never_hold_the_link_token(client, caplog, cycle, partners, invitation):
    services.revoke_invitation(invitation)
    with caplog.at_level("INFO"):
        client.get(url("respond_start", invitation))
        client.post(url("respond_submit", invitation))
    assert caplog.records, "a refused request is logged"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert invitation.token not in logged
    assert "/r/[link]" in logged


def test_unknown_button_value_is_treated_as_continue(client, cycle, partners, invitation):
    client.post(
        url("respond_about", invitation), {"partner": partners[0].pk, "role_level": "manager"}
    )
    response = client.post(
        url("respond_page", invitation, 1), page_data(cycle, 0, ["5"], "explode")
    )
    assert response.status_code == 400
    assert "Please choose an answer" in response.content.decode()
    ok = client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["5", "4", "3"], "x"))
    assert ok.status_code == 302
    assert DraftResponse.objects.get(invitation=invitation).step == 2


def test_saving_a_page_after_submit_in_another_tab_lands_on_thanks(
    client, cycle, partners, invitation
):
    fill_in(client, invitation, cycle, partners[0])
    stale_draft = DraftResponse.objects.get(invitation=invitation)
    client.post(url("respond_submit", invitation))
    # The other tab's save reached the page view before the submit finished; simulate by
    # saving against the draft the view had already read.
    from assessments.respond.views import save_page

    assert save_page(stale_draft, None, 3, "next") is False
    response = client.post(url("respond_page", invitation, 1), page_data(cycle, 0, ["1", "1", "1"]))
    assert response.status_code == 302
    assert Response.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # each request commits on its own, as in real use
def test_closing_rewrites_submissions_so_row_order_and_ids_say_nothing(
    client, cycle, partners, invitation
):
    fill_in(client, invitation, cycle, partners[1])
    client.post(url("respond_submit", invitation))
    before = Response.objects.get()
    answers_before = set(Answer.objects.values_list("pk", flat=True))
    services.close_cycle(cycle)
    after = Response.objects.get()
    assert after.pk != before.pk  # a fresh random id
    assert not answers_before & set(Answer.objects.values_list("pk", flat=True))
    # The content is unchanged.
    assert (after.partner_id, after.role_level, after.spectrum_choice) == (
        before.partner_id,
        before.role_level,
        before.spectrum_choice,
    )
    assert Answer.objects.filter(response=after).count() == 6
    assert list(Comment.objects.values_list("text", flat=True)) == ["Hi"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM assessments_invitation WHERE cycle_id = %s",
                [cycle.pk],
            )
            invitation_stamps = {row[0] for row in cursor.fetchall()}
            cursor.execute(
                "SELECT DISTINCT xmin::text FROM assessments_response WHERE cycle_id = %s",
                [cycle.pk],
            )
            response_stamps = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT DISTINCT xmin::text FROM assessments_answer")
            answer_stamps = {row[0] for row in cursor.fetchall()}
        # One transaction wrote them all: the stamp pairs nobody with anything.
        assert invitation_stamps == response_stamps == answer_stamps
        assert len(response_stamps) == 1
