"""Which loan rule applies, and the due date it gives on the school's opening calendar.

Due dates follow two rules of the house:

1. never on a closed day: a due date on a weekend, a holiday or another closed day moves
   *forward* to the next day the library is open;
2. never after the last school day before the summer holiday: a due date in (or past) the
   summer holiday or past the school year's last day moves *back* to the last open day before.

The calendar is read once per call into a ``Calendar`` (three small queries), and the date
arithmetic is pure, so the desk stays fast and the rules are tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from reol.catalog.models import CirculationType as C
from reol.core.models import ClosedPeriod, OpeningHours, School, SchoolYear, Term

from .models import LoanPeriod, LoanRule, PatronCategory

# (category, circulation type, period, days, max loans, renewals, holds allowed)
DEFAULT_RULES: tuple[tuple[str, str, str, int | None, int, int, bool], ...] = (
    (PatronCategory.STUDENT, C.NORMAL, LoanPeriod.DAYS, 28, 10, 2, True),
    (PatronCategory.STUDENT, C.DEVICE, LoanPeriod.DAYS, 7, 1, 0, False),
    (PatronCategory.STUDENT, C.REFERENCE, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (PatronCategory.STUDENT, C.CLASS_SET, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (PatronCategory.STUDENT, C.TEACHER, LoanPeriod.NO_LOAN, None, 0, 0, False),
    (PatronCategory.STAFF, C.NORMAL, LoanPeriod.DAYS, 56, 50, 3, True),
    (PatronCategory.STAFF, C.TEACHER, LoanPeriod.DAYS, 56, 50, 3, True),
    (PatronCategory.STAFF, C.CLASS_SET, LoanPeriod.END_OF_TERM, None, 300, 1, True),
    (PatronCategory.STAFF, C.DEVICE, LoanPeriod.DAYS, 14, 5, 1, False),
    (PatronCategory.STAFF, C.REFERENCE, LoanPeriod.NO_LOAN, None, 0, 0, False),
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
    end = today + dt.timedelta(days=WINDOW_DAYS)
    weekdays = frozenset(
        OpeningHours.objects.filter(school=school).values_list("weekday", flat=True)
    )
    closed_rows = list(
        ClosedPeriod.objects.filter(school=school, ends__gte=today, starts__lte=end).values_list(
            "starts", "ends", "kind"
        )
    )
    # A summer holiday already under way is not "the next" one: lending in summer (a summer
    # school) is capped by the following summer.
    summers = sorted(s for s, _e, kind in closed_rows if kind == ClosedPeriod.Kind.SUMMER)
    summer_starts = next((s for s in summers if s > today), None)
    year = (
        SchoolYear.objects.filter(school=school, starts__lte=today, ends__gte=today)
        .prefetch_related("terms")
        .first()
    )
    terms: tuple[tuple[dt.date, dt.date], ...] = ()
    if year is not None:
        terms = tuple((t.starts, t.ends) for t in year.terms.all())
    else:
        terms = tuple(
            Term.objects.filter(school_year__school=school, ends__gte=today)
            .order_by("starts")
            .values_list("starts", "ends")[:4]
        )
    return Calendar(
        open_weekdays=weekdays,
        closed=tuple((s, e) for s, e, _k in closed_rows),
        summer_starts=summer_starts,
        year_ends=year.ends if year is not None else None,
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


def due_date(rule: LoanRule, school: School, today: dt.date) -> DueDate:
    return compute_due(rule, calendar_for(school, today), today)
