"""The PostgreSQL backend's connection health check (betterway/postgresql/base.py).

A connection used moments ago is checked by looking at its socket, not by a `SELECT 1`; one the
server has closed, or one left unused for a while, still gets the full check, and a dead one is
replaced before the request's first query, as with Django's own check.
"""

from __future__ import annotations

import time
from unittest import mock

import pytest
from django.db import close_old_connections, connection, connections
from django.db.backends.postgresql import base as django_postgresql

from betterway.postgresql import base

# Autocommit, as in a request: no test transaction wrapped around the connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def persistent_connection(monkeypatch):
    """PostgreSQL, with connections kept between requests and checked, as settings.py has them
    whatever CONN_MAX_AGE this test run was given."""
    if connection.vendor != "postgresql":
        pytest.skip("The health check belongs to the PostgreSQL backend.")
    assert isinstance(connection._connections[connection._alias], base.DatabaseWrapper)
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()  # the next connection takes these settings
    yield
    connection.close()  # and the one after the test takes the run's own again


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _request() -> int:
    """What happens around a request: Django marks persistent connections for a check at its
    start (request_started), then the first query runs the check."""
    close_old_connections()
    return _backend_pid()


def _round_trips():
    """Counts the full checks: Django's own `SELECT 1`."""
    return mock.patch.object(
        django_postgresql.DatabaseWrapper,
        "is_usable",
        autospec=True,
        side_effect=django_postgresql.DatabaseWrapper.is_usable,
    )


def test_a_connection_used_moments_ago_needs_no_round_trip():
    _request()
    with _round_trips() as full_check:
        pid = _request()
        assert _request() == pid
    full_check.assert_not_called()


def test_a_connection_in_constant_use_still_gets_a_round_trip_every_few_seconds():
    _request()
    start = time.monotonic()
    with _round_trips() as full_check:
        for second in range(1, int(base.ROUND_TRIP_AFTER)):
            with mock.patch.object(base.time, "monotonic", return_value=start + second):
                _request()
        assert full_check.call_count == 0
        later = start + base.ROUND_TRIP_AFTER + 0.5
        with mock.patch.object(base.time, "monotonic", return_value=later):
            _request()
        assert full_check.call_count == 1


def test_a_socket_that_cannot_be_looked_at_counts_as_doubtful():
    assert base._has_input(-1) is True


def test_a_connection_unused_for_a_while_gets_a_round_trip():
    pid = _request()
    later = time.monotonic() + base.ROUND_TRIP_AFTER + 1
    clock = mock.patch.object(base.time, "monotonic", return_value=later)
    with _round_trips() as full_check, clock:
        assert _request() == pid  # still alive, so kept
    full_check.assert_called_once()


def test_a_connection_the_server_closed_is_replaced_before_the_first_query():
    pid = _request()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server says goodbye on the socket; wait until it has arrived.
    deadline = time.monotonic() + 10
    while not base._has_input(connection.connection.fileno()):
        assert time.monotonic() < deadline, "the server never closed the connection"
        time.sleep(0.01)

    with _round_trips() as full_check:
        new_pid = _request()
    assert new_pid != pid
    full_check.assert_called_once()  # the doubtful socket was checked for real, and failed


def test_a_connection_inside_a_transaction_gets_a_round_trip():
    _request()
    connection.set_autocommit(False)
    try:
        _backend_pid()  # a transaction is now open on the server
        with _round_trips() as full_check:
            assert connection.is_usable()
        full_check.assert_called_once()
    finally:
        connection.rollback()
        connection.set_autocommit(True)
