"""Due dates on the school calendar: never on a closed day (forward to the next opening day),
never after the last school day before the summer holiday (back to it); weekends, holidays,
term ends and leap years."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.circulation import rules
from reol.circulation.actions import rules as rule_actions
from reol.circulation.models import LoanPeriod, LoanRule
from reol.core.permissions import SYSTEM

from .conftest import add_calendar

D = dt.date
WEEKDAYS = frozenset(range(5))


def rule(period: str = LoanPeriod.DAYS, days: int | None = 28, fixed: dt.date | None = None):  # type: ignore[no-untyped-def]
    return LoanRule(period=period, loan_days=days, fixed_due_date=fixed)


def due(r, cal, today):  # type: ignore[no-untyped-def]
    return rules.compute_due(r, cal, today).date


CAL = rules.Calendar(
    open_weekdays=WEEKDAYS,
    closed=((D(2026, 12, 21), D(2027, 1, 1)), (D(2027, 2, 15), D(2027, 2, 19))),
    summer_starts=D(2027, 6, 26),
    year_ends=D(2027, 6, 25),
    term_ends=D(2026, 12, 18),
)


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        (D(2026, 11, 3), 14, D(2026, 11, 17)),  # Tue + 14 = Tue: unchanged
        (D(2026, 11, 5), 2, D(2026, 11, 9)),  # Thu + 2 = Sat → Mon
        (D(2026, 11, 6), 1, D(2026, 11, 9)),  # Fri + 1 = Sat → Mon
        (D(2026, 11, 24), 28, D(2027, 1, 4)),  # in the Christmas holiday → first day after
        (D(2026, 12, 18), 14, D(2027, 1, 4)),  # New Year's day is a Friday in the holiday
        (D(2027, 1, 25), 21, D(2027, 2, 22)),  # winter holiday week → the Monday after
        (D(2027, 6, 1), 28, D(2027, 6, 25)),  # past summer → back to the last school day
        (D(2027, 6, 25), 7, D(2027, 6, 25)),  # on the last day itself: due the same day
    ],
)
def test_days(today, days, expected):
    assert due(rule(days=days), CAL, today) == expected


def test_the_summer_cap_skips_back_over_closed_days():
    # The last school day is a Saturday (no school) in this calendar: back to Friday.
    cal = rules.Calendar(open_weekdays=WEEKDAYS, summer_starts=D(2027, 6, 27), year_ends=None)
    result = rules.compute_due(rule(days=60), cal, D(2027, 5, 20))
    assert result.date == D(2027, 6, 25) and result.moved_back and not result.moved_forward


def test_the_summer_cap_and_a_closed_day_before_it():
    cal = rules.Calendar(
        open_weekdays=WEEKDAYS,
        closed=((D(2027, 6, 24), D(2027, 6, 25)),),  # the last two days closed (a trip)
        summer_starts=D(2027, 6, 26),
    )
    assert due(rule(days=60), cal, D(2027, 5, 20)) == D(2027, 6, 23)


def test_lending_during_the_summer_holiday_is_capped_by_the_next_summer():
    cal = rules.Calendar(open_weekdays=frozenset(range(7)), summer_starts=D(2028, 6, 24))
    assert due(rule(days=28), cal, D(2027, 7, 1)) == D(2027, 7, 29)


@pytest.mark.parametrize(
    ("today", "days", "expected"),
    [
        (D(2028, 2, 1), 28, D(2028, 2, 29)),  # a leap day, a Tuesday: a valid due date
        (D(2028, 2, 28), 1, D(2028, 2, 29)),
        (D(2028, 2, 28), 2, D(2028, 3, 1)),
        (D(2027, 2, 28), 1, D(2027, 3, 1)),  # no leap day in 2027
        (D(2028, 1, 31), 366, D(2029, 1, 31)),  # a year across a leap day (Wed)
    ],
)
def test_leap_years(today, days, expected):
    cal = rules.Calendar(open_weekdays=WEEKDAYS)
    assert due(rule(days=days), cal, today) == expected


def test_leap_day_on_a_weekend_moves_to_monday():
    cal = rules.Calendar(open_weekdays=WEEKDAYS)
    # 29 Feb 2032 is a Sunday.
    assert due(rule(days=1), cal, D(2032, 2, 28)) == D(2032, 3, 1)


def test_end_of_term_and_fixed_date():
    assert due(rule(LoanPeriod.END_OF_TERM, None), CAL, D(2026, 11, 24)) == D(2026, 12, 18)
    fixed = rule(LoanPeriod.FIXED_DATE, None, fixed=D(2027, 2, 17))  # in the winter holiday
    assert due(fixed, CAL, D(2026, 11, 24)) == D(2027, 2, 22)
    past = rule(LoanPeriod.FIXED_DATE, None, fixed=D(2026, 10, 1))
    assert due(past, CAL, D(2026, 11, 24)) == D(2026, 11, 24)  # never due before today


def test_no_calendar_means_every_day_is_open():
    assert due(rule(days=5), rules.Calendar(open_weekdays=frozenset()), D(2026, 11, 5)) == D(
        2026, 11, 10
    )


def test_a_rule_that_does_not_lend_has_no_due_date():
    with pytest.raises(ValueError):
        rules.compute_due(rule(LoanPeriod.NO_LOAN, None), CAL, D(2026, 11, 24))


# --- From the database: the school's calendar as entered ---------------------------------------


@pytest.mark.django_db
def test_calendar_from_the_school(world):
    school = world.school_a
    add_calendar(school)
    cal = rules.calendar_for(school, D(2026, 11, 24))
    assert cal.open_weekdays == WEEKDAYS
    assert cal.summer_starts == D(2027, 6, 26) and cal.year_ends == D(2027, 6, 25)
    assert cal.term_ends == D(2026, 12, 18)
    spring = rules.calendar_for(school, D(2027, 3, 1))
    assert spring.term_ends == D(2027, 6, 25)
    student = rules.rule_for(school, "student", None, "normal")
    assert student is not None
    assert rules.due_date(student, school, D(2027, 6, 1)).date == D(2027, 6, 25)
    class_set = rules.rule_for(school, "staff", None, "class_set")
    assert class_set is not None
    assert rules.due_date(class_set, school, D(2027, 3, 1)).date == D(2027, 6, 25)


@pytest.mark.django_db
def test_the_most_specific_rule_wins(world):
    school = world.school_a
    young = rule_actions.save_rule(
        SYSTEM, school, patron_category="student", grade_min=0, grade_max=3,
        circulation_type="normal", period="days", loan_days=14,
    )  # fmt: skip
    fifth = rule_actions.save_rule(
        SYSTEM, school, patron_category="student", grade_min=5, grade_max=5,
        circulation_type="normal", period="days", loan_days=21,
    )  # fmt: skip
    all_rules = rules.rules_of(school)
    assert rules.pick_rule(all_rules, "student", 2, "normal") == young
    assert rules.pick_rule(all_rules, "student", 5, "normal") == fifth
    general = rules.pick_rule(all_rules, "student", None, "normal")
    assert general is not None and general.loan_days == 28
    assert rules.pick_rule(all_rules, "student", 4, "normal") == general
    assert rules.pick_rule(all_rules, "student", 4, "kit") is None  # no rule: not lent
