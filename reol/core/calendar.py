"""The school calendar: the one place for school years, terms, holidays and ISO weeks.

Circulation asks it when it sets due dates (a due date never falls on a closed day nor in the
summer holiday); planning and bookings ask it what "weeks 41–43" means. Every other app calls
these functions; none writes its own "the year starts in August" or its own week arithmetic.

School years. A school names its years ("2026/27") with first and last school days in its
calendar (:class:`~reol.core.models.SchoolYear`). Where it has not, a year runs from 1 August to
31 July. In the summer holiday, the *current* school year is the one that comes next (what a
teacher plans then), if the school has entered it, else the one just ended by the calendar date.

ISO weeks. A week is (ISO year, week number), Monday to Sunday; a school week is its Monday to
Friday. ISO years have 52 or 53 weeks (2026 has 53: Monday 28 December 2026 to Sunday 3 January
2027). Inside a school year one week number means one week: numbers from the year's first week
on are in its first calendar year, smaller numbers in the second, so "51–2" crosses New Year and
a week is never placed silently in another school year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .formats import days as written_days
from .models import ClosedPeriod, OpeningHours, School, SchoolYear

MAX_SEARCH_DAYS = 366
SCHOOL_YEAR_START_MONTH = 8  # where a school has no calendar: 1 August to 31 July

# "41", "41-43", "41–43", "uge 41 - 43", "w. 52–2"
_RANGE = re.compile(r"^\D*?(\d{1,2})\s*(?:[-–—]|til|to)?\s*(\d{1,2})?\s*$")
_YEAR_NAME = re.compile(r"^\s*(\d{4})\s*(?:[/–-]\s*\d{2,4})?\s*$")


# --- Opening days ------------------------------------------------------------------------------


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


def holidays_within(school: School, starts: dt.date, ends: dt.date) -> list[ClosedPeriod]:
    """The school's holidays (not days the library alone is shut) touching ``starts``–``ends``."""
    return list(
        ClosedPeriod.objects.filter(school=school, starts__lte=ends, ends__gte=starts)
        .filter(Q(kind=ClosedPeriod.Kind.HOLIDAY) | Q(kind=ClosedPeriod.Kind.SUMMER))
        .order_by("starts")
    )


# --- School years ------------------------------------------------------------------------------


def year_name_starting(year: int) -> str:
    """2026 → "2026/27"."""
    return f"{year}/{(year + 1) % 100:02d}"


def year_name_of(day: dt.date) -> str:
    """The school year a day falls in by the date alone: 1 Aug 2026 – 31 Jul 2027 is 2026/27."""
    return year_name_starting(day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1)


def start_year(school_year: str) -> int:
    """The first calendar year of a school year named "2026/27" (or "2026-2027", "2026")."""
    match = _YEAR_NAME.match(school_year or "")
    if not match:
        raise ValidationError(
            _("“%(name)s” is not a school year like 2026/27.") % {"name": school_year}
        )
    return int(match.group(1))


def next_year_name(name: str) -> str:
    """ "2026/27" → "2027/28"; "2026/2027" → "2027/2028"; anything else gets " +1"."""
    first, sep, second = name.partition("/")
    if sep and first.isdigit() and second.isdigit():
        return f"{int(first) + 1}/{str(int(second) + 1).zfill(len(second))[-len(second) :]}"
    return f"{name} +1"


def first_day(school_year: str) -> dt.date:
    """When the school year begins if the school has not said (1 August)."""
    return dt.date(start_year(school_year), SCHOOL_YEAR_START_MONTH, 1)


def school_year_on(school: School, day: dt.date) -> SchoolYear | None:
    return SchoolYear.objects.filter(school=school, starts__lte=day, ends__gte=day).first()


def current_school_year(school: School, today: dt.date | None = None) -> str:
    """The school year a school works in on ``today`` (see the module for the summer)."""
    today = today or timezone.localdate()
    row = school_year_on(school, today)
    if row is None:  # in the summer holiday: the year that comes next, if the school has it
        row = SchoolYear.objects.filter(school=school, starts__gt=today).order_by("starts").first()
    return row.name if row else year_name_of(today)


def current_and_next(school: School, today: dt.date | None = None) -> list[str]:
    """This school year and the next: what a form that takes weeks offers."""
    current = current_school_year(school, today)
    return [current, next_year_name(current)]


def school_year_bounds(school: School, school_year: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a school year: from the school's calendar, else Aug–Jul."""
    row = SchoolYear.objects.filter(school=school, name=school_year).first()
    if row is not None:
        return row.starts, row.ends
    begins = first_day(school_year)
    return begins, begins.replace(year=begins.year + 1) - dt.timedelta(days=1)


# --- ISO weeks ---------------------------------------------------------------------------------


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week of 28 December is always the year's last week."""
    return dt.date(year, 12, 28).isocalendar().week


def monday(year: int, week: int) -> dt.date:
    return dt.date.fromisocalendar(year, week, 1)


def week_of(day: dt.date) -> tuple[int, int]:
    """(ISO year, ISO week) of a day; 31 Dec 2029 is in week 1 of 2030."""
    iso = day.isocalendar()
    return iso.year, iso.week


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


def weeks_of_school_year(school: School, text: str, school_year: str) -> WeekRange:
    """``parse_weeks`` in the school's own calendar for ``school_year``."""
    begins, _ends = school_year_bounds(school, school_year)
    return parse_weeks(text, school_year, begins=begins)


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


def week_label(starts: dt.date, ends: dt.date) -> str:
    """ "41–43" (or "52–2", "41") for the weeks the dates touch."""
    found = weeks_between(starts, ends)
    if not found:
        return ""
    first, last = found[0][1], found[-1][1]
    return str(first) if found[0] == found[-1] else f"{first}–{last}"


def describe(starts: dt.date, ends: dt.date) -> str:
    """ "weeks 41–43: 5 Oct – 23 Oct 2026" — the weeks and the days they mean (``days``)."""
    count = len(weeks_between(starts, ends))
    weeks = ngettext("week %(weeks)s", "weeks %(weeks)s", count) % {
        "weeks": week_label(starts, ends)
    }
    return _("%(weeks)s: %(days)s") % {"weeks": weeks, "days": written_days(starts, ends)}


def holiday_warning(school: School, starts: dt.date, ends: dt.date) -> str:
    """ "Holiday inside weeks 41–43: Efterårsferie (12 Oct – 16 Oct 2026)." or ""."""
    found = holidays_within(school, starts, ends)
    if not found:
        return ""
    names = ", ".join(f"{h.name} ({written_days(h.starts, h.ends)})" for h in found)
    return _("Holiday inside weeks %(weeks)s: %(names)s.") % {
        "weeks": week_label(starts, ends),
        "names": names,
    }


# --- Grades and ages -----------------------------------------------------------------------------

FIRST_GRADE_AGE = (
    6  # a Danish 0. klasse and a Norwegian 1. trinn start at six, a US kindergarten at 5–6
)
DIGITAL_CONSENT_AGE = 13  # GDPR art. 8 as Denmark and Norway set it; COPPA's 13 in the US


def typical_age(grade: int) -> int:
    """The age most pupils of ``grade`` have (the one rule for age bands, doors, consent)."""
    return grade + FIRST_GRADE_AGE


def consents_alone(grade: int | None) -> bool:
    """Whether a pupil of ``grade`` may say yes to keeping data about them alone; younger
    pupils need a guardian's yes, which staff record. Unknown grade: not assumed young."""
    return grade is None or typical_age(grade) >= DIGITAL_CONSENT_AGE
