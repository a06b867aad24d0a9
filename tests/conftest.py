"""Shared fixtures: the named personas of DESIGN.md §8."""

from __future__ import annotations

import os
import tempfile

import pytest

from places.models import Role
from tests.factories import MembershipFactory, PartnerFactory, PlaceFactory, UserFactory

# Django's live_server runs sync code inside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, a test database in a file rather than in memory, so that a task worker started
    as a process of its own (tests/background.py) reaches the same database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3" and not database["TEST"].get("NAME"):
        name = f"betterway-test-{os.getpid()}.sqlite3"
        database["TEST"]["NAME"] = os.path.join(tempfile.gettempdir(), name)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; tests check behaviour, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def place_a(db):
    return PlaceFactory(name="Ashford", slug="ashford")


@pytest.fixture
def place_b(db):
    return PlaceFactory(name="Brampton", slug="brampton")


@pytest.fixture
def partner_a(place_a):
    return PartnerFactory(place=place_a, name="Ashford Council", is_lead=True)


@pytest.fixture
def staff(db):
    return UserFactory(username="staff", is_staff=True, is_superuser=True)


@pytest.fixture
def facilitator_a(place_a):
    user = UserFactory(username="fac_a")
    MembershipFactory(user=user, place=place_a, role=Role.FACILITATOR)
    return user


@pytest.fixture
def facilitator_b(place_b):
    user = UserFactory(username="fac_b")
    MembershipFactory(user=user, place=place_b, role=Role.FACILITATOR)
    return user


@pytest.fixture
def member_a(place_a, partner_a):
    user = UserFactory(username="member_a")
    MembershipFactory(user=user, place=place_a, role=Role.MEMBER, partner=partner_a)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")
