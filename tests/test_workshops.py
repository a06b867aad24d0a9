"""The OPERA workshop: who may run it and see it, its steps, and what must never happen (a
writer named without asking, a vote over the budget, a step done out of order, a tampered POST
that changes something, an expired code that still works)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from assessments import services as cycle_services
from places.models import Role, Sector
from tests.factories import (
    MembershipFactory,
    PartnerFactory,
    UserFactory,
    add_responses,
    make_keyed_bank,
    open_cycle_for,
)
from workshops import services, throttle
from workshops.access import EXPIRED_CODE, UNKNOWN_CODE
from workshops.models import Idea, JoinAttempt, Participant, Step, Vote, Workshop

SIX = ("relationships", "vision", "principles", "behaviours", "infrastructure", "leadership")


def _answers(statement, i):
    # Each condition scores differently; "leadership" is the weakest, "vision" divided.
    if statement.condition.key == "leadership":
        return 2
    if statement.condition.key == "vision":
        return 1 if i % 2 else 5
    return 4


@pytest.fixture
def partners(place_a, partner_a):
    return [
        partner_a,
        PartnerFactory(place=place_a, name="Ashford NHS Trust", sector=Sector.NHS),
        PartnerFactory(place=place_a, name="Ashford Youth", sector=Sector.VOLUNTARY),
    ]


@pytest.fixture
def released(place_a, partners):
    bank = make_keyed_bank(SIX, n_statements=3, publish=False)
    bank.conditions.filter(key="leadership").update(guidance="Share the chair.")
    bank.publish()
    cycle = open_cycle_for(place_a, bank)
    for partner in partners:
        add_responses(cycle, partner, count=4, values=_answers)
    cycle_services.close_cycle(cycle)
    cycle_services.release_cycle(cycle)
    cycle.refresh_from_db()
    return cycle


@pytest.fixture
def workshop(released, facilitator_a):
    bank = released.bank
    return services.start_workshop(
        released,
        facilitator_a,
        conditions=[bank.conditions.get(key="leadership")],
        statements=[],
        votes_per_participant=2,
        weight_partners_equally=False,
    )


def phone_join(workshop, name="", partner=None) -> Client:
    client = Client()
    data = {"display_name": name, "partner": partner.pk if partner else ""}
    response = client.post(reverse("workshop_join", args=[workshop.code]), data)
    assert response.status_code == 302, response.content
    return client


def facilitator_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def move(workshop, *steps):
    for step in steps:
        workshop.refresh_from_db()
        services.move_to(workshop, step, expected=workshop.step)
    workshop.refresh_from_db()


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


# --- Starting: access and focus suggestions -----------------------------------------------


def test_start_page_suggests_weakest_and_divided_topics(released, facilitator_a):
    client = facilitator_client(facilitator_a)
    url = reverse("workshop_start", args=["ashford", released.pk])
    page = text_of(client.get(url))
    assert "Condition leadership (one of the lowest scores: 25)" in page
    assert "Condition vision" in page and "differently" in page
    response = client.post(
        url,
        {"topics": ["condition:leadership", "condition:vision"], "votes_per_participant": 3},
    )
    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_detail", args=["ashford", workshop.pk])
    assert sorted(workshop.focus_conditions.values_list("key", flat=True)) == [
        "leadership",
        "vision",
    ]
    assert workshop.step == Step.JOIN and len(workshop.code) == 6


def test_start_needs_one_to_three_topics_of_this_bank(released, facilitator_a):
    client = facilitator_client(facilitator_a)
    url = reverse("workshop_start", args=["ashford", released.pk])
    four = ["condition:leadership", "condition:vision", "condition:principles", "condition:c9"]
    for topics in ([], four[:3] + ["condition:behaviours"], ["condition:not-in-bank"]):
        response = client.post(url, {"topics": topics, "votes_per_participant": 3})
        assert response.status_code == 200
        assert "Choose" in text_of(response)
    assert not Workshop.objects.exists()


def test_only_the_places_facilitators_run_a_workshop(
    released, workshop, member_a, facilitator_b, outsider
):
    start = reverse("workshop_start", args=["ashford", released.pk])
    detail = reverse("workshop_detail", args=["ashford", workshop.pk])
    step = reverse("workshop_step", args=["ashford", workshop.pk])
    post = {"current": "join", "step": "own"}
    assert facilitator_client(member_a).get(start).status_code == 403
    assert facilitator_client(member_a).get(detail).status_code == 403
    assert facilitator_client(member_a).post(step, post).status_code == 403
    for user in (facilitator_b, outsider):
        assert facilitator_client(user).get(start).status_code == 404
        assert facilitator_client(user).get(detail).status_code == 404
        assert facilitator_client(user).post(step, post).status_code == 404
    # Facilitator B reaching A's workshop through B's own place: still not found.
    other = reverse("workshop_detail", args=["brampton", workshop.pk])
    assert facilitator_client(facilitator_b).get(other).status_code == 404
    assert Client().get(detail).status_code == 302  # to sign in
    workshop.refresh_from_db()
    assert workshop.step == Step.JOIN


def test_workshop_needs_a_released_round(place_a, facilitator_a):
    cycle = open_cycle_for(place_a)
    client = facilitator_client(facilitator_a)
    assert client.get(reverse("workshop_start", args=["ashford", cycle.pk])).status_code == 404


def test_dashboard_links_facilitators_to_the_workshop(released, facilitator_a, member_a):
    url = reverse("dashboard", args=["ashford", released.pk])
    start = reverse("workshop_start", args=["ashford", released.pk])
    assert start in facilitator_client(facilitator_a).get(url).content.decode()
    assert start not in facilitator_client(member_a).get(url).content.decode()


def test_projector_and_phones_show_the_banks_guidance_on_the_focus(workshop, facilitator_a):
    page = facilitator_client(facilitator_a).get(
        reverse("workshop_detail", args=["ashford", workshop.pk])
    )
    assert "What tends to help: Share the chair." in text_of(page)
    phone = phone_join(workshop, "Sam")
    page = phone.get(reverse("workshop_phone", args=[workshop.code]))
    assert "What tends to help: Share the chair." in text_of(page)


def test_projector_shows_code_and_qr_svg_without_script(workshop, facilitator_a):
    page = facilitator_client(facilitator_a).get(
        reverse("workshop_detail", args=["ashford", workshop.pk])
    )
    html = page.content.decode()
    assert workshop.code in html
    assert '<svg aria-hidden="true"' in html and "<path" in html
    assert "<script>" not in html and " style=" not in html
    assert 'name="htmx-config"' in html and '"allowEval": false' in html
    assert "django_htmx/htmx-2.min.js" in html


# --- Joining ---------------------------------------------------------------------------------


def test_join_with_code_no_account(workshop, partners):
    client = Client()
    response = client.post(reverse("workshop_enter_code"), {"code": workshop.code.lower()})
    assert response["Location"] == reverse("workshop_phone", args=[workshop.code])
    page = client.get(response["Location"])
    assert "Join the workshop" in page.content.decode()
    client.post(
        reverse("workshop_join", args=[workshop.code]),
        {"display_name": "Sam", "partner": partners[1].pk},
    )
    participant = Participant.objects.get()
    assert (participant.display_name, participant.partner, participant.number) == (
        "Sam",
        partners[1],
        1,
    )
    assert "You are Sam, from Ashford NHS Trust" in text_of(client.get(response["Location"]))
    # One device, one participant: joining again from this phone adds nobody.
    client.post(reverse("workshop_join", args=[workshop.code]), {"display_name": "Other"})
    assert Participant.objects.count() == 1


def test_unknown_and_expired_codes_get_a_clear_message(workshop):
    client = Client()
    response = client.post(reverse("workshop_enter_code"), {"code": "ZZZZZZ"})
    assert response.status_code == 400 and UNKNOWN_CODE in text_of(response)
    phone = phone_join(workshop)
    Workshop.objects.filter(pk=workshop.pk).update(expires_at=timezone.now() - dt.timedelta(1))
    response = client.post(reverse("workshop_enter_code"), {"code": workshop.code})
    assert response.status_code == 400 and EXPIRED_CODE in text_of(response)
    # A phone that had joined: its page, its panel and its writes all stop.
    assert EXPIRED_CODE in text_of(phone.get(reverse("workshop_phone", args=[workshop.code])))
    assert "has ended" in text_of(phone.get(reverse("workshop_panel", args=[workshop.code])))
    response = phone.post(
        reverse("workshop_idea_add", args=[workshop.code]), {"step": "join", "text": "Late"}
    )
    assert response.status_code == 404 and not Idea.objects.exists()


def test_ending_the_workshop_expires_its_code(workshop):
    move(workshop, Step.OWN, Step.PAIR, Step.EXPLAIN, Step.RANK, Step.ARRANGE, Step.ENDED)
    response = Client().post(reverse("workshop_enter_code"), {"code": workshop.code})
    assert EXPIRED_CODE in text_of(response)
    response = Client().post(reverse("workshop_join", args=[workshop.code]), {"display_name": "x"})
    assert response.status_code == 404 and not Participant.objects.exists()


def test_joining_is_rate_limited_by_wrong_codes(workshop):
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        client.post(reverse("workshop_enter_code"), {"code": "WRONG1"})
    assert JoinAttempt.objects.count() == throttle.MAX_FAILURES
    # Now even the right code is refused from this address, until the cool-off has passed.
    response = client.post(reverse("workshop_enter_code"), {"code": workshop.code})
    assert throttle.TOO_MANY in text_of(response)
    assert client.get(reverse("workshop_phone", args=[workshop.code])).status_code == 404
    JoinAttempt.objects.update(attempted_at=timezone.now() - throttle.COOL_OFF)
    response = client.post(reverse("workshop_enter_code"), {"code": workshop.code})
    assert response.status_code == 302


def test_guessing_codes_in_the_address_counts_too(workshop):
    client = Client()
    for n in range(throttle.MAX_FAILURES):
        client.get(reverse("workshop_phone", args=[f"ABC{n:03d}"]))
    assert client.get(reverse("workshop_phone", args=[workshop.code])).status_code == 404


# --- The steps -------------------------------------------------------------------------------


def add(phone, workshop, text, step=None, signed=False):
    data = {"step": step or workshop.step, "text": text}
    if signed:
        data["signed"] = "on"
    return phone.post(reverse("workshop_idea_add", args=[workshop.code]), data)


def test_own_ideas_are_private_and_anonymous(workshop, partners):
    workshop_sam = phone_join(workshop, "Sam", partners[0])
    alex = phone_join(workshop, "Alex", partners[1])
    move(workshop, Step.OWN)
    add(workshop_sam, workshop, "Rotate who chairs the meetings")
    add(workshop_sam, workshop, "Fund small groups directly", signed=True)
    phone_url = reverse("workshop_phone", args=[workshop.code])
    sams = plain(text_of(workshop_sam.get(phone_url)))
    assert "Rotate who chairs" in sams and "Fund small groups directly — Sam" in sams
    assert "Rotate who chairs" not in text_of(alex.get(phone_url))
    assert Idea.objects.get(text__startswith="Rotate").signed_name == ""


def test_step_out_of_order_is_refused_and_keeps_the_text(workshop, partners):
    phone = phone_join(workshop, "Sam", partners[0])
    phone_join(workshop, "Alex", partners[1])
    move(workshop, Step.OWN, Step.PAIR)
    response = add(phone, workshop, "An idea typed during Own", step=Step.OWN)
    assert response.status_code == 409
    page = text_of(response)
    assert "moved to the Pair step" in page and "was not done" in page
    # The text is back in the form of the step now current, ready to add with the partner.
    assert "An idea typed during Own</textarea>" in page
    assert not Idea.objects.exists()
    # A vote before the Rank step: refused, nothing stored.
    idea = Idea.objects.create(workshop=workshop, text="x")
    response = phone.post(reverse("workshop_vote", args=[workshop.code]), {"idea": idea.pk})
    assert response.status_code == 409 and not Vote.objects.exists()
    # The facilitator's screen one step behind (another screen moved on): nothing changes.
    client = facilitator_client(workshop.created_by)
    step_url = reverse("workshop_step", args=["ashford", workshop.pk])
    response = client.post(step_url, {"current": "own", "step": "pair"}, follow=True)
    assert "nothing was changed" in text_of(response)
    workshop.refresh_from_db()
    assert workshop.step == Step.PAIR and workshop.groups.count() == 1
    # Skipping a step is refused too.
    client.post(step_url, {"current": "pair", "step": "rank"})
    workshop.refresh_from_db()
    assert workshop.step == Step.PAIR


def test_pairs_are_made_across_organisations(workshop, partners):
    council, trust, youth = partners
    phones = [phone_join(workshop, f"C{i}", council) for i in range(3)]
    phones += [phone_join(workshop, "T", trust), phone_join(workshop, "Y", youth)]
    phones.append(phone_join(workshop, "", None))
    move(workshop, Step.OWN)
    add(phones[0], workshop, "Council idea")
    add(phones[3], workshop, "Trust idea")
    move(workshop, Step.PAIR)
    groups = list(workshop.groups.prefetch_related("members"))
    assert len(groups) == 3
    for group in groups:
        orgs = [m.partner_id for m in group.members.all() if m.partner_id]
        assert len(orgs) == len(set(orgs)), group  # nobody meets their own organisation
    # Each idea went to its writer's pair; the pair's phones both show it.
    for idea in Idea.objects.all():
        assert idea.group == idea.writer.group
    council_pair = Participant.objects.get(display_name="C0").group
    partner_name = next(m.label for m in council_pair.members.all() if m.display_name != "C0")
    page = text_of(phones[0].get(reverse("workshop_phone", args=[workshop.code])))
    assert f"Your partner: <strong>{partner_name}" in page and "Council idea" in page


def test_pair_step_merges_ideas_and_a_tampered_drop_changes_nothing(workshop, partners):
    sam = phone_join(workshop, "Sam", partners[0])
    alex = phone_join(workshop, "Alex", partners[1])
    other = [phone_join(workshop, n, partners[2]) for n in ("Jo", "Kim")]
    move(workshop, Step.OWN)
    add(sam, workshop, "Meet in community venues")
    add(alex, workshop, "Meet in community venues, not the town hall")
    add(other[0], workshop, "Someone else's idea")
    move(workshop, Step.PAIR)
    sam_p = Participant.objects.get(display_name="Sam")
    mine = Idea.objects.filter(group=sam_p.group)
    theirs = Idea.objects.exclude(group=sam_p.group).get()
    drop = reverse("workshop_idea_drop", args=[workshop.code])
    response = sam.post(drop, {"step": "pair", "idea": theirs.pk})
    assert response.status_code == 409
    theirs.refresh_from_db()
    assert not theirs.dropped
    repeat = mine.get(text="Meet in community venues")
    sam.post(drop, {"step": "pair", "idea": repeat.pk})
    repeat.refresh_from_db()
    assert repeat.dropped
    add(sam, workshop, "Joint: rotate venues each quarter")
    assert Idea.objects.get(text__startswith="Joint").group == sam_p.group


def test_polling_redraws_only_when_something_changed(workshop, partners):
    phone = phone_join(workshop, "Sam", partners[0])
    phone_join(workshop, "Alex", partners[1])
    sam = Participant.objects.get(display_name="Sam")
    panel = reverse("workshop_panel", args=[workshop.code])

    def state():
        workshop.refresh_from_db()
        sam.refresh_from_db()
        from workshops.board import phone_state

        return phone_state(workshop, sam)

    assert phone.get(panel, {"state": state()}).status_code == 204
    before = state()
    move(workshop, Step.OWN)
    response = phone.get(panel, {"state": before})
    assert response.status_code == 200 and 'data-step="own"' in response.content.decode()
    # Another phone writing in Own does not redraw this one (text being typed stays).
    current = state()
    add(Client(), workshop, "nobody")  # not a participant: refused silently by redirect
    assert phone.get(panel, {"state": current}).status_code == 204


def test_explain_moves_through_the_pairs(workshop, partners, facilitator_a):
    for i, partner in enumerate(partners * 2):
        phone_join(workshop, f"P{i}", partner)
    move(workshop, Step.OWN, Step.PAIR, Step.EXPLAIN)
    client = facilitator_client(facilitator_a)
    url = reverse("workshop_explain", args=["ashford", workshop.pk])
    client.post(url, {"current": 0, "to": 1})
    workshop.refresh_from_db()
    assert workshop.explaining == 1
    # A second screen still showing pair 1 cannot jump twice; beyond the last pair is refused.
    client.post(url, {"current": 0, "to": 1})
    client.post(url, {"current": 1, "to": 99})
    client.post(url, {"current": 1, "to": "x"})
    workshop.refresh_from_db()
    assert workshop.explaining == 1
    page = text_of(client.get(reverse("workshop_live", args=["ashford", workshop.pk])))
    assert "Pair 2 of 3 explains their ideas" in page


# --- Rank ------------------------------------------------------------------------------------


@pytest.fixture
def ranking(workshop, partners):
    phones = {
        name: phone_join(workshop, name, partner)
        for name, partner in [
            ("Sam", partners[0]),
            ("Ann", partners[0]),
            ("Bo", partners[0]),
            ("Alex", partners[1]),
        ]
    }
    move(workshop, Step.OWN)
    for n, phone in enumerate(phones.values()):
        add(phone, workshop, f"Idea {n}")
    move(workshop, Step.PAIR, Step.EXPLAIN, Step.RANK)
    return phones


def vote(phone, workshop, idea, undo=False):
    data = {"idea": idea.pk, **({"undo": "1"} if undo else {})}
    return phone.post(reverse("workshop_vote", args=[workshop.code]), data)


def test_vote_budget_is_enforced_with_a_clear_message(workshop, ranking):
    sam = ranking["Sam"]
    ideas = list(Idea.objects.order_by("pk"))
    assert vote(sam, workshop, ideas[0]).status_code == 302
    assert vote(sam, workshop, ideas[0]).status_code == 409  # the same idea twice
    assert vote(sam, workshop, ideas[1]).status_code == 302
    response = vote(sam, workshop, ideas[2])
    assert response.status_code == 409
    assert "You have used all 2 of your votes" in text_of(response)
    assert Vote.objects.count() == 2
    page = text_of(sam.get(reverse("workshop_phone", args=[workshop.code])))
    assert "You have 0 of 2 votes left" in page
    vote(sam, workshop, ideas[0], undo=True)
    assert vote(sam, workshop, ideas[2]).status_code == 302
    assert set(Vote.objects.values_list("idea_id", flat=True)) == {ideas[1].pk, ideas[2].pk}


def test_a_vote_for_another_workshops_idea_changes_nothing(workshop, ranking, released):
    other = services.start_workshop(
        released,
        workshop.created_by,
        conditions=[released.bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    foreign = Idea.objects.create(workshop=other, text="Elsewhere")
    for idea in ("nonsense", foreign.pk, 999999):
        response = ranking["Sam"].post(
            reverse("workshop_vote", args=[workshop.code]), {"idea": idea}
        )
        assert response.status_code == 409
    assert not Vote.objects.exists()


def test_participants_only_see_their_own_workshop(workshop, ranking, released):
    other = services.start_workshop(
        released,
        workshop.created_by,
        conditions=[released.bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    Idea.objects.create(workshop=other, text="A secret of the other room")
    # Sam has not joined the other workshop: its page asks them to join, showing no idea.
    page = text_of(ranking["Sam"].get(reverse("workshop_phone", args=[other.code])))
    assert "Join the workshop" in page and "secret" not in page
    panel = ranking["Sam"].get(reverse("workshop_panel", args=[other.code]))
    assert panel.status_code == 204


def test_ranking_can_weight_every_organisation_equally(workshop, ranking, facilitator_a):
    ideas = list(Idea.objects.order_by("pk"))
    # Three council people vote for idea 0; the trust's one person for idea 3.
    for name in ("Sam", "Ann", "Bo"):
        vote(ranking[name], workshop, ideas[0])
    vote(ranking["Alex"], workshop, ideas[3])
    vote(ranking["Sam"], workshop, ideas[3])
    move(workshop, Step.ARRANGE)
    client = facilitator_client(facilitator_a)
    url = reverse("workshop_detail", args=["ashford", workshop.pk])
    rows = re.findall(r"<tr>.*?</tr>", text_of(client.get(url)))
    assert "Idea 0" in rows[1] and "Idea 3" in rows[2]  # 3 votes, then 2
    Workshop.objects.filter(pk=workshop.pk).update(weight_partners_equally=True)
    rows = re.findall(r"<tr>.*?</tr>", text_of(client.get(url)))
    # Council: 3 of 3 voters chose idea 0, 1 of 3 idea 3; trust: 1 of 1 chose idea 3.
    # Idea 3: (1/3 + 1) / 2 = 67; idea 0: (1 + 0) / 2 = 50.
    assert "Idea 3" in rows[1] and ">67<" in rows[1].replace(" ", "")
    assert "Idea 0" in rows[2] and ">50<" in rows[2].replace(" ", "")


# --- Arrange ---------------------------------------------------------------------------------


def test_arrange_makes_themes_and_actions_linked_to_the_focus(workshop, ranking, facilitator_a):
    ideas = list(Idea.objects.order_by("pk"))
    move(workshop, Step.ARRANGE)
    client = facilitator_client(facilitator_a)
    args = ["ashford", workshop.pk]
    client.post(reverse("workshop_theme_add", args=args), {"name": "Meetings"})
    theme = workshop.themes.get()
    client.post(reverse("workshop_idea_theme", args=args), {"idea": ideas[0].pk, "theme": theme.pk})
    ideas[0].refresh_from_db()
    assert ideas[0].theme == theme
    response = client.post(
        reverse("workshop_actions_make", args=args),
        {"ideas": [ideas[0].pk, ideas[2].pk]},
        follow=True,
    )
    assert "Added 2 actions to the action plan" in text_of(response)
    actions = list(Action.objects.order_by("pk"))
    assert [a.title for a in actions] == ["Idea 0", "Idea 2"]
    for action in actions:
        assert action.place == workshop.place and action.cycle == workshop.cycle
        assert list(action.conditions.values_list("key", flat=True)) == ["leadership"]
        assert action.created_by == facilitator_a
    assert "theme “Meetings”" in actions[0].description
    # Again: no duplicate actions.
    client.post(reverse("workshop_actions_make", args=args), {"ideas": [ideas[0].pk]})
    assert Action.objects.count() == 2


def test_tampered_arrange_posts_change_nothing(workshop, ranking, facilitator_a, released):
    other = services.start_workshop(
        released,
        facilitator_a,
        conditions=[released.bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    foreign = Idea.objects.create(workshop=other, text="Elsewhere")
    move(workshop, Step.ARRANGE)
    move(other, Step.OWN, Step.PAIR, Step.EXPLAIN, Step.RANK, Step.ARRANGE)
    foreign_theme = services.add_theme(other, "Theirs")
    client = facilitator_client(facilitator_a)
    args = ["ashford", workshop.pk]
    idea = Idea.objects.filter(workshop=workshop).first()
    client.post(
        reverse("workshop_idea_theme", args=args), {"idea": idea.pk, "theme": foreign_theme.pk}
    )
    client.post(reverse("workshop_idea_theme", args=args), {"idea": foreign.pk, "theme": ""})
    client.post(reverse("workshop_actions_make", args=args), {"ideas": [foreign.pk]})
    client.post(reverse("workshop_actions_make", args=args), {"ideas": [idea.pk, "x"]})
    client.post(reverse("workshop_actions_make", args=args), {"ideas": [idea.pk, foreign.pk]})
    idea.refresh_from_db()
    assert idea.theme is None and not Action.objects.exists()
    # Arrange writes before the Arrange step: refused.
    services_error = pytest.raises(
        services.StepError, match="so adding this theme was not done. It belongs to the Arrange"
    )
    fresh = services.start_workshop(
        released,
        facilitator_a,
        conditions=[released.bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    with services_error:
        services.add_theme(fresh, "Too soon")


# --- Anonymity -------------------------------------------------------------------------------


def test_no_page_shows_who_wrote_an_idea_unless_they_named_themselves(
    workshop, partners, facilitator_a
):
    """Every page of the workshop, at every step, on the projector and on every phone: the
    unsigned ideas never appear beside their writer's name, and a name appears beside an idea
    only where its writer chose to add it."""
    names = ["Priya", "Quentin", "Rosa", "Tomasz"]
    phones = [phone_join(workshop, n, partners[i % 3]) for i, n in enumerate(names)]
    move(workshop, Step.OWN)
    for n, phone in enumerate(phones):
        add(phone, workshop, f"Unsigned idea {n}")
    add(phones[0], workshop, "Signed idea", signed=True)
    facilitator = facilitator_client(facilitator_a)
    pages = []
    for step in (Step.PAIR, Step.EXPLAIN, Step.RANK, Step.ARRANGE, Step.ENDED):
        move(workshop, step)
        pages.append(facilitator.get(reverse("workshop_detail", args=["ashford", workshop.pk])))
        pages.append(facilitator.get(reverse("workshop_live", args=["ashford", workshop.pk])))
        for phone in phones:
            pages.append(phone.get(reverse("workshop_phone", args=[workshop.code])))
            pages.append(phone.get(reverse("workshop_panel", args=[workshop.code])))
    for response in pages:
        html = text_of(response)
        for item in re.findall(r"<li(?:\s[^>]*)?>(.*?)</li>|<tr>(.*?)</tr>", html):
            item = "".join(item)
            if "Unsigned idea" in item:
                assert not any(name in item for name in names), item
            if "Signed idea" in item:
                assert all(name not in item for name in names[1:]), item
        assert "Signed idea — Priya" in plain(html) or "Signed idea" not in html


def test_phone_page_query_count_does_not_grow_with_ideas(workshop, partners):
    phone = phone_join(workshop, "Sam", partners[0])
    url = reverse("workshop_phone", args=[workshop.code])
    move(workshop, Step.OWN, Step.PAIR, Step.EXPLAIN, Step.RANK)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert phone.get(url).status_code == 200
        return len(captured)

    Idea.objects.create(workshop=workshop, text="one")
    first = queries()
    Idea.objects.bulk_create(Idea(workshop=workshop, text=f"more {n}") for n in range(20))
    assert queries() == first


def test_projector_query_count_does_not_grow_with_people(workshop, partners, facilitator_a):
    client = facilitator_client(facilitator_a)
    url = reverse("workshop_detail", args=["ashford", workshop.pk])
    for name in ("a", "b", "c", "d"):
        phone_join(workshop, name, partners[0])
    move(workshop, Step.OWN, Step.PAIR)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries()
    for name in ("e", "f", "g", "h"):
        services.join(workshop, display_name=name, partner=partners[1])
    assert queries() == first


def test_late_joiner_is_put_in_a_pair(workshop, partners):
    phone_join(workshop, "A", partners[0])
    phone_join(workshop, "B", partners[1])
    move(workshop, Step.OWN, Step.PAIR)
    late = services.join(workshop, display_name="Late", partner=partners[2])
    assert late.group is not None
    assert Participant.objects.filter(group=late.group).count() == 3


def test_member_of_place_cannot_post_phone_writes_for_a_workshop_they_did_not_join(
    workshop, member_a
):
    move(workshop, Step.OWN)
    client = facilitator_client(member_a)
    response = add(client, workshop, "Not joined")
    assert response.status_code == 302 and not Idea.objects.exists()


def test_facilitator_role_is_needed_even_with_a_membership_in_both(
    workshop, place_b, facilitator_b
):
    MembershipFactory(user=facilitator_b, place=workshop.place, role=Role.MEMBER)
    client = facilitator_client(facilitator_b)
    assert client.get(reverse("workshop_detail", args=["ashford", workshop.pk])).status_code == 403
    assert UserFactory  # factories are shared with other tests


def test_phones_told_the_workshop_ended_do_not_lock_the_room_out(workshop, released):
    phones = [phone_join(workshop, f"P{n}") for n in range(throttle.MAX_FAILURES + 2)]
    move(workshop, Step.OWN, Step.PAIR, Step.EXPLAIN, Step.RANK, Step.ARRANGE, Step.ENDED)
    for phone in phones:  # all from one address, as on a venue's wifi
        assert "has ended" in text_of(phone.get(reverse("workshop_panel", args=[workshop.code])))
    following = services.start_workshop(
        released,
        workshop.created_by,
        conditions=[released.bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    response = phones[0].post(reverse("workshop_enter_code"), {"code": following.code})
    assert response.status_code == 302
