"""ISO week arithmetic across year boundaries and week 53 (pure: no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.bookings import weeks


def test_years_with_53_weeks():
    assert [y for y in range(2020, 2033) if weeks.weeks_in_year(y) == 53] == [2020, 2026, 2032]


def test_week_53_runs_into_january():
    assert weeks.school_week(2026, 53) == (dt.date(2026, 12, 28), dt.date(2027, 1, 1))
    assert weeks.week_of(dt.date(2027, 1, 3)) == (2026, 53)
    assert weeks.week_of(dt.date(2027, 1, 4)) == (2027, 1)
    with pytest.raises(ValueError):
        weeks.monday(2027, 53)


def test_week_1_may_start_in_december():
    assert weeks.monday(2025, 1) == dt.date(2024, 12, 30)
    assert weeks.week_of(dt.date(2024, 12, 31)) == (2025, 1)


def test_ranges_and_shifts_across_new_year():
    assert weeks.week_range((2026, 52), (2027, 2)) == (dt.date(2026, 12, 21), dt.date(2027, 1, 15))
    assert weeks.weeks_between(dt.date(2026, 12, 21), dt.date(2027, 1, 15)) == [
        (2026, 52),
        (2026, 53),
        (2027, 1),
        (2027, 2),
    ]
    assert weeks.shift_weeks(dt.date(2026, 12, 28), dt.date(2027, 1, 1), 1) == (
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 8),
    )
    with pytest.raises(ValueError):
        weeks.week_range((2027, 2), (2026, 52))


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("41", dt.date(2026, 9, 1), (2026, 41)),
        ("W41", dt.date(2026, 9, 1), (2026, 41)),
        ("3", dt.date(2026, 11, 24), (2027, 3)),  # next January's week 3
        ("53", dt.date(2026, 11, 24), (2026, 53)),
        ("53", dt.date(2027, 2, 1), (2032, 53)),  # the next year that has one
        ("2026-W53", dt.date(2026, 1, 1), (2026, 53)),
        ("2026W05", dt.date(2026, 1, 1), (2026, 5)),
    ],
)
def test_parse_week(text, today, expected):
    assert weeks.parse_week(text, today) == expected


@pytest.mark.parametrize("text", ["", "week", "2027-W53", "0", "54", "2026-W"])
def test_parse_week_refuses(text):
    with pytest.raises(ValueError):
        weeks.parse_week(text, dt.date(2026, 11, 24))
