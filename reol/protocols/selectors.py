"""Reads for the protocols: published schools, records and their holdings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from reol.catalog.models import Item, ItemStatus, Record
from reol.core.models import Municipality, School

from .models import SchoolPublication


def published_schools(municipality: Municipality, protocol: str) -> list[School]:
    """The schools of a municipality that publish over ``protocol`` ("sru" or "oai")."""
    hidden = SchoolPublication.objects.filter(
        school__municipality=municipality, **{protocol: False}
    ).values_list("school_id", flat=True)
    return list(School.objects.filter(municipality=municipality).exclude(pk__in=hidden))


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
_MARC_SQL = "SELECT id, CAST(marc AS text) FROM {record} WHERE id IN ({records})"


def _marks(n: int) -> str:
    """``%s, %s, …``: the placeholders of ``n`` parameters."""
    return ", ".join(["%s"] * n)


def holdings(record_ids: Iterable[int], schools: list[School]) -> dict[int, Holdings]:
    """Copies per record and school, in one statement (withdrawn copies counted apart). Written
    as SQL: SRU and OAI-PMH read it for every page, and the query compiler cost more than the
    query (``bench/protocols.py``)."""
    names = {s.pk: s for s in schools}
    ids = list(record_ids)
    found: dict[int, Holdings] = defaultdict(Holdings)
    if not ids or not names:
        return found
    sql = _HOLDINGS_SQL.format(item=Item._meta.db_table, records=_marks(len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        rows = cursor.fetchall()
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


def marc_texts(record_ids: list[int]) -> dict[int, str]:
    """The records' stored MARC-in-JSON as text, by id, in one statement (SQL for the reason
    ``holdings`` is)."""
    if not record_ids:
        return {}
    sql = _MARC_SQL.format(record=Record._meta.db_table, records=_marks(len(record_ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, record_ids)
        return dict(cursor.fetchall())


def in_schools(schools: list[School]) -> Q:
    """Records that have (or had: withdrawn copies count) a copy at one of ``schools``, or
    were merged into another (reported as deleted)."""
    return Q(merged_into__isnull=False) | Q(
        Exists(Item.objects.filter(record_id=OuterRef("pk"), school__in=schools))
    )
