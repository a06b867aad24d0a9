"""PostgreSQL, with a connection health check that needs no round trip on a busy connection.

With CONN_HEALTH_CHECKS, Django checks a persistent connection before the first query of every
request, and its PostgreSQL check is a `SELECT 1`: a round trip to the server, on every page. The
respondent's page needs only one query of its own, so that check was a large share of its cost
(docs/PERFORMANCE.md).

A server that ends a connection (a restart, an administrator terminating it, an idle timeout, a
crash of its process) sends an error and closes the socket, so the socket of an idle connection
that has anything to read is a dead, or at least a doubtful, connection. This backend therefore
checks a connection used moments ago by looking at its socket, and keeps the full `SELECT 1` for
every doubtful case:

* the socket has something to read, or cannot be polled;
* the connection is not idle outside a transaction;
* the server has not answered a `SELECT 1` (or a new connection) on it for `ROUND_TRIP_AFTER`
  seconds: a server can also go without a word (a machine switched off, a network cut, an
  address moved by a failover), which only a round trip can tell. So even a connection in
  constant use makes one round trip every few seconds, and no more.

Either way a connection that fails is closed and replaced before the request's first query, as
Django does with its own check. What this gives up: a server that vanishes without a word less
than `ROUND_TRIP_AFTER` seconds after its last check fails the next request on each connection
once (Django then drops the connection) instead of being caught by its `SELECT 1`.
"""

from __future__ import annotations

import select
import time

from django.db.backends.postgresql import base
from psycopg import Connection
from psycopg.pq import TransactionStatus

# Seconds after the server's last answer on a connection (a SELECT 1 or the connection itself)
# after which the check is a real round trip, however busy the connection, not a look at its socket.
ROUND_TRIP_AFTER = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._last_answer = float("-inf")  # time.monotonic() the server last proved it is there

    def get_new_connection(self, conn_params: dict) -> Connection:
        connection = super().get_new_connection(conn_params)
        self._last_answer = time.monotonic()
        return connection

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if (
            time.monotonic() - self._last_answer < ROUND_TRIP_AFTER
            and connection.info.transaction_status == TransactionStatus.IDLE
            and not _has_input(connection.fileno())
        ):
            return True
        usable = super().is_usable()  # SELECT 1
        if usable:
            self._last_answer = time.monotonic()
        return usable


def _has_input(fd: int) -> bool:
    """Whether the server sent anything unasked (or closed the socket); True if it cannot tell."""
    try:
        poller = select.poll()  # not on every platform: then a round trip
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    except (AttributeError, OSError, ValueError):
        return True
