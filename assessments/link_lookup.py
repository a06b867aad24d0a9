"""The invitation behind a personal link, with its cycle, bank, place and draft, in one query.

Every page a respondent opens starts with this read, so it is the hottest query in the app
(docs/PERFORMANCE.md). Compiling the equivalent `select_related()` queryset costs several times
more CPU than running it, on every request. So the SQL is written out once per database
connection, from the models' own field lists (it follows every migration), and each row becomes
model instances through the same converters and the same relation caches the ORM would use:
callers get ordinary model instances, with no lazy query left to fire.

It still runs through Django's cursor, so query logging, `CaptureQueriesContext` and the
query-count tests see it like any other query.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.db import connections, models

from assessments.models import Cycle, DraftResponse, Invitation, QuestionBank
from places.models import Place


@dataclass(frozen=True)
class _Part:
    """One model's columns in the joined row."""

    model: type[models.Model]
    names: tuple[str, ...]  # attnames, in column order
    start: int
    converters: tuple[tuple[int, tuple, object], ...]  # (position, converter functions, column)

    @property
    def stop(self) -> int:
        return self.start + len(self.names)

    def instance(self, row: tuple, db: str) -> models.Model:
        values = list(row[self.start : self.stop])
        for position, functions, column in self.converters:
            value = values[position]
            for convert in functions:
                value = convert(value, column, connections[db])
            values[position] = value
        return self.model.from_db(db, self.names, values)


# (model, alias, how it joins the invitation row)
_TABLES = (
    (Invitation, "i", None),
    (Cycle, "c", 'JOIN {table} c ON c."id" = i."cycle_id"'),
    (QuestionBank, "b", 'JOIN {table} b ON b."id" = c."bank_id"'),
    (Place, "p", 'JOIN {table} p ON p."id" = c."place_id"'),
    (DraftResponse, "d", 'LEFT JOIN {table} d ON d."invitation_id" = i."id"'),
)


@functools.lru_cache(maxsize=8)
def _compiled(alias: str, vendor: str) -> tuple[str, tuple[_Part, ...]]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    columns, parts, joins = [], [], []
    for model, table_alias, join in _TABLES:
        fields = model._meta.concrete_fields
        converters = []
        for position, field in enumerate(fields):
            column = field.get_col(table_alias)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if functions:
                converters.append((position, tuple(functions), column))
            columns.append(f"{table_alias}.{quote(field.column)}")
        parts.append(
            _Part(
                model=model,
                names=tuple(field.attname for field in fields),
                start=sum(len(part.names) for part in parts),
                converters=tuple(converters),
            )
        )
        if join:
            joins.append(join.format(table=quote(model._meta.db_table)))
    # Names come from the models' metadata only; the token hash is the one bound parameter.
    sql = " ".join(
        [
            "SELECT",
            ", ".join(columns),
            "FROM",
            quote(Invitation._meta.db_table),
            "i",
            *joins,
            'WHERE i."token_hash" = %s',
        ]
    )
    return sql, tuple(parts)


def invitation_by_token_hash(token_hash: str, using: str = "default") -> Invitation | None:
    """The invitation with this token hash, its relations loaded; None if there is none."""
    connection = connections[using]
    sql, parts = _compiled(using, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    invitation, cycle, bank, place, draft = (part.instance(row, using) for part in parts)
    cycle.bank = bank
    cycle.place = place
    invitation.cycle = cycle
    if draft.pk is None:  # no draft: every column of the outer join is NULL
        draft = None
    # What select_related() does for a reverse one-to-one: cache the draft, or its absence, on
    # the invitation, and the invitation on the draft.
    Invitation._meta.get_field("draft").set_cached_value(invitation, draft)
    if draft is not None:
        DraftResponse._meta.get_field("invitation").set_cached_value(draft, invitation)
    return invitation
