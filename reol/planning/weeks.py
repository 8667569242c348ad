"""ISO weeks as Danish and Norwegian schools plan: "uge 41–43" in the school year 2026/27.

A school year runs from August to June, so one week number means one week: numbers from the
year's first week onwards are in its first calendar year, smaller numbers in the second. A range
may cross New Year ("51–2") and may include week 53 in the years that have one (2026 does).
Plans are stored as dates (Monday of the first week to Friday of the last): dates are what the
database compares, what bookings take and what a calendar client shows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# "41", "41-43", "41–43", "uge 41 - 43", "w. 52–2"
_RANGE = re.compile(r"^\D*?(\d{1,2})\s*(?:[-–—]|til|to)?\s*(\d{1,2})?\s*$")
_YEAR_NAME = re.compile(r"^\s*(\d{4})\s*(?:[/–-]\s*\d{2,4})?\s*$")
SCHOOL_YEAR_START_MONTH = 8


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last week."""
    return dt.date(year, 12, 28).isocalendar().week


def monday(year: int, week: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, 1)


def week_of(day: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week) of a day; 31 Dec 2029 is in week 1 of 2030."""
    iso = day.isocalendar()
    return iso.year, iso.week


def start_year(school_year: str) -> int:
    """The first calendar year of a school year named "2026/27" (or "2026-2027", "2026")."""
    match = _YEAR_NAME.match(school_year or "")
    if not match:
        raise ValidationError(
            _("“%(name)s” is not a school year like 2026/27.") % {"name": school_year}
        )
    return int(match.group(1))


def first_day(school_year: str) -> dt.date:
    """When the school year begins if the school has not said (1 August)."""
    return dt.date(start_year(school_year), SCHOOL_YEAR_START_MONTH, 1)


@dataclass(frozen=True)
class WeekRange:
    first: tuple[int, int]  # (ISO year, week)
    last: tuple[int, int]

    @property
    def starts(self) -> dt.date:
        return monday(*self.first)

    @property
    def ends(self) -> dt.date:
        """Friday of the last week: school weeks end on Fridays."""
        return monday(*self.last) + dt.timedelta(days=4)


def _year_for(week: int, begins: dt.date) -> int:
    """The ISO year week number ``week`` falls in, in the school year that begins on ``begins``."""
    year, first_week = week_of(begins)
    return year if week >= first_week else year + 1


def parse_weeks(text: str, school_year: str, begins: dt.date | None = None) -> WeekRange:
    """ "41–43" in 2026/27 → weeks 41 to 43 of 2026; "52–2" → week 52 of 2026 to week 2 of 2027.

    ``begins`` is the school year's first day when the school has it in its calendar.
    """
    match = _RANGE.match((text or "").strip().lower())
    if not match:
        raise ValidationError(
            _("Write the weeks as one number or a range, e.g. 41 or 41–43."), code="weeks"
        )
    begins = begins or first_day(school_year)
    numbers = [int(match.group(1)), int(match.group(2) or match.group(1))]
    found: list[tuple[int, int]] = []
    for number in numbers:
        year = _year_for(number, begins)
        if not 1 <= number <= weeks_in_year(year):
            raise ValidationError(
                _("%(year)s has no week %(week)s.") % {"year": year, "week": number},
                code="weeks",
            )
        found.append((year, number))
    if found[1] < found[0]:
        raise ValidationError(_("The last week comes before the first."), code="weeks")
    return WeekRange(found[0], found[1])


def weeks_between(starts: dt.date, ends: dt.date) -> list[tuple[int, int]]:
    """Every (ISO year, week) that the dates touch, in order."""
    if ends < starts:
        return []
    current = starts - dt.timedelta(days=starts.weekday())
    result = []
    while current <= ends:
        result.append(week_of(current))
        current += dt.timedelta(days=7)
    return result


def label(starts: dt.date, ends: dt.date) -> str:
    """ "41–43" (or "52–2", "41") for the weeks the dates touch."""
    weeks = weeks_between(starts, ends)
    if not weeks:
        return ""
    first, last = weeks[0][1], weeks[-1][1]
    return str(first) if weeks[0] == weeks[-1] else f"{first}–{last}"
