"""The one bulk inserter: the same rows as ``bulk_create`` writes, on SQLite's real limit of
bound values (asked of the connection, not assumed), and ids in the order of the objects."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from reol.core import bulk
from reol.core.models import AuditEvent, Location

pytestmark = pytest.mark.django_db

SKIP = ("id", "at")  # the id, and the time stamp taken once per call (not once per object)


def events(world, tag: str, n: int) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return [
        AuditEvent(
            actor=world.librarian_a if i % 2 else None,
            actor_name=f"person {i}",
            action=f"{tag}.{i % 7}",
            object_type="item",
            object_id=str(i),
            object_repr=f"Bog nr. {i} – “æøå”",
            school=world.school_a,
            municipality=world.municipality,
            ip_address="10.0.0.1" if i % 3 else None,
            details={"n": i, "list": [1, 2]},
        )
        for i in range(n)
    ]


def rows(tag: str) -> list[dict]:
    found = AuditEvent.objects.filter(action__startswith=f"{tag}.").order_by("pk")
    return [{k: v for k, v in model_to_dict(e).items() if k not in SKIP} for e in found]


def test_insert_writes_what_bulk_create_writes_and_sets_the_ids(world):
    ours = events(world, "ours", 1500)
    bulk.insert(ours)
    AuditEvent.objects.bulk_create(events(world, "theirs", 1500))
    assert rows("ours") == [
        {**row, "action": row["action"].replace("theirs", "ours")} for row in rows("theirs")
    ]
    assert [e.pk for e in ours] == list(
        AuditEvent.objects.filter(action__startswith="ours.")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert all(not e._state.adding for e in ours)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own limit")
def test_statements_stay_within_the_connections_real_limit(world):
    """A SQLite built with the old limit of 999 values: the old catalogue inserter assumed
    30,000 and failed with "too many SQL variables"; the roster one assumed 999 everywhere."""
    connection.ensure_connection()
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        assert bulk.max_params(connection) == 999
        objs = events(world, "low", 400)  # 400 rows × 12 columns: 4,800 values
        bulk.insert(objs)
        assert AuditEvent.objects.filter(action__startswith="low.").count() == 400
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
    assert bulk.max_params(connection) == before


def test_insert_rows_gives_the_defaults_and_returns_ids_in_order(world):
    ids = bulk.insert_rows(
        Location,
        [{"school_id": world.school_a.pk, "code": f"B{n}", "name": f"Hylde {n}"} for n in range(3)],
    )
    found = Location.objects.filter(pk__in=ids).order_by("pk")
    assert [loc.code for loc in found] == ["B0", "B1", "B2"] and ids == sorted(ids)
    assert all(loc.kind == Location._meta.get_field("kind").default for loc in found)


def test_one_row_is_the_row_bulk_create_writes(world):
    """One object (the desk's loan, outbox entry and audit event): on PostgreSQL an INSERT …
    RETURNING instead of a sequence read and a COPY; the same row either way."""
    [ours] = events(world, "one", 1)
    bulk.insert([ours])
    AuditEvent.objects.bulk_create(events(world, "other", 1))
    assert rows("one") == [
        {**row, "action": row["action"].replace("other", "one")} for row in rows("other")
    ]
    assert AuditEvent.objects.get(pk=ours.pk).details == {"n": 0, "list": [1, 2]}


def test_one_row_breaking_a_constraint_raises_djangos_integrity_error(world):
    bulk.insert_rows(Location, [{"school_id": world.school_a.pk, "code": "U1", "name": "Hylde"}])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(
            Location, [{"school_id": world.school_a.pk, "code": "U1", "name": "Hylde igen"}]
        )
    assert Location.objects.filter(school=world.school_a, code="U1").count() == 1


def test_update_of_one_object_writes_its_fields_only(world):
    objs = events(world, "upd", 2)
    bulk.insert(objs)
    objs[0].object_repr, objs[0].actor_name = "ændret", "ikke skrevet"
    bulk.update([objs[0]], ["object_repr"])
    found = AuditEvent.objects.get(pk=objs[0].pk)
    assert (found.object_repr, found.actor_name) == ("ændret", "person 0")
    assert AuditEvent.objects.get(pk=objs[1].pk).object_repr == "Bog nr. 1 – “æøå”"


def test_json_that_orjson_refuses_is_written_as_json_dumps_writes_it(world):
    """A key that is not a string: json.dumps makes it one, orjson refuses it."""
    [ours] = events(world, "keys", 1)
    ours.details = {1: "one", "n": [1, 2]}
    bulk.insert([ours])
    assert AuditEvent.objects.get(pk=ours.pk).details == {"1": "one", "n": [1, 2]}
