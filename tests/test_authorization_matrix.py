"""Every URL of the project × every role, with the expected outcome.

The URL list is walked from the resolver, so a new URL pattern without an entry here fails
`test_every_url_pattern_has_an_entry`. Cross-place attempts on object-bearing URLs must give 404 and
change no row.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from actions.models import Action, ActionUpdate, PlanAgreement
from assessments import services, tokens
from assessments.models import (
    Answer,
    Comment,
    Cycle,
    CycleResult,
    CycleStatus,
    DraftResponse,
    Invitation,
    Response,
)
from places.models import Membership, Partner, Place
from tests.factories import CycleFactory, PartnerFactory, add_responses, make_bank
from workshops import services as workshop_services
from workshops.models import Idea, Participant, Theme, Vote, Workshop

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member_a", "facilitator_a", "facilitator_b", "staff"]

# Expected status of a GET, per URL name and role. "ok" means 200; respondent pages are reached
# through the personal link whoever holds it, so every role gets the same answer there.
ANON_REDIRECT = {"anonymous": 302}
FACILITATOR_PAGE = {
    **ANON_REDIRECT,
    "member_a": 403,
    "facilitator_a": 200,
    "facilitator_b": 404,
    "staff": 404,
}
FACILITATOR_POST_ONLY = {
    **ANON_REDIRECT,
    "member_a": 405,
    "facilitator_a": 405,
    "facilitator_b": 405,
    "staff": 405,
}
MEMBER_PAGE = {
    **ANON_REDIRECT,
    "member_a": 200,
    "facilitator_a": 200,
    "facilitator_b": 404,
    "staff": 404,
}
EVERYONE = dict.fromkeys(ROLES, 200)
# The world's action is owned by member_a's organisation: its members may edit it too. (Members
# of other organisations get 403: tests/test_action_plan.py.)
OWNER_PAGE = dict(MEMBER_PAGE)
OWNER_POST_ONLY = dict(FACILITATOR_POST_ONLY)

EXPECTED: dict[str, dict[str, int]] = {
    "home": {
        **ANON_REDIRECT,
        "member_a": 200,
        "facilitator_a": 200,
        "facilitator_b": 200,
        "staff": 200,
    },
    "login": {
        "anonymous": 200,
        "member_a": 302,
        "facilitator_a": 302,
        "facilitator_b": 302,
        "staff": 302,
    },
    "logout": {**dict.fromkeys(ROLES, 405), **ANON_REDIRECT},  # sign-out is a POST
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,  # an invalid link shows "This link no longer works"
    "password_reset_complete": EVERYONE,
    "place_detail": MEMBER_PAGE,
    "cycle_list": FACILITATOR_PAGE,
    "cycle_create": FACILITATOR_PAGE,
    "cycle_detail": FACILITATOR_PAGE,
    "cycle_edit": FACILITATOR_PAGE,
    "cycle_open": FACILITATOR_POST_ONLY,
    "cycle_close": FACILITATOR_PAGE,  # the confirmation page; the POST closes
    # An open cycle's results cannot be released: the facilitator is sent back to its page.
    "cycle_release": {**FACILITATOR_PAGE, "facilitator_a": 302},
    "cycle_extend": FACILITATOR_PAGE,
    "invitation_import": FACILITATOR_PAGE,
    "invitation_add": FACILITATOR_PAGE,
    "invitation_email": FACILITATOR_PAGE,
    "invitation_edit": FACILITATOR_PAGE,
    "invitation_revoke": FACILITATOR_POST_ONLY,
    "invitation_reissue": FACILITATOR_POST_ONLY,
    "cycle_remind": FACILITATOR_POST_ONLY,
    "cycle_retry_emails": FACILITATOR_POST_ONLY,
    "partner_list": FACILITATOR_PAGE,
    "partner_create": FACILITATOR_PAGE,
    "partner_edit": FACILITATOR_PAGE,
    "dashboard": MEMBER_PAGE,
    "dashboard_print": MEMBER_PAGE,
    "dashboard_csv": MEMBER_PAGE,
    "action_list": MEMBER_PAGE,
    "plan_print": MEMBER_PAGE,
    "plan_csv": MEMBER_PAGE,
    "action_create": FACILITATOR_PAGE,
    "plan_agree": FACILITATOR_POST_ONLY,
    "action_detail": MEMBER_PAGE,
    "action_edit": OWNER_PAGE,
    "action_update": OWNER_POST_ONLY,
    "comparison": {
        **ANON_REDIRECT,
        "member_a": 403,
        "facilitator_a": 200,
        "facilitator_b": 200,
        "staff": 403,
    },
    "respond_start": EVERYONE,
    "respond_about": EVERYONE,
    "respond_page": dict.fromkeys(ROLES, 302),  # no draft yet: sent to "about you" first
    "respond_review": dict.fromkeys(ROLES, 302),
    "respond_submit": dict.fromkeys(ROLES, 405),
    "emails_stop": EVERYONE,  # the link in reminder emails: whoever holds it
    "public_summary": EVERYONE,  # the signed link in results emails: whoever holds it
    "workshop_start": FACILITATOR_PAGE,
    "workshop_detail": FACILITATOR_PAGE,
    "workshop_live": FACILITATOR_PAGE,
    "workshop_step": FACILITATOR_POST_ONLY,
    "workshop_explain": FACILITATOR_POST_ONLY,
    "workshop_theme_add": FACILITATOR_POST_ONLY,
    "workshop_idea_theme": FACILITATOR_POST_ONLY,
    "workshop_actions_make": FACILITATOR_POST_ONLY,
    # A workshop's phones: whoever holds the code, no account; not joined yet, so the page is
    # the join form and the polled panel has nothing to show (204).
    "workshop_enter_code": EVERYONE,
    "workshop_phone": EVERYONE,
    "workshop_panel": dict.fromkeys(ROLES, 204),
    "workshop_join": dict.fromkeys(ROLES, 405),
    "workshop_idea_add": dict.fromkeys(ROLES, 405),
    "workshop_idea_drop": dict.fromkeys(ROLES, 405),
    "workshop_vote": dict.fromkeys(ROLES, 405),
    "respond_not_found": dict.fromkeys(ROLES, 404),  # any other address under /r/
}
# Django admin is one entry for its whole namespace: staff only, everyone else to its sign-in.
ADMIN_EXPECTED = {
    "anonymous": 302,
    "member_a": 302,
    "facilitator_a": 302,
    "facilitator_b": 302,
    "staff": 200,
}

# The facilitator's workshop pages (the phones' are reached with the code, by anyone holding it).
FACILITATOR_WORKSHOP_URLS = [
    name
    for name, outcomes in EXPECTED.items()
    if name.startswith("workshop_") and outcomes in (FACILITATOR_PAGE, FACILITATOR_POST_ONLY)
]

# URLs that name an object of a place: cross-place attempts must 404 and change nothing.
OBJECT_BEARING = [
    name
    for name in EXPECTED
    if name.startswith(("cycle_", "invitation_", "partner_edit", "dashboard", "action_"))
    and name not in ("cycle_list", "cycle_create", "action_list", "action_create")
    or name == "plan_agree"
    or name in FACILITATOR_WORKSHOP_URLS
]


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name


def test_every_url_pattern_has_an_entry():
    names = {name for namespace, name in _walk(get_resolver().url_patterns) if namespace is None}
    namespaces = {namespace for namespace, _ in _walk(get_resolver().url_patterns) if namespace}
    assert names == set(EXPECTED), "add the new URL to EXPECTED with its outcome for each role"
    assert namespaces == {"admin"}


@pytest.fixture
def world(place_a, place_b, partner_a, member_a, facilitator_a, facilitator_b, staff):
    bank = make_bank(n_conditions=2, n_statements=2)
    released = CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN, min_group_size=3)
    add_responses(released, partner_a, count=4)
    services.close_cycle(released)
    services.release_cycle(released)
    open_cycle = CycleFactory(place=place_a, bank=bank, status=CycleStatus.OPEN)
    invitation = services.create_invitations(
        open_cycle, [services.InviteeLine("Robin", "robin@example.org", partner_a)]
    )[0]
    partner_b = PartnerFactory(place=place_b, name="Brampton Trust")
    action = Action.objects.create(place=place_a, cycle=released, title="Rotate the chair")
    action.owners.set([partner_a])
    workshop = workshop_services.start_workshop(
        released,
        facilitator_a,
        conditions=[bank.conditions.first()],
        statements=[],
        votes_per_participant=3,
        weight_partners_equally=False,
    )
    return {
        "action": action,
        "workshop": workshop,
        "place_a": place_a,
        "place_b": place_b,
        "partner_a": partner_a,
        "partner_b": partner_b,
        "released": released,
        "open": open_cycle,
        "invitation": invitation,
        "users": {
            "member_a": member_a,
            "facilitator_a": facilitator_a,
            "facilitator_b": facilitator_b,
            "staff": staff,
        },
    }


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    return client


def _url(name: str, world, slug: str | None = None) -> str:
    slug = slug or world["place_a"].slug
    cycle = world["released"] if name.startswith("dashboard") else world["open"]
    kwargs = {
        "cycle_open": {"slug": slug, "cycle_id": cycle.pk},
        "partner_edit": {"slug": slug, "partner_id": world["partner_a"].pk},
        "invitation_revoke": {
            "slug": slug,
            "cycle_id": cycle.pk,
            "invitation_id": world["invitation"].pk,
        },
        "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
        "respond_page": {"token": world["invitation"].token, "number": 1},
    }
    if name in ("action_detail", "action_edit", "action_update"):
        return reverse(name, kwargs={"slug": slug, "action_id": world["action"].pk})
    if name == "public_summary":
        return reverse(name, args=[tokens.summary_token(world["released"].pk)])
    if name == "plan_agree":
        return reverse(name, kwargs={"slug": slug, "cycle_id": world["released"].pk})
    if name in ("action_list", "action_create", "plan_print", "plan_csv"):
        return reverse(name, kwargs={"slug": slug})
    if name == "workshop_start":
        return reverse(name, kwargs={"slug": slug, "cycle_id": world["released"].pk})
    if name in FACILITATOR_WORKSHOP_URLS:
        return reverse(name, kwargs={"slug": slug, "workshop_id": world["workshop"].pk})
    if name.startswith("workshop_") and name != "workshop_enter_code":
        return reverse(name, kwargs={"code": world["workshop"].code})
    if name in ("invitation_revoke", "invitation_reissue", "invitation_edit"):
        return reverse(name, kwargs=kwargs["invitation_revoke"])
    if name == "partner_edit":
        return reverse(name, kwargs=kwargs["partner_edit"])
    if name in ("password_reset_confirm", "respond_page"):
        return reverse(name, kwargs=kwargs[name])
    if name == "respond_not_found":
        return reverse(name)
    if name.startswith("respond_") or name == "emails_stop":
        return reverse(name, kwargs={"token": world["invitation"].token})
    if name.startswith(("cycle_", "invitation_", "dashboard")) and name not in (
        "cycle_list",
        "cycle_create",
    ):
        return reverse(name, kwargs={"slug": slug, "cycle_id": cycle.pk})
    if name in ("place_detail", "cycle_list", "cycle_create", "partner_list", "partner_create"):
        return reverse(name, kwargs={"slug": slug})
    return reverse(name)


def _fingerprint() -> list:
    """Every row of every table a view could change, to prove a refused request changed none."""
    models = [
        Place,
        Partner,
        Membership,
        Cycle,
        Invitation,
        DraftResponse,
        Response,
        Answer,
        Comment,
        CycleResult,
        Action,
        Action.owners.through,
        ActionUpdate,
        PlanAgreement,
        Workshop,
        Participant,
        Idea,
        Theme,
        Vote,
    ]
    return [sorted(map(repr, model.objects.values_list())) for model in models]


@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(world, role):
    client = _client(world, role)
    outcomes = {name: client.get(_url(name, world)).status_code for name in EXPECTED}
    expected = {name: EXPECTED[name][role] for name in EXPECTED}
    assert outcomes == expected


@pytest.mark.parametrize("role", ROLES)
def test_admin_namespace(world, role):
    client = _client(world, role)
    for url in (reverse("admin:index"), reverse("admin:assessments_questionbank_changelist")):
        assert client.get(url).status_code == ADMIN_EXPECTED[role], url


def test_unknown_respondent_link_is_404_for_everyone(world):
    for role in ROLES:
        assert (
            _client(world, role).get(reverse("respond_start", args=["0" * 64])).status_code == 404
        )


@pytest.mark.parametrize("name", OBJECT_BEARING)
def test_cross_place_get_and_post_are_404_and_change_nothing(world, name):
    client = _client(world, "facilitator_b")
    before = _fingerprint()
    for slug in (world["place_a"].slug, world["place_b"].slug):
        url = _url(name, world, slug=slug)
        if EXPECTED[name]["facilitator_a"] != 405:
            assert client.get(url).status_code == 404, url
        response = client.post(
            url,
            {
                "name": "Taken over",
                "lines": "Eve, eve@example.org, Brampton Trust",
                "sector": "business",
                "size": "large",
                "min_group_size": 3,
                "title": "Taken over",
                "text": "Taken over",
                "status": "done",
                "owners": [world["partner_b"].pk],
            },
        )
        assert response.status_code in (404, 405), url
        if EXPECTED[name]["facilitator_a"] == 405 or name.startswith(
            ("cycle_", "invitation_", "action_", "plan_")
        ):
            assert response.status_code == 404, url
    assert _fingerprint() == before


@pytest.mark.parametrize(
    "name", [n for n in EXPECTED if EXPECTED[n]["member_a"] == 403 and n != "comparison"]
)
def test_member_posts_to_facilitator_urls_are_403_and_change_nothing(world, name):
    client = _client(world, "member_a")
    before = _fingerprint()
    response = client.post(_url(name, world), {"name": "Mine now", "lines": "x, x@example.org, y"})
    assert response.status_code == 403
    assert _fingerprint() == before


@pytest.mark.parametrize("name", [n for n, e in EXPECTED.items() if e is FACILITATOR_POST_ONLY])
def test_post_only_actions_refuse_members_and_outsiders(world, name):
    before = _fingerprint()
    for role, expected in (("member_a", 403), ("facilitator_b", 404), ("staff", 404)):
        assert _client(world, role).post(_url(name, world)).status_code == expected, role
    assert _fingerprint() == before
