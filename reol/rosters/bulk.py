"""Inserting many rows fast: ``insert(Model, [{attname: value}, …])`` returns the new ids.

``bulk_create`` builds model instances and sends every value through the query compiler (some
4 µs a value: most of a 100,000-student import). Here a row is a dict of the values the
importer sets; every other column gets the field's default (``auto_now_add`` gets now), so a
field another app adds with a default needs no change here. Values are passed to the database
as they are, except dates and times (adapted as Django adapts them) and anything that is not a
plain str/int/bool/None (through the field's ``get_db_prep_save``). One multi-row
``INSERT … RETURNING id`` per chunk; both SQLite (3.35+) and PostgreSQL return the ids in the
order of the rows, which is what ``bulk_create`` relies on too.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from django.db import connections, models, router
from django.utils import timezone

# SQLite's old default limit of bound parameters is 999 (Django assumes it); PostgreSQL's 65,535.
_MAX_PARAMS = {"sqlite": 999, "postgresql": 30_000}
_PLAIN = (str, int, bool, type(None))


def insert(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk and not f.generated]
    now = timezone.now()
    defaults: list[Callable[[], Any]] = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = now if isinstance(f, models.DateTimeField) else now.date()
            defaults.append(functools.partial(_same, stamp))
        elif f.has_default() and callable(f.default):
            defaults.append(f.default)
        else:
            defaults.append(functools.partial(_same, f.get_default()))
    prepare = [_preparer(f, connection) for f in fields]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, _MAX_PARAMS.get(connection.vendor, 999) // len(fields))
    names = [f.attname for f in fields]
    # The model's own table and column names are quoted into the SQL; values are parameters.
    head = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {qn(meta.pk.column)}"
    ids: list[int] = []
    if connection.vendor == "postgresql" and _psycopg3():
        return _copy(connection, meta, fields, names, defaults, prepare, rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params: list[Any] = []
            for row in chunk:
                for name, default, prep in zip(names, defaults, prepare, strict=True):
                    value = row[name] if name in row else default()
                    params.append(value if type(value) in _PLAIN else prep(value))
            cursor.execute(head + ", ".join([placeholders] * len(chunk)) + tail, params)
            got = [pk for (pk,) in cursor.fetchall()]
            if len(got) != len(chunk):
                raise RuntimeError(f"INSERT returned {len(got)} ids for {len(chunk)} rows")
            ids.extend(got)
    return ids


def _copy(
    connection: Any,
    meta: Any,
    fields: list[models.Field[Any, Any]],
    names: list[str],
    defaults: list[Callable[[], Any]],
    prepare: list[Callable[[Any], Any]],
    rows: list[dict[str, Any]],
) -> list[int]:
    """PostgreSQL: ids from the table's sequence, then the rows by COPY. A multi-row INSERT
    with thousands of placeholders costs psycopg more to bind than the server to run."""
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in [meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        # The model's own table and column names are quoted into the SQL; rows go as data.
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for pk, row in zip(ids, rows, strict=True):
                values = [pk]
                for name, default, prep in zip(names, defaults, prepare, strict=True):
                    value = row[name] if name in row else default()
                    values.append(value if type(value) in _PLAIN else prep(value))
                copy.write_row(values)
    return ids


def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return bool(is_psycopg3)


def _same(value: Any) -> Any:
    return value


def _preparer(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    if isinstance(field, models.DateTimeField):
        # Most rows share one time stamp ("now"): adapted once.
        return functools.lru_cache(maxsize=4)(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lambda v: connection.ops.adapt_datefield_value(v) if isinstance(v, dt.date) else v
    return lambda v: field.get_db_prep_save(v, connection)
