"""Shared fixtures: the named personas of DESIGN.md §8; and the rules that keep a CI run honest.

CI (CI=true) must not pass by leaving tests out: any skipped test fails the run, a run told which
database it is for (EXPECT_DATABASE=postgresql, set by .ci/run) refuses to run on another, and
Hypothesis is derandomised there so a failure found in CI reproduces anywhere. Tests that need
PostgreSQL carry the `postgresql` marker: on SQLite they are deselected (and counted as such),
never skipped.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from hypothesis import settings as hypothesis_settings

from places.models import Role
from tests.factories import MembershipFactory, PartnerFactory, PlaceFactory, UserFactory


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# A failure in CI must reproduce: the same examples on every run, and the failing one printed as a
# blob that @reproduce_failure takes.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if in_ci():
    hypothesis_settings.load_profile("ci")


def database_vendor() -> str:
    # The vendor of the configured backend ("sqlite", "postgresql"); no connection is opened.
    from django.db import connection

    return connection.vendor


def pytest_collection_modifyitems(config, items):
    vendor = database_vendor()
    expected = os.environ.get("EXPECT_DATABASE", "")
    if expected and expected != vendor:
        raise pytest.UsageError(
            f"EXPECT_DATABASE={expected}, but the tests would run on {vendor}: "
            "is DATABASE_URL set and spelled right?"
        )
    if vendor == "postgresql":
        return
    # PostgreSQL-only tests are not run here, and say so as "deselected": a skip would fail CI.
    elsewhere = [item for item in items if item.get_closest_marker("postgresql")]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not item.get_closest_marker("postgresql")]


def pytest_sessionfinish(session, exitstatus):
    if not in_ci():
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped; in CI every collected test must run.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


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
