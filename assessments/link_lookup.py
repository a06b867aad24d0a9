"""The invitation behind a personal link, with its cycle, bank, place and draft, in one query.

Every page a respondent opens starts with this read, so it is the hottest query in the app
(docs/PERFORMANCE.md). Compiling the equivalent `select_related()` queryset costs several times
more CPU than running it, on every request. So the SQL is written out once per database alias,
from the models' own fields (those named in `_FIELDS`, and the whole draft), and each row becomes
model instances through the same converters and the same relation caches the ORM would use:
callers get ordinary model instances, the fields left out deferred as `.only()` defers them, and
nothing the respondent's pages use left to read.

The instances hold what `Model.from_db()` would give them, without going through
`Model.__init__`: for a row read from the database, `__init__` only stores each value in the
instance's `__dict__` (through `setattr`, one field at a time) and sends `pre_init` and
`post_init`. Storing the values directly gives the same instances and took 140,000 instructions
off each request for the five of them (of the questionnaire page's 2.9 million, counted by
bench/instructions.py). It is done only while no receiver listens to either signal, and only for
models that neither replace `__init__` or `from_db()` nor have a field attribute of their own;
otherwise the instances come from `from_db()`.

Each connection keeps one database cursor for it from one request to the next
(`_kept_cursor`): psycopg sets up a new cursor's value loaders, one per column type, for its
first query, and a cursor that runs the same query again keeps them. That took 95,000
instructions off each request (bench/instructions.py). Whenever queries are logged (DEBUG,
`CaptureQueriesContext`, so the query-count tests) or wrapped (`connection.execute_wrapper()`),
the query goes through Django's own cursor wrapper, and is seen like any other; otherwise the
lookup makes the wrapper's checks itself instead of making a wrapper (`_rows`), 22,000
instructions less.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils.asyncio import async_unsafe

from assessments.models import Cycle, DraftResponse, Invitation, QuestionBank
from places.models import Place


@dataclass(frozen=True)
class _Part:
    """One model's columns in the joined row."""

    model: type[models.Model]
    names: tuple[str, ...]  # attnames, in column order
    start: int
    converters: tuple[tuple[int, tuple, object], ...]  # (position, converter functions, column)
    plain: bool  # every field's attribute stores the value it is given, unchanged

    @property
    def stop(self) -> int:
        return self.start + len(self.names)

    def instance(self, row: tuple, connection) -> models.Model:
        values = list(row[self.start : self.stop])
        for position, functions, column in self.converters:
            value = values[position]
            for convert in functions:
                value = convert(value, column, connection)
            values[position] = value
        if not self.plain or pre_init.receivers or post_init.receivers:
            return self.model.from_db(connection.alias, self.names, values)
        # What from_db() and __init__ leave (see the module's docstring): the loaded values in
        # __dict__, where a deferred field is one that is missing, and where the row came from.
        instance = self.model.__new__(self.model)
        state = instance._state = ModelState()
        state.adding = False
        state.db = connection.alias
        instance.__dict__.update(zip(self.names, values, strict=True))
        return instance


# The attributes Django puts on a model class for its concrete fields when nothing replaces them:
# reading gives what is in the instance's __dict__, writing stores the value as it is (a foreign
# key's id also forgets a cached related object, which a new instance does not have).
_PLAIN_ATTRIBUTES = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain(model: type[models.Model]) -> bool:
    """Whether from_db() would make this model's instances exactly as `_Part.instance` does."""
    return (
        model.__init__ is models.Model.__init__
        and model.from_db.__func__ is models.Model.from_db.__func__
        and all(
            type(model.__dict__.get(field.attname)) in _PLAIN_ATTRIBUTES
            for field in model._meta.concrete_fields
        )
    )


# The fields the respondent's pages use, of every model but the draft (read whole). The others
# are left deferred, as `.only()` leaves them: read with a query of their own on first use, which
# no respondent page does (tests/test_respond_hot_path.py walks the journey with such reads
# refused). The row is 27 columns instead of 50; eight of those left out are timestamps, the
# dearest to send and to read back. Leaving them out took 120,000 instructions off the page.
_FIELDS = {
    Invitation: ("id", "cycle", "partner", "name", "revoked_at", "submitted"),
    Cycle: ("id", "place", "bank", "name", "status", "min_group_size", "closes_on"),
    # Enough to find the published bank's questionnaire, which brings the whole bank
    # (respond_pages.Questionnaire.for_bank).
    QuestionBank: ("id", "status", "published_at"),
    Place: ("id", "name"),
}

# (model, table alias, how it joins: (join kind, its column, the column it matches)).
_TABLES = (
    (Invitation, "i", None),
    (Cycle, "c", ("JOIN", "id", ("i", Invitation, "cycle"))),
    (QuestionBank, "b", ("JOIN", "id", ("c", Cycle, "bank"))),
    (Place, "p", ("JOIN", "id", ("c", Cycle, "place"))),
    (DraftResponse, "d", ("LEFT JOIN", "invitation", ("i", Invitation, "id"))),
)


@functools.lru_cache(maxsize=8)
def _compiled(alias: str) -> tuple[str, tuple[_Part, ...]]:
    return _compile(connections[alias])


def _unbound(function: Callable, connection) -> Callable:
    """A converter that works with whichever connection (one per thread) runs the query.

    The database operations' converters are methods bound to one connection: cached as they are,
    they would keep that connection (and its thread's) alive for good.
    """
    if getattr(function, "__self__", None) is connection.ops:
        method = function.__func__
        return lambda value, column, conn: method(conn.ops, value, column, conn)
    return function


def _compile(connection) -> tuple[str, tuple[_Part, ...]]:
    quote = connection.ops.quote_name

    def column(alias: str, model: type[models.Model], field: str) -> str:
        return f"{alias}.{quote(model._meta.get_field(field).column)}"

    columns, parts, tables = [], [], []
    for model, alias, join in _TABLES:
        fields = model._meta.concrete_fields
        if model in _FIELDS:
            wanted = {model._meta.get_field(name).name for name in _FIELDS[model]}  # no typos
            fields = [field for field in fields if field.name in wanted]
        converters = []
        for position, field in enumerate(fields):
            col = field.get_col(alias)
            functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if functions:
                converters.append(
                    (position, tuple(_unbound(f, connection) for f in functions), col)
                )
            columns.append(f"{alias}.{quote(field.column)}")
        parts.append(
            _Part(
                model=model,
                names=tuple(field.attname for field in fields),
                start=sum(len(part.names) for part in parts),
                converters=tuple(converters),
                plain=_plain(model),
            )
        )
        table = f"{quote(model._meta.db_table)} {alias}"
        if join is None:
            tables.append(table)
        else:
            kind, own, (other_alias, other_model, other) = join
            on = f"{column(alias, model, own)} = {column(other_alias, other_model, other)}"
            tables.append(f"{kind} {table} ON {on}")
    # Every name comes from the models' metadata; the token hash is the one bound parameter.
    where = f"WHERE {column('i', Invitation, 'token_hash')} = %s"
    sql = " ".join(["SELECT", ", ".join(columns), "FROM", *tables, where])
    return sql, tuple(parts)


@async_unsafe  # as every query through the ORM: never from inside an event loop
def invitation_by_token_hash(token_hash: str, using: str = "default") -> Invitation | None:
    """The invitation with this token hash, its relations loaded; None if there is none."""
    connection = connections[using]
    sql, parts = _compiled(using)
    rows = _rows(connection, sql, [token_hash])  # at most one: the hash is unique
    if not rows:
        return None
    row = rows[0]
    invitation, cycle, bank, place, draft = (part.instance(row, connection) for part in parts)
    if draft.pk is None:  # no draft: every column of the outer join is NULL
        draft = None
    # What select_related() does with the related rows it read: cache each on the instance
    # pointing at it (the ids already match, so nothing else is set), and for the reverse
    # one-to-one the draft, or its absence, on the invitation and the invitation on the draft.
    cache_bank, cache_place, cache_cycle, cache_draft, cache_invitation = _relation_caches()
    cache_bank(cycle, bank)
    cache_place(cycle, place)
    cache_cycle(invitation, cycle)
    cache_draft(invitation, draft)
    if draft is not None:
        cache_invitation(draft, invitation)
    return invitation


# Each connection's database cursor for the lookup, dropped with the connection's wrapper (one
# per thread) when the wrapper goes: the cursor refers to the database connection, not to it.
_cursors: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _kept_cursor(connection):
    """The database cursor `connection.cursor()` would wrap, the same one each time, or a new one
    when the connection is new. Never closed by us: it goes with its connection."""
    # As connection.cursor() begins: the request's health check, then a connection if none.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    cursor = _cursors.get(connection)
    if cursor is None or cursor.connection is not connection.connection:
        with connection.wrap_database_errors:
            cursor = _cursors[connection] = connection.create_cursor()
    return cursor


def _rows(connection, sql: str, params: list) -> list[tuple]:
    """Every row the query reads (fetchall: so a SQLite statement is always finished), on the
    connection's kept cursor."""
    cursor = _kept_cursor(connection)
    if connection.queries_logged or connection.execute_wrappers:
        # Logged (DEBUG, CaptureQueriesContext and so the query-count tests) or wrapped
        # (connection.execute_wrapper()): through Django's own cursor wrapper, which does both.
        wrapped = connection._prepare_cursor(cursor)
        wrapped.execute(sql, params)
        return wrapped.fetchall()
    # Otherwise what that wrapper's execute() and fetchall() do, without making one: its checks
    # and Django's exceptions for the database's. 22,000 instructions a request less.
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        cursor.execute(sql, params)
        return cursor.fetchall()


@functools.cache
def _relation_caches() -> tuple[Callable[[models.Model, models.Model | None], None], ...]:
    """The fields' set_cached_value() for cycle.bank, cycle.place, invitation.cycle,
    invitation.draft and draft.invitation, looked up once (the reverse one needs the app
    registry, so not at import)."""
    relations = (
        (Cycle, "bank"),
        (Cycle, "place"),
        (Invitation, "cycle"),
        (Invitation, "draft"),
        (DraftResponse, "invitation"),
    )
    return tuple(model._meta.get_field(name).set_cached_value for model, name in relations)
