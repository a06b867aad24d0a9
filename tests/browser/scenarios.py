"""Data and small steps the browser journeys share."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from assessments import services
from assessments.banks import load_default_bank
from assessments.models import (
    Cycle,
    CycleStatus,
    DraftResponse,
    QuestionBank,
    RoleLevel,
    SpectrumType,
    Statement,
)
from places.models import Partner, Place, Role, Sector, Size
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    PartnerFactory,
    PlaceFactory,
    UserFactory,
    add_responses,
)

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's

# (name, sector, size, lead, how well it thinks things go: 1–5)
PARTNERS = [
    ("Riverbank Borough Council", Sector.LOCAL_AUTHORITY, Size.LARGE, True, 4),
    ("Riverbank Health NHS Trust", Sector.NHS, Size.LARGE, False, 3),
    ("Riverbank Youth Network", Sector.VOLUNTARY, Size.SMALL, False, 2),
    ("Grainstore Co-operative", Sector.SOCIAL_ENTERPRISE, Size.SMALL, False, 3),
    ("Eastgate Residents' Association", Sector.RESIDENTS, Size.MICRO, False, 2),
]


def default_bank() -> QuestionBank:
    bank, _ = load_default_bank()
    return bank


def make_place(slug: str = "riverbank", name: str = "Riverbank") -> Place:
    place = PlaceFactory(slug=slug, name=name, description="A borough partnership for families.")
    for partner_name, sector, size, lead, _ in PARTNERS:
        PartnerFactory(place=place, name=partner_name, sector=sector, size=size, is_lead=lead)
    return place


def user_with_role(place: Place, username: str, role: str, partner: Partner | None = None):
    user = UserFactory(username=username)
    MembershipFactory(user=user, place=place, role=role, partner=partner)
    return user


def facilitator(place: Place):
    return user_with_role(place, "facilitator", Role.FACILITATOR)


def member(place: Place):
    return user_with_role(place, "member", Role.MEMBER, place.partners.order_by("name").first())


def open_cycle(place: Place, bank: QuestionBank, name: str = "Spring 2026", **kwargs) -> Cycle:
    today = dt.date.today()
    kwargs = {"opens_on": today, "closes_on": today + dt.timedelta(days=28), **kwargs}
    cycle = Cycle.objects.create(place=place, bank=bank, name=name, **kwargs)
    services.open_cycle(cycle)
    return cycle


def invite(cycle: Cycle, *people: tuple[str, str, Partner]):
    lines = [services.InviteeLine(name=n, email=e, partner=p) for n, e, p in people]
    return services.create_invitations(cycle, lines)


def respond_url(live_server, invitation) -> str:
    return live_server.url + reverse("respond_start", args=[invitation.token])


def submit_for(invitation, level: int, role: str = RoleLevel.MANAGER, spectrum=None) -> None:
    """What the respondent's pages would have saved, then the real submit."""
    bank = invitation.cycle.bank
    statements = Statement.objects.for_bank(bank)
    value = _answers(level)
    routing = statements.filter(routed=True).exists()
    DraftResponse.objects.create(
        invitation=invitation,
        partner=invitation.partner,
        role_level=role,
        spectrum_choice=spectrum or SpectrumType.PARTNERSHIP,
        spectrum_target=SpectrumType.STRONG if bank.target_prompt else "",
        in_meetings=True if routing else None,  # asked everything
        answers={str(s.pk): value(s, invitation.pk) for s in statements},
    )
    assert services.submit_response(invitation)


def _answers(level: int):
    """Answers around `level`, varied by statement and person, with a few don't-knows."""

    def value(statement, i):
        if statement.order == 2 and i % 3 == 0:
            return None
        return max(1, min(5, level + (statement.order + i) % 3 - 1))

    return value


ROLES = [RoleLevel.SENIOR_LEADER, RoleLevel.MANAGER, RoleLevel.FRONT_LINE]
SPECTRUM = [SpectrumType.WEAK, SpectrumType.PARTNERSHIP, SpectrumType.STRONG]


def add_place_responses(cycle: Cycle, shift: int = 0, per_partner: int = 6) -> None:
    """`per_partner` submitted responses from every partner, in three role levels. On a bank
    with routed statements, front-line staff are not in partnership meetings (so not asked
    those), and everyone says the partnership needs all at the helm."""
    routing = Statement.objects.for_bank(cycle.bank).filter(routed=True).exists()
    for partner in cycle.place.partners.order_by("name"):
        level = next(p[4] for p in PARTNERS if p[0] == partner.name) + shift
        for role, spectrum in zip(ROLES, SPECTRUM, strict=True):
            add_responses(
                cycle,
                partner,
                count=per_partner // len(ROLES),
                values=_answers(level),
                role_level=role,
                spectrum=spectrum,
                in_meetings=(role != RoleLevel.FRONT_LINE) if routing else None,
                target=SpectrumType.STRONG if cycle.bank.target_prompt else "",
            )


def close_and_release(cycle: Cycle) -> None:
    services.close_cycle(cycle)
    services.release_cycle(cycle)


def released_results(place: Place, bank: QuestionBank) -> Cycle:
    """A released cycle with every part of the dashboard filled in: a previous released cycle
    for trends, five other places for the benchmark, comments and a lead partner."""
    for n in range(5):
        other = PlaceFactory(slug=f"other-{n}", name=f"Other place {n}")
        partner = PartnerFactory(place=other, name=f"Other partner {n}")
        cycle = open_cycle(other, bank, name="Winter 2025")
        add_responses(cycle, partner, count=5, values=_answers(2 + n % 3))
        close_and_release(cycle)
    previous = open_cycle(place, bank, name="Autumn 2025")
    add_place_responses(previous, shift=-1)
    close_and_release(previous)

    cycle = open_cycle(place, bank, name="Spring 2026")
    add_place_responses(cycle)
    conditions = list(bank.conditions.order_by("order"))
    for text, condition in [
        ("The council still decides most things before we meet.", conditions[-1]),
        ("Our new shared training has really helped front-line staff.", conditions[4]),
        ("We trust each other more than a year ago.", conditions[0]),
        ("It would help to meet somewhere other than the town hall.", conditions[3]),
        ("Residents are heard, but not always acted on.", conditions[1]),
    ]:
        CommentFactory(cycle=cycle, condition=condition, text=text)
    close_and_release(cycle)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.RELEASED
    return cycle


def log_in(page, live_server, username: str, check=None) -> None:
    page.goto(live_server.url + reverse("login"))
    if check:
        check.page(page, "sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
