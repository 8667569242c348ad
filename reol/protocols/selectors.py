"""Reads for the protocols: published schools, records and their holdings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search import selectors as cache
from reol.core.models import Municipality, School

from .models import SchoolPublication

cache.forget_on_change(SchoolPublication)


def _hiding(protocol: str, **where: Any) -> QuerySet[SchoolPublication]:
    """The publication rows that keep their school out of ``protocol`` ("sru" or "oai"): a
    school publishes unless its row says no."""
    return SchoolPublication.objects.filter(**where, **{protocol: False})


def published_schools(municipality: Municipality, protocol: str) -> list[School]:
    """The schools of a municipality that publish over ``protocol`` ("sru" or "oai")."""
    hidden = _hiding(protocol, school__municipality=municipality).values_list(
        "school_id", flat=True
    )
    return list(School.objects.filter(municipality=municipality).exclude(pk__in=hidden))


def _attnames(model: type[Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _sru_rows(code: str) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None:
    """The municipality's row and its schools' rows (values of every field, as the ORM
    converts them), each school's with whether it hides from SRU last."""
    found = Municipality.objects.filter(code=code).values_list(*_attnames(Municipality)).first()
    if found is None:
        return None
    hidden = _hiding("sru", school_id=OuterRef("pk"))
    schools = (
        School.objects.filter(municipality_id=found[0])
        .annotate(reol_hidden=Exists(hidden))
        .order_by("name", "id")
        .values_list(*_attnames(School), "reol_hidden")
    )
    return tuple(found), [tuple(row) for row in schools]


def sru_schools(code: str) -> tuple[Municipality, list[tuple[School, bool]]] | None:
    """The municipality with ``code`` and its schools (by name), each with whether it
    publishes over SRU; None if there is none. Every SRU request asks: the rows are kept per
    process (``reol.catalog.search.selectors.cached``: cleared when a municipality, school or
    publication is saved here, seen by other processes within a minute), and the instances are
    made anew for each request from them."""
    rows = cache.cached(("sru-schools", code), lambda: _sru_rows(code))
    if rows is None:
        return None
    municipality_row, school_rows = rows
    alias = connection.alias
    municipality = Municipality.from_db(alias, _attnames(Municipality), municipality_row)
    names = _attnames(School)
    schools = []
    for row in school_rows:
        school = School.from_db(alias, names, row[:-1])
        school.municipality = municipality
        schools.append((school, not row[-1]))
    return municipality, schools


def publication(school: School) -> SchoolPublication:
    found = SchoolPublication.objects.filter(school=school).first()
    return found or SchoolPublication(school=school)


@dataclass
class Holding:
    school_code: str
    school_name: str
    shelf_mark: str
    total: int = 0
    available: int = 0
    withdrawn: int = 0


@dataclass
class Holdings:
    """A record's copies at the published schools, counted per school."""

    schools: dict[str, Holding] = field(default_factory=dict)

    @property
    def live(self) -> list[Holding]:
        return [h for h in self.schools.values() if h.total > h.withdrawn]


# Only the records in WHERE: with ``school_id IN (…)`` as well, SQLite (no statistics) took the
# school's index, as one value looks more selective than twenty, and read every copy the
# school has for each page of records; the few copies at schools not asked about are
# skipped as they are read.
_HOLDINGS_SQL = """
SELECT record_id, school_id, status, shelf_mark FROM {item}
 WHERE record_id IN ({records})
 ORDER BY record_id, school_id, id
"""


def _marks(n: int) -> str:
    """``%s, %s, …``: the placeholders of ``n`` parameters."""
    return ", ".join(["%s"] * n)


def holdings(record_ids: Iterable[int], schools: list[School]) -> dict[int, Holdings]:
    """Copies per record and school, in one statement (withdrawn copies counted apart). Written
    as SQL: SRU and OAI-PMH read it for every page, and the query compiler cost more than the
    query (``bench/protocols.py``)."""
    ids = list(record_ids)
    if not ids or not schools:
        return {}
    sql = _HOLDINGS_SQL.format(item=Item._meta.db_table, records=_marks(len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
    return _count(rows, schools)


def _count(rows: Iterable[tuple[int, int, str, str]], schools: list[School]) -> dict[int, Holdings]:
    """Copies (record, school, status, shelf mark; by record, school and id) per record and
    school; copies at other schools skipped."""
    names = {s.pk: s for s in schools}
    found: dict[int, Holdings] = defaultdict(Holdings)
    for record_id, school_id, status, shelf_mark in rows:
        school = names.get(school_id)
        if school is None:
            continue
        per = found[record_id].schools.setdefault(
            school.code, Holding(school.code, school.name, shelf_mark)
        )
        per.total += 1
        per.available += status == ItemStatus.AVAILABLE
        per.withdrawn += status == ItemStatus.WITHDRAWN
    return found


# A page of records' stored MARC and their copies, in one statement (on PostgreSQL each is a
# round trip, and the search API SRU is measured against makes none). The record rows come
# first for each id (kind 0), then its copies by school and id.
_MARC_AND_HOLDINGS_SQL = """
SELECT id, 0, CAST(marc AS text), NULL, NULL, NULL, NULL FROM {record} WHERE id IN ({records})
UNION ALL
SELECT record_id, 1, NULL, school_id, status, shelf_mark, id FROM {item}
 WHERE record_id IN ({records})
 ORDER BY 1, 2, 4, 7
"""


def marc_and_holdings(
    record_ids: list[int], schools: list[School]
) -> tuple[dict[int, str], dict[int, Holdings]]:
    """The records' stored MARC-in-JSON as text, by id, and their ``holdings``, read in one
    statement."""
    if not record_ids:
        return {}, {}
    marks = _marks(len(record_ids))
    sql = _MARC_AND_HOLDINGS_SQL.format(
        record=Record._meta.db_table, item=Item._meta.db_table, records=marks
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, record_ids + record_ids)
        rows = cursor.fetchall()
    texts = {row[0]: row[2] for row in rows if row[1] == 0}
    copies = [(row[0], row[3], row[4], row[5]) for row in rows if row[1] == 1]
    return texts, _count(copies, schools)


def in_schools(schools: list[School]) -> Q:
    """Records that have (or had: withdrawn copies count) a copy at one of ``schools``, or
    were merged into another (reported as deleted)."""
    return Q(merged_into__isnull=False) | Q(
        Exists(Item.objects.filter(record_id=OuterRef("pk"), school__in=schools))
    )
