"""Reol's SQLite backend (``reol/core/sqlite/base.py``): the statement texts it rewrites for
SQLite are remembered, and still right; the WAL is checkpointed after the write lock is given
back, and a failed checkpoint never fails a commit."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the placeholder rewriting is SQLite's")


def test_a_statement_is_rewritten_once_and_answers_the_same_every_time() -> None:
    from reol.core.sqlite.base import _qmark

    sql = "SELECT %s || '%%', %s WHERE 'a%%' LIKE %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, ["x", 2, "a%"])
        first = cursor.fetchone()
        before = _qmark.cache_info()
        cursor.execute(sql, ["y", 3, "a%"])
        second = cursor.fetchone()
        after = _qmark.cache_info()
    assert first == ("x%", 2)
    assert second == ("y%", 3)
    assert after.hits == before.hits + 1
    assert after.misses == before.misses


def test_named_parameters_still_reach_sqlite() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 2, "b": 3})
        assert cursor.fetchone() == (5,)


def test_a_very_long_statement_is_rewritten_but_not_remembered() -> None:
    from reol.core.sqlite.base import _REMEMBERED_UP_TO, _qmark

    marks = ", ".join(["%s"] * 3000)  # a list of thousands of ids
    sql = "SELECT count(*) FROM (SELECT 1 AS x) WHERE x IN (" + marks + ")"  # noqa: S608
    assert len(sql) > _REMEMBERED_UP_TO
    before = _qmark.cache_info()
    with connection.cursor() as cursor:
        cursor.execute(sql, list(range(3000)))
        assert cursor.fetchone() == (1,)
    after = _qmark.cache_info()
    assert after.currsize == before.currsize
    assert (after.hits, after.misses) == (before.hits, before.misses)


# --- Checkpoints outside the write queue -------------------------------------------------------


def _wal_bytes() -> int:
    path = f"{connection.settings_dict['NAME']}-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


def _write_pages(commits: int) -> None:
    """``commits`` transactions that each write about four pages."""
    for n in range(commits):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO reol_wal_probe (body) VALUES (%s)", [f"{n % 10}" * 12_000])


@pytest.fixture
def probe_table() -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS reol_wal_probe (id INTEGER PRIMARY KEY, body)")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE reol_wal_probe")


@pytest.mark.django_db(transaction=True)
def test_the_wal_is_checkpointed_every_few_commits_after_the_lock_is_given_back(
    monkeypatch: pytest.MonkeyPatch, probe_table: None
) -> None:
    from reol.core.sqlite import base

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone() == (base.CHECKPOINT_BACKSTOP_PAGES,)  # SQLite's own: a backstop
    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 8)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty WAL file to start from
    assert _wal_bytes() == 0
    _write_pages(80)  # ~320 pages, 1.3 MB: under the backstop, so only Reol checkpoints
    # Each checkpoint lets the next writer start the WAL again from its beginning, so the file
    # never grows past a few commits' pages; without them it would hold all eighty.
    assert 0 < _wal_bytes() < 20 * 4 * 4096


@pytest.mark.django_db(transaction=True)
def test_a_checkpoint_that_fails_is_not_the_commits_failure(
    monkeypatch: pytest.MonkeyPatch, probe_table: None, caplog: pytest.LogCaptureFixture
) -> None:
    from reol.core.sqlite import base

    monkeypatch.setattr(base, "CHECKPOINT_EVERY", 1)
    monkeypatch.setattr(base, "CHECKPOINT_SQL", "PRAGMA wal_checkpoint(NOT_A_MODE")
    _write_pages(2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM reol_wal_probe")
        assert cursor.fetchone() == (2,)
    assert "WAL checkpoint failed" in caplog.text
