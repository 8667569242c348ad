"""ISO week arithmetic, as Danish and Norwegian schools plan ("weeks 41–43").

Pure functions, no database: a week is (ISO year, week number), Monday to Sunday, and a
school week is its Monday to Friday. ISO years have 52 or 53 weeks (2026 has 53: its week 53
runs from Monday 28 December 2026 to Sunday 3 January 2027), so "week 53" exists only in
some years and a week range may cross New Year.
"""

from __future__ import annotations

import datetime as dt
import re

WEEK_RE = re.compile(r"^\s*(?:(\d{4})\s*-?\s*[Ww]\s*|[Ww]?\s*)(\d{1,2})\s*$")


def weeks_in_year(iso_year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last."""
    return dt.date(iso_year, 12, 28).isocalendar().week


def monday(iso_year: int, week: int) -> dt.date:
    if not 1 <= week <= weeks_in_year(iso_year):
        raise ValueError(f"{iso_year} has no week {week}")
    return dt.date.fromisocalendar(iso_year, week, 1)


def week_of(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return iso.year, iso.week


def school_week(iso_year: int, week: int) -> tuple[dt.date, dt.date]:
    """Monday and Friday of an ISO week."""
    first = monday(iso_year, week)
    return first, first + dt.timedelta(days=4)


def week_range(
    first: tuple[int, int], last: tuple[int, int], *, school_days: bool = True
) -> tuple[dt.date, dt.date]:
    """Monday of the first week to Friday (or Sunday) of the last, across New Year too."""
    start = monday(*first)
    end = monday(*last) + dt.timedelta(days=4 if school_days else 6)
    if end < start:
        raise ValueError("the last week comes before the first")
    return start, end


def parse_week(text: str, today: dt.date) -> tuple[int, int]:
    """ "2026-W53", "2026W53", "W41" or "41" → (ISO year, week).

    A bare week number means its next occurrence: this ISO year's week if it has not ended,
    else next year's (in November, "3" is January's week 3).
    """
    match = WEEK_RE.match(text)
    if not match:
        raise ValueError(f"not a week: {text!r}")
    year_text, week_text = match.groups()
    week = int(week_text)
    if not 1 <= week <= 53:
        raise ValueError(f"no year has a week {week}")
    if year_text:
        year = int(year_text)
        monday(year, week)  # raises for a week the year does not have
        return year, week
    this_year, this_week = week_of(today)
    year = this_year if week >= this_week else this_year + 1
    while week > weeks_in_year(year):  # "53" in a year with 52 weeks: the next that has it
        year += 1
    return year, week


def weeks_between(starts: dt.date, ends: dt.date) -> list[tuple[int, int]]:
    """Every ISO week that a date range touches, in order."""
    out: list[tuple[int, int]] = []
    day = starts - dt.timedelta(days=starts.weekday())
    while day <= ends:
        out.append(week_of(day))
        day += dt.timedelta(days=7)
    return out


def shift_weeks(starts: dt.date, ends: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The same weekdays ``weeks`` weeks later (earlier when negative)."""
    delta = dt.timedelta(weeks=weeks)
    return starts + delta, ends + delta


def label(iso_year: int, week: int) -> str:
    return f"{iso_year}-W{week:02d}"
