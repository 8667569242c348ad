"""Parts of dates and instants (the local hour, the weekday, the month) worked out by the database
itself on SQLite too.

Django's ``ExtractHour`` converts every row to the current time zone. PostgreSQL does that
natively; on SQLite Django calls a Python function once per row, which made "Loans by hour" and
"The desk's busiest hours" 3–4× their bare SQL there (``bench/reports.py``). Over a report's dates a
zone has only a few UTC offsets (two a year where summer time is kept), so on SQLite the offset
is a ``CASE`` over the instants where it changes, and SQLite stays in C. The answer is the same
hour as ``ExtractHour`` gives, tested across the changes of summer time.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from typing import Any

from django.db.models import DateTimeField
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncMonth
from django.utils import timezone

UTC = dt.UTC
# Django stores an instant on SQLite as naive UTC text in this shape, which sorts as time does.
_STORED = "%Y-%m-%d %H:%M:%S"


def _offset(tz: dt.tzinfo, at: dt.datetime) -> int:
    delta = at.astimezone(tz).utcoffset()
    return int(delta.total_seconds()) if delta else 0


def utc_offsets(tz: dt.tzinfo, starts: dt.date, ends: dt.date) -> list[tuple[dt.datetime, int]]:
    """The zone's UTC offsets (in seconds) from the start of ``starts`` to the end of ``ends``:
    the first from ``starts``, each next one from the UTC instant where it begins."""
    at = dt.datetime.combine(starts, dt.time(), UTC)
    until = dt.datetime.combine(ends, dt.time(), UTC) + dt.timedelta(days=1)
    spans = [(at, _offset(tz, at))]
    step = dt.timedelta(days=1)
    while at < until:
        nxt = min(at + step, until)
        if _offset(tz, nxt) != spans[-1][1]:  # it changed within this day: find the second
            lo, hi = at, nxt
            while hi - lo > dt.timedelta(seconds=1):
                mid = lo + (hi - lo) / 2
                if _offset(tz, mid) == spans[-1][1]:
                    lo = mid
                else:
                    hi = mid
            spans.append((hi.replace(microsecond=0), _offset(tz, hi)))
        at = nxt
    return spans


class LocalHour(ExtractHour):
    """``ExtractHour`` of a stored instant in the current time zone, for instants between
    ``starts`` and ``ends`` (local dates; a day's margin is added each side)."""

    def __init__(self, expression: Any, starts: dt.date, ends: dt.date, **extra: Any) -> None:
        super().__init__(expression, **extra)
        self.starts, self.ends = starts, ends

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.lhs)
        tz = self.tzinfo or timezone.get_current_timezone()
        margin = dt.timedelta(days=1)
        spans = utc_offsets(tz, self.starts - margin, self.ends + margin)
        offset_sql, offset_params = f"{spans[0][1]:d}", []
        if len(spans) > 1:
            whens = []
            for (_begins, offset), (next_begins, _next) in pairwise(spans):
                whens.append(f"WHEN {column} < %s THEN {offset:d}")
                offset_params += [*params, next_begins.strftime(_STORED)]
            offset_sql = f"CASE {' '.join(whens)} ELSE {spans[-1][1]:d} END"
        # Whole seconds only: SQLite rounds ".999999" up into the next second, and hour.
        seconds = f"CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER)"
        sql = f"((({seconds} + {offset_sql}) / 3600) %% 24)"
        return sql, [*params, *offset_params]


class IsoWeekDay(ExtractIsoWeekDay):
    """``ExtractIsoWeekDay`` of a date (Monday 1 … Sunday 7); on SQLite with its own
    ``strftime`` (Sunday 0 … Saturday 6) instead of Django's Python function per row, which
    made "Loans by weekday" 3.4× its bare SQL there at a municipality's size."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        column, params = compiler.compile(self.lhs)
        return f"((CAST(strftime('%%w', {column}) AS INTEGER) + 6) %% 7 + 1)", params


class MonthStart(TruncMonth):
    """``TruncMonth`` of a date (the first of its month); on SQLite with its own ``date(…,
    'start of month')`` instead of Django's Python function per row, which made "Loans by month"
    10× its bare SQL there once the loans' report index covered the rest of the query."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if isinstance(self.lhs.output_field, DateTimeField):  # an instant: its zone's month
            sql, zoned = super().as_sqlite(compiler, connection, **extra)
            return sql, list(zoned)
        column, params = compiler.compile(self.lhs)
        return f"date({column}, 'start of month')", params
