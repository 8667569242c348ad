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
