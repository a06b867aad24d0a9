"""Demo places, partners and people for trying the app out (never for production)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from places.models import Membership, Partner, Place, Role, Sector, Size

DEMO_PASSWORD = "better-way-demo"  # noqa: S105 (demo accounts; load_demo refuses with DEBUG off)

# (slug, name, description, partners: (name, sector, size, is_lead))
DEMO_PLACES = [
    (
        "riverside",
        "Riverside",
        "A borough partnership for children and families.",
        [
            ("Riverside Borough Council", Sector.LOCAL_AUTHORITY, Size.LARGE, True),
            ("Riverside Health and Care NHS Trust", Sector.NHS, Size.LARGE, False),
            ("Riverside Youth Network", Sector.VOLUNTARY, Size.SMALL, False),
            ("Northfield Food Bank", Sector.VOLUNTARY, Size.MICRO, False),
            ("Grainstore Co-operative", Sector.SOCIAL_ENTERPRISE, Size.SMALL, False),
            ("St Anne's Church", Sector.FAITH, Size.MICRO, False),
            ("Eastgate Residents' Association", Sector.RESIDENTS, Size.MICRO, False),
        ],
    ),
    (
        "hillmarsh",
        "Hillmarsh",
        "A town partnership on health and wellbeing.",
        [
            ("Hillmarsh District Council", Sector.LOCAL_AUTHORITY, Size.LARGE, False),
            ("Hillmarsh Community Trust", Sector.VOLUNTARY, Size.MEDIUM, True),
            ("Hillmarsh Primary Care Network", Sector.NHS, Size.MEDIUM, False),
            ("Canal Side Arts", Sector.VOLUNTARY, Size.MICRO, False),
            ("Hillmarsh Chamber of Trade", Sector.BUSINESS, Size.SMALL, False),
            ("Mosque and Community Centre", Sector.FAITH, Size.SMALL, False),
        ],
    ),
    (
        "westbrook",
        "Westbrook",
        "A neighbourhood partnership on housing and homelessness.",
        [
            ("Westbrook City Council", Sector.LOCAL_AUTHORITY, Size.LARGE, True),
            ("Westbrook Community Foundation", Sector.FUNDER, Size.MEDIUM, False),
            ("Open Door Housing Advice", Sector.VOLUNTARY, Size.SMALL, False),
            ("Westbrook Police", Sector.PUBLIC, Size.LARGE, False),
            ("Shelter Together", Sector.VOLUNTARY, Size.NATIONAL, False),
            ("Tenants United", Sector.RESIDENTS, Size.MICRO, False),
        ],
    ),
]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


@transaction.atomic
def load_demo_people() -> list[DemoLogin]:
    """Create the demo places, partners and accounts; running it again changes nothing."""
    User = get_user_model()
    facilitator = _user(User, "facilitator", "Fran", "Okafor")
    member = _user(User, "member", "Sam", "Patel")
    admin = _user(User, "admin", "Alex", "Admin", is_staff=True, is_superuser=True)
    for slug, name, description, partners in DEMO_PLACES:
        place, _ = Place.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        for partner_name, sector, size, is_lead in partners:
            Partner.objects.get_or_create(
                place=place,
                name=partner_name,
                defaults={"sector": sector, "size": size, "is_lead": is_lead},
            )
        Membership.objects.get_or_create(
            user=facilitator, place=place, defaults={"role": Role.FACILITATOR}
        )
    riverside = Place.objects.get(slug="riverside")
    Membership.objects.get_or_create(
        user=member,
        place=riverside,
        defaults={
            "role": Role.MEMBER,
            "partner": riverside.partners.get(name="Northfield Food Bank"),
        },
    )
    return [
        DemoLogin(facilitator.username, "facilitator of every demo place"),
        DemoLogin(member.username, "partner member of Riverside"),
        DemoLogin(admin.username, "admin (Django staff)"),
    ]


def _user(User, username: str, first: str, last: str, **flags):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@example.org",
            **flags,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user
