"""Which loan rule applies, and the due date it gives on the school's opening calendar.

Due dates follow two rules of the house:

1. never on a closed day: a due date on a weekend, a holiday or another closed day moves
   *forward* to the next day the library is open;
2. never after the last school day before the summer holiday: a due date in (or past) the
   summer holiday or past the school year's last day moves *back* to the last open day before.

The rules and the calendar are read in one query (``lending_terms``), and the date
arithmetic is pure, so the desk stays fast and the rules are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection

from reol.catalog.models import CirculationType as C
from reol.core.calendar import current_school_year, school_year_bounds
from reol.core.models import ClosedPeriod, OpeningHours, School, SchoolYear, Term

from .models import LoanCategory, LoanPeriod, LoanRule

T = TypeVar("T")

# (category, circulation type, period, days, max loans, renewals, holds allowed)
DEFAULT_RULES: tuple[tuple[str, str, str, int | None, int, int, bool], ...] = (
    (LoanCategory.STUDENT, C.NORMAL, LoanPeriod.DAYS, 28, 10, 2, True),
    (LoanCategory.STUDENT, C.DEVICE, LoanPeriod.DAYS, 7, 1, 0, False),
    (LoanCategory.STUDENT, C.REFERENCE, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (LoanCategory.STUDENT, C.CLASS_SET, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (LoanCategory.STUDENT, C.TEACHER, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (LoanCategory.STAFF, C.NORMAL, LoanPeriod.DAYS, 56, 50, 3, True),
    (LoanCategory.STAFF, C.TEACHER, LoanPeriod.DAYS, 56, 50, 3, True),
    (LoanCategory.STAFF, C.CLASS_SET, LoanPeriod.END_OF_TERM, None, 300, 1, True),
    (LoanCategory.STAFF, C.DEVICE, LoanPeriod.DAYS, 14, 5, 1, False),
    (LoanCategory.STAFF, C.REFERENCE, LoanPeriod.NO_LOAN, None, 0, 0, False),
)


def default_rules(school: School) -> list[LoanRule]:
    """The built-in rules for a school (unsaved): what it lends by until it has its own."""
    return [
        LoanRule(
            school=school,
            patron_category=category,
            circulation_type=ctype,
            period=period,
            loan_days=days,
            max_loans=max_loans,
            max_renewals=renewals,
            holds_allowed=holds,
        )
        for category, ctype, period, days, max_loans, renewals, holds in DEFAULT_RULES
    ]


def rules_of(school: School) -> list[LoanRule]:
    """The school's own rules, or the defaults if it has none yet."""
    own = list(LoanRule.objects.filter(school=school))
    return own or default_rules(school)


def pick_rule(
    rules: list[LoanRule], category: str, grade: int | None, circulation_type: str
) -> LoanRule | None:
    """The most specific matching rule; with none, the school does not lend that (None)."""
    matching = [r for r in rules if r.matches(category, grade, circulation_type)]
    if not matching:
        return None
    return max(matching, key=lambda r: r.specificity)


def rule_for(
    school: School, category: str, grade: int | None, circulation_type: str
) -> LoanRule | None:
    return pick_rule(rules_of(school), category, grade, circulation_type)


# --- The calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """What due dates need to know of a school's calendar around a day.

    ``open_weekdays`` empty means the school has not entered opening hours: every day counts as
    open (a new school can lend before its calendar is set up).
    """

    open_weekdays: frozenset[int]
    closed: tuple[tuple[dt.date, dt.date], ...] = ()
    summer_starts: dt.date | None = None  # the next summer holiday's first day
    year_ends: dt.date | None = None  # the current school year's last school day
    term_ends: dt.date | None = None  # the current term's last day
    terms: tuple[tuple[dt.date, dt.date], ...] = field(default=())

    def is_open(self, day: dt.date) -> bool:
        if self.open_weekdays and day.weekday() not in self.open_weekdays:
            return False
        return not any(start <= day <= end for start, end in self.closed)

    def next_open(self, day: dt.date, limit: int = 400) -> dt.date | None:
        for n in range(limit):
            candidate = day + dt.timedelta(days=n)
            if self.is_open(candidate):
                return candidate
        return None

    def previous_open(self, day: dt.date, not_before: dt.date) -> dt.date | None:
        current = day
        while current >= not_before:
            if self.is_open(current):
                return current
            current -= dt.timedelta(days=1)
        return None

    @property
    def last_day_before_summer(self) -> dt.date | None:
        """The last day a loan may be due: before the summer holiday, within the school year."""
        candidates = []
        if self.summer_starts is not None:
            candidates.append(self.summer_starts - dt.timedelta(days=1))
        if self.year_ends is not None:
            candidates.append(self.year_ends)
        return min(candidates) if candidates else None


WINDOW_DAYS = 400  # a loan period is at most 366 days; closed periods are read this far ahead


def calendar_for(school: School, today: dt.date) -> Calendar:
    """The school's calendar around ``today`` (one query; see ``lending_terms``)."""
    return lending_terms(school, today).calendar


# --- The desk's one read of rules and calendar ---------------------------------------------
#
# A checkout needs the school's loan rules and its calendar. Read with the ORM they cost five
# queries, and building those queries cost more CPU than the rest of a checkout. So they are
# read by one hand-written statement (a UNION ALL of five small selects, every column as text,
# the same on SQLite and PostgreSQL), and what is built from the rows (the ``LoanRule``
# objects, the ``Calendar``) is kept per process *keyed by the rows themselves*: an edit in
# any worker changes the rows the next checkout reads, so nothing can be stale and no write
# service has to remember to bump a version.

_TERMS_SQL = """
SELECT 'r', CAST(id AS TEXT), patron_category, CAST(grade_min AS TEXT),
       CAST(grade_max AS TEXT), circulation_type, period, CAST(loan_days AS TEXT),
       CAST(fixed_due_date AS TEXT), CAST(max_loans AS TEXT), CAST(max_renewals AS TEXT),
       CAST(holds_allowed AS TEXT)
  FROM {rule} WHERE school_id = %s
UNION ALL
SELECT 'h', CAST(weekday AS TEXT), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {hours} WHERE school_id = %s
UNION ALL
SELECT 'c', NULL, kind, CAST(starts AS TEXT), CAST(ends AS TEXT),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {closed} WHERE school_id = %s AND ends >= %s AND starts <= %s
UNION ALL
SELECT 'y', CAST(id AS TEXT), NULL, CAST(starts AS TEXT), CAST(ends AS TEXT),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {year} WHERE school_id = %s AND starts <= %s AND ends >= %s
UNION ALL
SELECT 't', CAST(t.school_year_id AS TEXT), NULL, CAST(t.starts AS TEXT), CAST(t.ends AS TEXT),
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM {term} t JOIN {year} y ON y.id = t.school_year_id
 WHERE y.school_id = %s AND (t.ends >= %s OR (y.starts <= %s AND y.ends >= %s))
"""


@dataclass(frozen=True)
class Terms:
    """A school's loan rules (its own, else the defaults) and its calendar around a day."""

    rules: list[LoanRule]
    calendar: Calendar


_built: dict[tuple[object, ...], object] = {}
_BUILT_MAX = 512  # entries (a few per school and day); the dict is emptied when it is full


def _kept(key: tuple[object, ...], build: Callable[[], T]) -> T:
    found = _built.get(key)
    if found is None:
        if len(_built) >= _BUILT_MAX:
            _built.clear()
        found = _built[key] = build()
    return found  # type: ignore[return-value]


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _int(text: str | None) -> int | None:
    return int(text) if text is not None else None


def _sql() -> str:
    return _TERMS_SQL.format(
        rule=LoanRule._meta.db_table,
        hours=OpeningHours._meta.db_table,
        closed=ClosedPeriod._meta.db_table,
        year=SchoolYear._meta.db_table,
        term=Term._meta.db_table,
    )


def lending_terms(school: School, today: dt.date) -> Terms:
    """The school's rules and calendar on ``today``, in one query (see above)."""
    end = today + dt.timedelta(days=WINDOW_DAYS)
    pk = school.pk
    params: list[Any] = [pk, pk, pk, today, end, pk, today, today, pk, today, today, today]
    with connection.cursor() as cursor:
        cursor.execute(_sql(), params)
        rows = tuple(tuple(row) for row in cursor.fetchall())
    rule_rows = tuple(sorted(r for r in rows if r[0] == "r"))
    calendar_rows = tuple(sorted(r for r in rows if r[0] != "r"))
    rules = _kept(("rules", pk, rule_rows), lambda: _rules_from(school, rule_rows))
    calendar = _kept(
        ("calendar", today, calendar_rows), lambda: _calendar_from(calendar_rows, today)
    )
    return Terms(rules=rules, calendar=calendar)


def _rules_from(school: School, rows: tuple[tuple[str | None, ...], ...]) -> list[LoanRule]:
    if not rows:
        return default_rules(School(pk=school.pk, municipality_id=school.municipality_id))
    return [
        LoanRule(
            id=int(r[1] or 0),
            school_id=school.pk,
            patron_category=r[2] or "",
            grade_min=_int(r[3]),
            grade_max=_int(r[4]),
            circulation_type=r[5] or "",
            period=r[6] or "",
            loan_days=_int(r[7]),
            fixed_due_date=_date(r[8]),
            max_loans=int(r[9] or 0),
            max_renewals=int(r[10] or 0),
            holds_allowed=(r[11] or "").lower() in ("1", "true", "t"),
        )
        for r in rows
    ]


def _calendar_from(rows: tuple[tuple[str | None, ...], ...], today: dt.date) -> Calendar:
    weekdays = frozenset(int(r[1] or 0) for r in rows if r[0] == "h")
    closed_rows = sorted((_date(r[3]), _date(r[4]), r[2]) for r in rows if r[0] == "c")
    # A summer holiday already under way is not "the next" one: lending in summer (a summer
    # school) is capped by the following summer.
    summers = sorted(s for s, _e, kind in closed_rows if s and kind == ClosedPeriod.Kind.SUMMER)
    summer_starts = next((s for s in summers if s > today), None)
    years = sorted((_date(r[3]), int(r[1] or 0), _date(r[4])) for r in rows if r[0] == "y")
    year = years[0] if years else None  # the earliest-starting year that includes today
    term_rows = [(int(r[1] or 0), _date(r[3]), _date(r[4])) for r in rows if r[0] == "t"]
    terms: tuple[tuple[dt.date, dt.date], ...]
    if year is not None:
        terms = tuple(sorted((s, e) for y, s, e in term_rows if y == year[1] and s and e))
    else:
        terms = tuple(sorted((s, e) for _y, s, e in term_rows if s and e and e >= today)[:4])
    return Calendar(
        open_weekdays=weekdays,
        closed=tuple((s, e) for s, e, _k in closed_rows if s and e),
        summer_starts=summer_starts,
        year_ends=year[2] if year is not None else None,
        term_ends=_term_end(terms, today),
        terms=terms,
    )


def _term_end(terms: tuple[tuple[dt.date, dt.date], ...], today: dt.date) -> dt.date | None:
    """The end of the term that includes ``today``, else of the next term to start."""
    for starts, ends in sorted(terms):
        if starts <= today <= ends:
            return ends
    upcoming = [ends for starts, ends in sorted(terms) if starts > today]
    return upcoming[0] if upcoming else None


@dataclass(frozen=True)
class DueDate:
    """A due date and how it was reached (for the rules page's preview)."""

    date: dt.date
    nominal: dt.date  # what the rule alone gives
    moved_forward: bool = False  # off a closed day
    moved_back: bool = False  # before the summer holiday


DEFAULT_TERM_FALLBACK_DAYS = 28


def compute_due(rule: LoanRule, calendar: Calendar, today: dt.date) -> DueDate:
    """The due date ``rule`` gives for a loan made on ``today``."""
    if rule.period == LoanPeriod.DAYS:
        nominal = today + dt.timedelta(days=rule.loan_days or 1)
    elif rule.period == LoanPeriod.FIXED_DATE and rule.fixed_due_date is not None:
        nominal = max(rule.fixed_due_date, today)
    elif rule.period == LoanPeriod.END_OF_TERM:
        nominal = (
            calendar.term_ends
            or calendar.year_ends
            or (today + dt.timedelta(days=DEFAULT_TERM_FALLBACK_DAYS))
        )
        nominal = max(nominal, today)
    else:
        raise ValueError("a rule that does not lend has no due date")
    due = calendar.next_open(nominal) or nominal
    moved_forward = due != nominal
    moved_back = False
    cap = calendar.last_day_before_summer
    if cap is not None and cap >= today and due > cap:
        due = calendar.previous_open(cap, not_before=today) or today
        moved_back = True
        moved_forward = False
    return DueDate(date=due, nominal=nominal, moved_forward=moved_forward, moved_back=moved_back)


def due_until(until: dt.date, calendar: Calendar, today: dt.date) -> DueDate:
    """The due date for a loan asked to last until ``until`` (a device for the school year):
    a fixed date, moved by the calendar as every due date is."""
    rule = LoanRule(period=LoanPeriod.FIXED_DATE, fixed_due_date=until)
    return compute_due(rule, calendar, today)


def school_year_end(school: School, today: dt.date) -> dt.date:
    """The last day of the school year ``today`` falls in (the school's calendar, else the
    core calendar's August–July year): when a one-to-one device is due back."""
    year = calendar_for(school, today).year_ends
    if year is not None:
        return year
    return school_year_bounds(school, current_school_year(school, today))[1]


def due_date(rule: LoanRule, school: School, today: dt.date) -> DueDate:
    return compute_due(rule, calendar_for(school, today), today)


def due_on(rule: LoanRule, calendar: Calendar, today: dt.date) -> DueDate:
    """``compute_due``, kept per process for the same rule, calendar and day (a class set of
    28 copies and a queue at the desk ask the same question again and again)."""
    key = ("due", today, calendar, rule.period, rule.loan_days, rule.fixed_due_date)
    return _kept(key, lambda: compute_due(rule, calendar, today))
