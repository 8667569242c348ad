"""Reads of a school's opening calendar: is the library open on a day, and the next open day.

Circulation asks these when it sets due dates (a due date never falls on a closed day nor in
the summer holiday); they read the school's weekly hours and closed periods once per call.
"""

from __future__ import annotations

import datetime as dt

from .models import ClosedPeriod, OpeningHours, School, SchoolYear

MAX_SEARCH_DAYS = 366


def _open_weekdays(school: School) -> set[int]:
    return set(OpeningHours.objects.filter(school=school).values_list("weekday", flat=True))


def _closed_ranges(school: School, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    return list(
        ClosedPeriod.objects.filter(school=school, starts__lte=end, ends__gte=start).values_list(
            "starts", "ends"
        )
    )


def is_open(school: School, day: dt.date) -> bool:
    if day.weekday() not in _open_weekdays(school):
        return False
    return not _closed_ranges(school, day, day)


def next_open_day(school: School, day: dt.date) -> dt.date | None:
    """``day`` if the library is open then, else the first open day after it (within a year)."""
    weekdays = _open_weekdays(school)
    if not weekdays:
        return None
    end = day + dt.timedelta(days=MAX_SEARCH_DAYS)
    closed = _closed_ranges(school, day, end)
    current = day
    while current <= end:
        if current.weekday() in weekdays and not any(s <= current <= e for s, e in closed):
            return current
        current += dt.timedelta(days=1)
    return None


def school_year_on(school: School, day: dt.date) -> SchoolYear | None:
    return SchoolYear.objects.filter(school=school, starts__lte=day, ends__gte=day).first()
