"""Database connections are kept between requests and checked before each request's first query
(Django's CONN_MAX_AGE and CONN_HEALTH_CHECKS, set in betterway/settings.py): one the server has
dropped is replaced before the request uses it, so the request does not fail."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections

# Autocommit, as in a request: no test transaction wrapped around the connection.
pytestmark = pytest.mark.django_db(transaction=True)


def test_connections_are_kept_and_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0


@pytest.fixture
def persistent_connection(monkeypatch):
    """Connections kept between requests and checked, as settings.py has them, whatever
    CONN_MAX_AGE this test run was given."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()  # the next connection takes these settings
    yield
    connection.close()  # and the one after the test takes the run's own again


def _request() -> int:
    """What happens around a request: Django marks persistent connections for a check when it
    starts (request_started), then the request's first query runs the check."""
    close_old_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgresql  # only PostgreSQL has a server that can end a connection
def test_the_same_connection_serves_request_after_request(persistent_connection):
    assert _request() == _request()


@pytest.mark.postgresql
def test_a_connection_the_server_ended_is_replaced_before_the_first_query(persistent_connection):
    pid = _request()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 10
            while True:  # until the server has let it go
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    break
                assert time.monotonic() < deadline, "the server never ended the connection"
                time.sleep(0.01)
    finally:
        other.close()
    assert _request() != pid  # a new connection, and no error
