"""How PostgreSQL plans Reol's statements: prepared once for the desk, planned afresh for a
report.

Reol's PostgreSQL connections prepare a statement the fifth time they run it (psycopg's
``prepare_threshold``, ``settings.py``): PostgreSQL then parses it once and, for the short
statements of the desk, keeps one generic plan instead of planning at every execution. A
checkout's service took 3.2–4.0 ms at p50 instead of 6.1–6.5 ms (alternating blocks on one
cluster, ``docs/architecture.md``, "Databases").

A generic plan is planned without the parameters' values, from average estimates. For a report
over a year of a municipality's loans that is the wrong plan: PostgreSQL chooses it when its
estimated cost is no higher than the custom plans', and an estimate from average selectivity
under-counts a date range that covers most of a table. So a report's statements are planned for
their own values every time (``planned_for_their_values``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def planned_for_their_values() -> Iterator[None]:
    """In this block no statement is prepared or run from a prepared plan (PostgreSQL; on SQLite
    nothing changes: it plans every statement anyway)."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = None
    try:
        yield
    finally:
        if connection.connection is raw:  # not closed and reopened in the block
            raw.prepare_threshold = before
