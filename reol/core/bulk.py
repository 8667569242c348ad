"""Fast bulk writes: ``insert`` is ``bulk_create`` and ``update`` is ``bulk_update``, faster.

The one bulk writer of every app: the MARC importer for every batch, the search outbox
(``catalog.services.queue_for_search``) and the roster importer (``insert_rows``: dicts of the
values an import sets, the other columns getting their defaults). See docs/architecture.md
("Importing"). A statement binds at most as many values as the database takes: SQLite's real
limit is asked of the connection (999 in old builds, 32,766 since 3.32, 250,000 in Debian's),
never assumed; PostgreSQL's protocol allows 65,535.
"""

from __future__ import annotations

import json
import operator
import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

import orjson
from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields import AutoFieldMixin
from django.db.models.fields.json import JSONField

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
# pre_save that only reads the attribute (a date field's, when it is not auto_now or
# auto_now_add: those are stamped)
_PLAIN_PRE_SAVE = (
    models.Field.pre_save,
    models.DateField.pre_save,
    models.DateTimeField.pre_save,
    models.TimeField.pre_save,
)
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
            if adding and type(f).pre_save not in _PLAIN_PRE_SAVE and i not in stamped
        ]
        plain_ints = (
            type(connection.ops).adapt_integerfield_value
            is BaseDatabaseOperations.adapt_integerfield_value
        )
        self.prepare: list[tuple[int, Callable[[Any], Any], tuple[type, ...]]] = []
        for i, f in enumerate(fields):
            target = f.target_field if isinstance(f, models.ForeignKey) else f
            if i in stamped:
                continue
            prepare = partial(f.get_db_prep_save, connection=connection)
            if type(target) in _PLAIN_TEXT and not isinstance(f, models.ForeignKey):
                self.prepare.append((i, prepare, (str, type(None))))
            elif type(target) in _PLAIN_INTEGER and plain_ints:
                self.prepare.append((i, prepare, (int, type(None))))
            else:
                self.prepare.append((i, _json_writer(f, connection) or prepare, ()))

    def __call__(self, objs: list[Any]) -> list[list[Any]]:
        stamps = []
        for i, f in self.stamps:
            value = f.pre_save(objs[0], True)
            for obj in objs:
                setattr(obj, f.attname, value)
            stamps.append((i, value))
        rows = []
        one = len(self.fields) == 1
        for obj in objs:
            row = [self.get(obj)] if one else list(self.get(obj))
            for i, f in self.pre_save:
                row[i] = f.pre_save(obj, True)
            rows.append(row)
        return self._prepared(rows, stamps)

    def of_dicts(self, dicts: list[dict[str, Any]]) -> list[list[Any]] | None:
        """The rows of dicts of attribute values (``{"school_id": 3, …}``), each column a dict
        leaves out with the field's default as ``Model(**values)`` gives it, without making
        the objects. None when that would not be the same: a key that is not a column's
        attribute name (``school=`` an object), a field whose ``pre_save`` needs its object, or
        a default the database makes."""
        fields = self.fields
        index = {f.attname: i for i, f in enumerate(fields)}
        if self.pre_save or any(f.db_default is not models.NOT_PROVIDED for f in fields):
            return None
        if any(not index.keys() >= d.keys() for d in dicts):
            return None
        # a default is one value for every row (as Model() shares it), a callable one made anew
        fixed = [
            None if f.has_default() and callable(f.default) else f.get_default() for f in fields
        ]
        fresh = [
            (i, f.get_default) for i, f in enumerate(fields) if fixed[i] is None and f.has_default()
        ]
        rows = []
        for d in dicts:
            row = fixed.copy()
            for i, make in fresh:
                row[i] = make()
            for name, value in d.items():
                row[index[name]] = value
            rows.append(row)
        bare = fields[0].model.__new__(fields[0].model)  # pre_save sets the stamp on it
        return self._prepared(rows, [(i, f.pre_save(bare, True)) for i, f in self.stamps])

    def _prepared(self, rows: list[list[Any]], stamps: list[tuple[int, Any]]) -> list[list[Any]]:
        """The rows with their values as the database takes them."""
        stamped = [(i, f.get_db_prep_save(v, connection=self.connection))
                   for (i, v), (_i, f) in zip(stamps, self.stamps, strict=True)]  # fmt: skip
        prepare = self.prepare
        for row in rows:
            for i, convert, plain in prepare:
                if type(row[i]) not in plain:
                    row[i] = convert(row[i])
            for i, value in stamped:
                row[i] = value
        return rows


# JSON columns: the value as JSON text by orjson, some ten times faster than json.dumps (the
# MARC record of every imported record: 7 % of an import's time). The same JSON, written
# compactly and with other characters than ASCII as themselves (json.dumps writes "\u00e6" for
# "æ"): the same value to every reader and to the database's own checks (SQLite's JSON_VALID,
# PostgreSQL's jsonb). What orjson refuses (a key that is not a string, an integer beyond 64
# bits, a lone surrogate) and any other value (None: SQL NULL; an expression) take Django's way.
_JSON_VALUES = (dict, list, str, int, bool)


def _json_text(value: Any) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(value)


def _json_bytes(value: Any) -> bytes | str:
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value)


def _json_writer(f: Any, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """What makes a JSON column's value its database value, as Django's JSONField would with
    the plain encoder, faster; None: not a plain JSONField, Django's own way."""
    if (
        type(f) is not JSONField
        or f.encoder is not None
        or type(f).get_db_prep_save is not JSONField.get_db_prep_save
    ):
        return None
    django_way = partial(f.get_db_prep_save, connection=connection)
    adapt = type(connection.ops).adapt_json_value
    if adapt is BaseDatabaseOperations.adapt_json_value:  # SQLite: JSON as text

        def as_text(value: Any) -> Any:
            return _json_text(value) if type(value) in _JSON_VALUES else django_way(value)

        return as_text
    if connection.vendor == "postgresql" and _psycopg3():  # a Jsonb with orjson's dumps
        from django.db.backends.postgresql.psycopg_any import Jsonb  # PostgreSQL's driver

        def as_jsonb(value: Any) -> Any:
            if type(value) in _JSON_VALUES:
                return Jsonb(value, dumps=_json_bytes)
            return django_way(value)

        return as_jsonb
    return None


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
        ids = self.write(self.values(objs))
        for obj, pk in zip(objs, ids, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = self.connection.alias

    def write(self, rows: list[list[Any]]) -> list[Any]:
        """Insert rows of prepared values; their new ids, in order."""
        step = self.rows_per_statement()
        found: list[Any] = []
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), step):
                chunk = rows[start : start + step]
                if self.sequence and len(chunk) > 1:
                    cursor.execute(_NEXT_IDS, [self.quoted_table, self.pk_column, len(chunk)])
                    ids = cursor.fetchall()
                    with (
                        self.connection.wrap_database_errors,
                        cursor.cursor.copy(self.copy_sql) as copy,
                    ):
                        for (pk,), row in zip(ids, chunk, strict=True):
                            copy.write_row([pk, *row])
                else:
                    sql = self.head + ", ".join([self.row_sql] * len(chunk)) + self.tail
                    cursor.execute(
                        sql, [v for row in chunk for v in row] + list(self.returning_params)
                    )
                    ids = cursor.fetchall()
                if len(ids) != len(chunk):
                    raise RuntimeError(f"INSERT returned {len(ids)} ids for {len(chunk)} rows")
                found.extend(pk for (pk,) in ids)
        return found


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
_M = TypeVar("_M", bound=models.Model)


def _inserter(model: type[models.Model]) -> _Inserter:
    connection = connections[router.db_for_write(model)]
    key = (id(connection), model)  # a connection per thread (gunicorn's threads): one each
    inserter = _inserters.get(key)
    if inserter is None or inserter.connection is not connection:
        inserter = _inserters[key] = _Inserter(model, connection)
    return inserter


def insert(objs: list[Any]) -> None:
    """``type(objs[0]).objects.bulk_create(objs)``, faster (see above)."""
    if not objs:
        return
    model = type(objs[0])
    inserter = _inserter(model)
    if inserter.usable:
        inserter.insert(objs)
    else:
        model._default_manager.bulk_create(objs)


def maker(model: type[_M], **values: Any) -> Callable[[], _M]:
    """``lambda: model(**values)``, some ten times faster: a copy of one object made once, the
    fields with a callable default (``default=list``) given a value of their own each time.
    The importer makes one Record per record read (``Model.__init__`` walks every field)."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return lambda: model(**values)
    template = model(**values)
    attrs = {k: v for k, v in template.__dict__.items() if k != "_state"}
    cache = dict(template._state.fields_cache)  # the related objects given (municipality=…)
    fresh = [
        (f.attname, f.get_default)
        for f in model._meta.concrete_fields
        if f.name not in values and f.attname not in values and f.has_default()
        and callable(f.default)
    ]  # fmt: skip
    new = model.__new__

    def make() -> _M:
        obj = new(model)
        state = ModelState()
        state.fields_cache = dict(cache)
        obj.__dict__.update(attrs, _state=state)
        for name, default in fresh:
            obj.__dict__[name] = default()
        return obj

    return make


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert one row per dict of attribute values (``{"school_id": 3, …}``); the new ids.

    Every column a dict leaves out gets the field's default, as ``Model(**row)`` gives it. The
    rows go without model objects when they can (an import's copies, ISBNs and search outbox
    entries: making the objects cost more than writing them), else as objects through
    ``insert``.
    """
    if not rows:
        return []
    inserter = _inserter(model)
    plain = not (signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model))
    values = inserter.values.of_dicts(rows) if inserter.usable and plain else None
    if values is not None:
        return [int(pk) for pk in inserter.write(values)]
    objs = [model(**row) for row in rows]
    insert(objs)
    return [obj.pk for obj in objs]


# --- After a bulk write -------------------------------------------------------------------------

# Fewer rows than this written by one import leave the statistics to autovacuum.
STATISTICS_AFTER_ROWS = 1000


def refresh_statistics(written: int, *model_classes: type[models.Model]) -> None:
    """Have PostgreSQL gather its planner's statistics of these tables now, after an import.

    Autovacuum analyzes a table whose rows changed by a tenth, but only at its next round (a
    minute). Until then the planner guesses one row for any condition on a table it has never
    analyzed: on a new installation, the first checkouts after the first imports counted a
    patron's loans through a nested loop over every copy (10 ms instead of 0.4; found with
    bench/checkout_profile.py). ``ANALYZE`` reads a sample of each table (30,000 rows at
    most), a second or so at a million; it blocks no reader or writer. SQLite keeps no
    statistics unless asked, and Reol's statements are written for its planner without them.
    """
    connection = connections[router.db_for_write(model_classes[0])]
    if connection.vendor != "postgresql" or written < STATISTICS_AFTER_ROWS:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in model_classes)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
