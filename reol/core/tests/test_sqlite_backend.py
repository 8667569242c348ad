"""Reol's SQLite backend: the statement texts it rewrites for SQLite are remembered, and still
right (``reol/core/sqlite/base.py``)."""

from __future__ import annotations

import pytest
from django.db import connection

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
