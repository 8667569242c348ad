"""Fast bulk writes: ``insert`` is ``bulk_create`` and ``update`` is ``bulk_update``, faster.

The one bulk writer of every app: the MARC importer for every batch, the search outbox
(``catalog.services.queue_for_search``) and the roster importer (``insert_rows``: dicts of the
values an import sets, the other columns getting their defaults). See docs/architecture.md
("Importing"). A statement binds at most as many values as the database takes: SQLite's real
limit is asked of the connection (999 in old builds, 32,766 since 3.32, 250,000 in Debian's),
never assumed; PostgreSQL's protocol allows 65,535.
"""

from __future__ import annotations

import operator
import sqlite3
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models.fields import AutoFieldMixin

# --- Inserting new rows ----------------------------------------------------------------------
#
# ``bulk_create`` sends every value through the query compiler: some 4 µs a value, 30 values a
# record, the largest cost of an import after parsing. ``insert`` makes the INSERT once per
# model and prepares each value as the compiler does (the field's ``pre_save``, then its
# ``get_db_prep_save``), except strings for text columns and integers for integer columns
# that those would return unchanged, which go as they are. Like bulk_create it sets the new
# ids on the objects: from a multi-row INSERT … RETURNING on SQLite, from the table's sequence
# on PostgreSQL (whose rows then go by COPY; one row goes by INSERT … RETURNING, one round
# trip instead of two); any other database gets bulk_create itself. The desk's checkout and
# check-in write their loan, search outbox entry and audit event through it, one row each.

_PLAIN_TEXT = (models.CharField, models.TextField, models.URLField, models.SlugField)
_PLAIN_INTEGER = (
    models.IntegerField, models.SmallIntegerField, models.BigIntegerField,
    models.PositiveIntegerField, models.PositiveSmallIntegerField, models.PositiveBigIntegerField,
    models.AutoField, models.BigAutoField, models.SmallAutoField,
)  # fmt: skip
MAX_ROWS_PER_STATEMENT = 1000  # beyond this a longer statement saves nothing measurable
_POSTGRESQL_MAX_PARAMS = 65_535


def max_params(connection: BaseDatabaseWrapper) -> int:
    """How many values one statement may bind on ``connection``, as the database says."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    if connection.vendor == "postgresql":
        return _POSTGRESQL_MAX_PARAMS
    return int(connection.features.max_query_params or 999)


_NEXT_IDS = "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)"


class _Values:
    """The database values of some fields of objects, as the query compiler would make them.

    ``adding``: run the fields' ``pre_save`` as an INSERT does (auto_now and auto_now_add get
    one time stamp per call; bulk_create takes one per object, microseconds apart, in the same
    transaction); ``bulk_update`` does not run it, and neither does an update here.
    """

    def __init__(self, fields: list[Any], connection: BaseDatabaseWrapper, *, adding: bool) -> None:
        self.fields, self.connection = fields, connection
        self.get = operator.attrgetter(*(f.attname for f in fields))
        self.stamps = [
            (i, f) for i, f in enumerate(fields)
            if adding and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))
        ]  # fmt: skip
        stamped = {i for i, _f in self.stamps}
        self.pre_save = [
            (i, f)
            for i, f in enumerate(fields)
            if adding and type(f).pre_save is not models.Field.pre_save and i not in stamped
        ]
        plain_ints = (
            type(connection.ops).adapt_integerfield_value
            is BaseDatabaseOperations.adapt_integerfield_value
        )
        self.prepare: list[tuple[int, models.Field[Any, Any], tuple[type, ...]]] = []
        for i, f in enumerate(fields):
            target = f.target_field if isinstance(f, models.ForeignKey) else f
            if i in stamped:
                continue
            if type(target) in _PLAIN_TEXT and not isinstance(f, models.ForeignKey):
                self.prepare.append((i, f, (str, type(None))))
            elif type(target) in _PLAIN_INTEGER and plain_ints:
                self.prepare.append((i, f, (int, type(None))))
            else:
                self.prepare.append((i, f, ()))

    def __call__(self, objs: list[Any]) -> list[list[Any]]:
        stamps = []
        for i, f in self.stamps:
            value = f.pre_save(objs[0], True)
            for obj in objs:
                setattr(obj, f.attname, value)
            stamps.append((i, f.get_db_prep_save(value, connection=self.connection)))
        rows = []
        one = len(self.fields) == 1
        for obj in objs:
            row = [self.get(obj)] if one else list(self.get(obj))
            for i, f in self.pre_save:
                row[i] = f.pre_save(obj, True)
            for i, f, plain in self.prepare:
                if type(row[i]) not in plain:
                    row[i] = f.get_db_prep_save(row[i], connection=self.connection)
            for i, value in stamps:
                row[i] = value
            rows.append(row)
        return rows


class _Inserter:
    def __init__(self, model: type[models.Model], connection: BaseDatabaseWrapper) -> None:
        meta = model._meta
        self.connection = connection
        fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.pk]
        self.values = _Values(fields, connection, adding=True)
        # PostgreSQL: ids taken from the table's sequence, then the rows sent with COPY. A
        # multi-row INSERT there costs more to bind and plan than to run (psycopg parses its
        # thousands of placeholders in Python, and UNNEST's text arrays are escaped character
        # by character); executemany of one-row INSERTs is 1.5 times slower than COPY.
        self.sequence = connection.vendor == "postgresql"
        self.usable = (
            isinstance(meta.pk, AutoFieldMixin)
            and (_psycopg3() if self.sequence else connection.vendor == "sqlite")
            and connection.features.can_return_rows_from_bulk_insert
            and not any(hasattr(f, "get_placeholder") for f in fields)
        )
        qn = connection.ops.quote_name
        self.table, self.pk_column = meta.db_table, meta.pk.column
        self.quoted_table = qn(self.table)
        columns = ", ".join(qn(f.column) for f in fields)
        self.row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        # Only the model's own quoted table and column names go into the SQL; values are params.
        self.head = f"INSERT INTO {qn(self.table)} ({columns}) VALUES "  # noqa: S608
        self.copy_sql = f"COPY {qn(self.table)} ({qn(self.pk_column)}, {columns}) FROM STDIN"
        returning, self.returning_params = connection.ops.return_insert_columns([meta.pk])
        self.tail = f" {returning}" if returning else ""
        self.values_per_row = len(fields) + len(self.returning_params)

    def rows_per_statement(self) -> int:
        """Asked at each call: SQLite's limit belongs to the connection, which may be new."""
        most = max_params(self.connection) // max(1, self.values_per_row)
        return max(1, min(MAX_ROWS_PER_STATEMENT, most))

    def insert(self, objs: list[Any]) -> None:
        step = self.rows_per_statement()
        with self.connection.cursor() as cursor:
            for start in range(0, len(objs), step):
                chunk = objs[start : start + step]
                rows = self.values(chunk)
                if self.sequence and len(chunk) > 1:
                    cursor.execute(_NEXT_IDS, [self.quoted_table, self.pk_column, len(chunk)])
                    ids = cursor.fetchall()
                    with (
                        self.connection.wrap_database_errors,
                        cursor.cursor.copy(self.copy_sql) as copy,
                    ):
                        for (pk,), row in zip(ids, rows, strict=True):
                            copy.write_row([pk, *row])
                else:
                    sql = self.head + ", ".join([self.row_sql] * len(chunk)) + self.tail
                    cursor.execute(
                        sql, [v for row in rows for v in row] + list(self.returning_params)
                    )
                    ids = cursor.fetchall()
                if len(ids) != len(chunk):
                    raise RuntimeError(f"INSERT returned {len(ids)} ids for {len(chunk)} rows")
                for obj, (pk,) in zip(chunk, ids, strict=True):
                    obj.pk = pk
                    obj._state.adding = False
                    obj._state.db = self.connection.alias


def update(objs: list[Any], names: list[str]) -> None:
    """``type(objs[0]).objects.bulk_update(objs, names)``, faster: one short UPDATE per object
    with executemany, where bulk_update builds a CASE of every object for every column (the
    re-import of 10,000 records took 40 s in bulk_update, mostly in compiling that SQL)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    key = (id(connection), model, tuple(names))  # a connection per thread: one writer each
    updater = _updaters.get(key)
    if updater is None or updater[0] is not connection:
        updater = _updaters[key] = (connection, *_updater(model, names, connection))
    _connection, sql, values = updater
    if sql is None or values is None:
        model._default_manager.bulk_update(objs, names)
        return
    pk = model._meta.pk
    rows = [
        [*row, pk.get_db_prep_save(obj.pk, connection)]
        for obj, row in zip(objs, values(objs), strict=True)
    ]
    with connection.cursor() as cursor:
        if len(rows) == 1:  # the desk's one copy: executemany's batching only costs here
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


_updaters: dict[tuple[int, type[models.Model], tuple[str, ...]], Any] = {}


def _updater(
    model: type[models.Model], names: list[str], connection: BaseDatabaseWrapper
) -> tuple[str | None, _Values | None]:
    """The UPDATE of these fields by primary key and what prepares their values (None, None:
    a field this writer does not handle, for bulk_update)."""
    meta: Any = model._meta
    fields: list[Any] = [meta.get_field(name) for name in names]
    if any(not f.concrete or f.primary_key or hasattr(f, "get_placeholder") for f in fields):
        return None, None
    qn = connection.ops.quote_name
    columns = ", ".join(f"{qn(f.column)} = %s" for f in fields)
    table, where = qn(meta.db_table), qn(meta.pk.column)  # the model's own names
    sql = f"UPDATE {table} SET {columns} WHERE {where} = %s"  # noqa: S608
    return sql, _Values(fields, connection, adding=False)


def _psycopg3() -> bool:
    """COPY as the PostgreSQL path uses it is psycopg 3's (psycopg2 has another interface)."""
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return bool(is_psycopg3)


_inserters: dict[tuple[int, type[models.Model]], _Inserter] = {}


def insert(objs: list[Any]) -> None:
    """``type(objs[0]).objects.bulk_create(objs)``, faster (see above)."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    key = (id(connection), model)  # a connection per thread (gunicorn's threads): one each
    inserter = _inserters.get(key)
    if inserter is None or inserter.connection is not connection:
        inserter = _inserters[key] = _Inserter(model, connection)
    if inserter.usable:
        inserter.insert(objs)
    else:
        model._default_manager.bulk_create(objs)


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert one row per dict of attribute values (``{"school_id": 3, …}``); the new ids.

    Every column a dict leaves out gets the field's default, as ``Model(**row)`` gives it.
    """
    objs = [model(**row) for row in rows]
    insert(objs)
    return [obj.pk for obj in objs]
