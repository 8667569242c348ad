"""The database settings the reports' speed depends on (the timings are in bench/reports.py)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_postgresql_compiles_no_query_just_in_time():
    # JIT compiling cost 100–185 ms of a 300–500 ms report at a municipality's size: a
    # report's subquery per open loan lifts its estimate over jit_above_cost.
    if connection.vendor != "postgresql":
        pytest.skip("JIT is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_a_report_is_planned_for_its_filters_and_prepares_nothing(world):
    # A generic plan (prepared statements) is planned from average estimates, which under-count
    # a date range covering most of a year's loans (reol/core/plans.py).
    from reol.reports import framework

    from .helpers import library

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    lib = library(world)
    report = framework.get("loans-by-month")
    assert report is not None
    filters = framework.Filters(
        schools=(lib.school,), starts=lib.day(-400), ends=lib.day(0), school_year=lib.year
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        (before,) = cursor.fetchone()
        for _ in range(8):
            framework.result(report, filters)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (before,)
        for _ in range(8):  # the same statements outside the framework: the desk's treatment
            report.run(filters)
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        (after,) = cursor.fetchone()
        assert after > before


def test_counts_name_only_columns_of_the_report_indexes(world):
    # PostgreSQL reads an index alone only when the query names no other column: COUNT(id)
    # made the schools side by side and loans by month 4–9× their bare SQL (bench/reports.py).
    from django.test.utils import CaptureQueriesContext

    from reol.reports import dashboards, framework

    from .helpers import library

    lib = library(world)
    filters = framework.Filters(
        schools=(lib.school,), starts=lib.day(-400), ends=lib.day(0), school_year=lib.year
    )
    month = framework.get("loans-by-month")
    assert month is not None
    for report in (dashboards.SCHOOLS, month):
        with CaptureQueriesContext(connection) as queries:
            framework.result(report, filters)
        for table in ("circulation_loan", "catalog_item"):
            counts = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
            # The side by side counts copies too; loans by month reads no copy.
            assert counts or (table == "catalog_item" and report is month), report.key
            for sql in counts:
                assert f'"{table}"."id"' not in sql, sql
