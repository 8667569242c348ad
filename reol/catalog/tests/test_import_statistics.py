"""After a large import PostgreSQL's planner has its statistics at once (``refresh_statistics``):
a new installation's first checkouts after its first imports must not be planned blind."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reol.catalog import sample
from reol.catalog.importer import import_marc
from reol.catalog.models import Item, Record
from reol.core import bulk

pytestmark = pytest.mark.django_db


def _import(world, tmp_path, n: int) -> list[str]:
    path = tmp_path / "records.mrc"
    sample.write_iso2709(path, n)
    with CaptureQueriesContext(connection) as queries, open(path, "rb") as stream:
        report = import_marc(world.librarian_a, world.school_a, stream)
    assert report.created == n and report.copies_created > 0
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_large_import_analyzes_its_tables_on_postgresql(world, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "STATISTICS_AFTER_ROWS", 20)
    analyzed = _import(world, tmp_path, 30)
    if connection.vendor != "postgresql":  # SQLite: Reol keeps it without statistics
        assert analyzed == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchall() == []
        return
    assert analyzed == ['ANALYZE "catalog_record", "catalog_recordisbn", "catalog_item"']
    with connection.cursor() as cursor:  # what the planner now believes of the tables
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN (%s, %s)",
            ["catalog_record", "catalog_item"],
        )
        believed = dict(cursor.fetchall())
    assert believed == {
        "catalog_record": Record.objects.count(),
        "catalog_item": Item.objects.count(),
    }


def test_a_small_import_leaves_the_statistics_to_autovacuum(world, tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "STATISTICS_AFTER_ROWS", 1000)
    assert _import(world, tmp_path, 5) == []
