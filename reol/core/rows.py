"""Model instances from a hand-written ``SELECT``, for the few hot paths where building the
ORM's query costs more than running it (the desk's checkout and check-in: Django's query
compiler was about 40 % of a checkout's CPU, the SQL itself a tenth of a millisecond).

A ``Shape`` names each model a statement reads: its table alias and the fields read (all
concrete fields unless named). ``columns()`` is the select list; ``build(row)`` turns one row
into the instances, each value converted as the ORM converts it (SQLite answers dates as text,
booleans as integers, decimals as floats; a field's own ``from_db_value`` too), with the
converters asked of the backend once per database alias. An instance read with only some
fields has the others deferred, as ``QuerySet.only()`` gives it. ``set_related`` puts a joined
instance in its foreign key's cache, as ``select_related`` does, so reading it costs no query.

    COPY = Shape((Item, "i"), (Record, "r", ["id", "title"]))
    sql = f"SELECT {COPY.columns()} FROM catalog_item i JOIN catalog_record r ON …"
    [(item, record)] = COPY.fetch(sql, [barcode])
    set_related(item, "record", record)

Only the model's own table and column names go into the SQL; values are always parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


class _Part:
    def __init__(self, model: type[Model], alias: str, names: Sequence[str] | None) -> None:
        meta: Any = model._meta
        wanted = None if names is None else {meta.get_field(n).attname for n in names}
        if wanted is not None:
            wanted.add(meta.pk.attname)  # an instance without its primary key is of no use
        # In the order of the model's concrete fields: ``Model.from_db`` takes them so.
        self.fields: list[Field[Any, Any]] = [
            f for f in meta.concrete_fields if wanted is None or f.attname in wanted
        ]
        self.model, self.alias = model, alias
        self.attnames = [f.attname for f in self.fields]
        self.pk_index = self.attnames.index(meta.pk.attname)


class Shape:
    """The models one hand-written statement reads, in the order of its select list."""

    def __init__(
        self,
        *parts: tuple[type[Model], str] | tuple[type[Model], str, Sequence[str]],
        extra: Sequence[str] = (),
    ):
        self.parts = [_Part(part[0], part[1], part[2] if len(part) > 2 else None) for part in parts]
        self.extra = list(extra)  # more expressions after the models' columns, read as they come
        self._converters: dict[str, list[tuple[int, list[Converter], Any]]] = {}
        self._columns: dict[str, str] = {}

    def columns(self, using: str = "default") -> str:
        """The select list: every field read, as ``alias."column"``."""
        found = self._columns.get(using)
        if found is None:
            quote = connections[using].ops.quote_name
            found = ", ".join(
                [f"{p.alias}.{quote(f.column)}" for p in self.parts for f in p.fields] + self.extra
            )
            self._columns[using] = found
        return found

    def _converters_for(self, connection: BaseDatabaseWrapper) -> list[tuple[int, list[Any], Any]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            position = 0
            for part in self.parts:
                for field in part.fields:
                    column = field.get_col(part.alias)
                    converters = [
                        *connection.ops.get_db_converters(column),
                        *column.get_db_converters(connection),
                    ]
                    if converters:
                        found.append((position, converters, column))
                    position += 1
            self._converters[connection.alias] = found
        return found

    def build(self, row: Sequence[Any], using: str = "default") -> list[Any]:
        """The instances of one row (None for a model whose outer join found nothing), then
        the values after the models' columns (``extra``, and any the statement adds after
        ``columns()``) as the database answered them."""
        connection = connections[using]
        values = list(row)
        for position, converters, column in self._converters_for(connection):
            value = values[position]
            for convert in converters:
                value = convert(value, column, connection)
            values[position] = value
        instances: list[Any] = []
        start = 0
        for part in self.parts:
            mine = values[start : start + len(part.fields)]
            start += len(part.fields)
            if mine[part.pk_index] is None:
                instances.append(None)
            else:
                instances.append(part.model.from_db(connection.alias, part.attnames, mine))
        instances.extend(values[start:])
        return instances

    def fetch(self, sql: str, params: Iterable[Any], using: str = "default") -> list[list[Any]]:
        """Run the statement; each row as its instances."""
        return [self.build(row, using) for row in self.rows(sql, params, using)]

    def rows(self, sql: str, params: Iterable[Any], using: str = "default") -> list[Any]:
        """Run the statement; the rows as they come (``build`` the ones wanted: a person's
        roles come as one row each, and one instance of the person is enough)."""
        with connections[using].cursor() as cursor:
            cursor.execute(sql, list(params))
            return cursor.fetchall()


def set_related(instance: Model, name: str, related: Model | None) -> None:
    """``instance.<name>`` is ``related`` from now on, without a query (as ``select_related``)."""
    field = instance._meta.get_field(name)
    field.set_cached_value(instance, related)  # type: ignore[union-attr]
