"""ISO weeks in a school year: ranges, New Year, week 53, and the way back to week labels.

Pure: no database (the school-year bounds are given where a school would have them)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from reol.core import calendar as weeks


def test_weeks_41_to_43_of_2026_27_are_october_2026():
    found = weeks.parse_weeks("41–43", "2026/27")
    assert found.starts == dt.date(2026, 10, 5)  # Monday of week 41
    assert found.ends == dt.date(2026, 10, 23)  # Friday of week 43
    assert weeks.week_label(found.starts, found.ends) == "41–43"


@pytest.mark.parametrize("text", ["41-43", "41–43", "uge 41 - 43", "41 til 43", " 41—43 "])
def test_ways_of_writing_a_range(text):
    assert weeks.parse_weeks(text, "2026/27").first == (2026, 41)


def test_a_single_week():
    found = weeks.parse_weeks("7", "2026/27")
    assert found.first == found.last == (2027, 7)
    assert found.starts == dt.date(2027, 2, 15) and found.ends == dt.date(2027, 2, 19)


def test_week_53_exists_in_2026_and_a_range_crosses_new_year():
    assert weeks.weeks_in_year(2026) == 53 and weeks.weeks_in_year(2027) == 52
    found = weeks.parse_weeks("52–2", "2026/27")
    assert found.first == (2026, 52) and found.last == (2027, 2)
    assert found.starts == dt.date(2026, 12, 21) and found.ends == dt.date(2027, 1, 15)
    assert weeks.weeks_between(found.starts, found.ends) == [
        (2026, 52),
        (2026, 53),
        (2027, 1),
        (2027, 2),
    ]
    week53 = weeks.parse_weeks("53", "2026/27")
    assert week53.starts == dt.date(2026, 12, 28) and week53.ends == dt.date(2027, 1, 1)
    assert weeks.week_label(week53.starts, week53.ends) == "53"


def test_week_53_in_a_year_without_one_is_refused():
    with pytest.raises(ValidationError, match="2027 has no week 53"):
        weeks.parse_weeks("53", "2027/28")
    with pytest.raises(ValidationError, match="has no week 54"):
        weeks.parse_weeks("54", "2026/27")


def test_backwards_and_nonsense_are_refused():
    # 30 is before the school year starts (week 32), so it means June 2027: after week 2.
    with pytest.raises(ValidationError, match="last week comes before"):
        weeks.parse_weeks("30–2", "2026/27")
    with pytest.raises(ValidationError):
        weeks.parse_weeks("efterår", "2026/27")
    with pytest.raises(ValidationError):
        weeks.parse_weeks("41", "sidste år")


def test_the_school_years_first_day_decides_which_year_a_week_is_in():
    # A school that starts on 3 August 2026 (week 32): week 32 is August 2026.
    assert weeks.parse_weeks("32", "2026/27", begins=dt.date(2026, 8, 3)).first == (2026, 32)
    # Week 31 is then at the end of the school year (July 2027).
    assert weeks.parse_weeks("31", "2026/27", begins=dt.date(2026, 8, 3)).first == (2027, 31)


def test_a_date_in_the_last_iso_week_of_the_previous_year():
    # 1 January 2027 is a Friday in week 53 of 2026; 31 December 2029 is in week 1 of 2030.
    assert weeks.week_of(dt.date(2027, 1, 1)) == (2026, 53)
    assert weeks.week_of(dt.date(2029, 12, 31)) == (2030, 1)


@given(
    st.integers(min_value=2000, max_value=2090),
    st.integers(min_value=1, max_value=53),
    st.integers(min_value=0, max_value=20),
)
def test_any_range_round_trips_through_dates(start_year, first, length):
    school_year = f"{start_year}/{(start_year + 1) % 100:02d}"
    begins = weeks.first_day(school_year)
    year = start_year if first >= weeks.week_of(begins)[1] else start_year + 1
    if first > weeks.weeks_in_year(year):
        return
    start_monday = weeks.monday(year, first)
    end_monday = start_monday + dt.timedelta(weeks=length)
    last_year, last = weeks.week_of(end_monday)
    if last_year > start_year and last >= weeks.week_of(begins)[1]:
        return  # past the school year's first week again: the same number means another week
    found = weeks.parse_weeks(f"{first}-{last}", school_year)
    assert found.starts == start_monday
    assert found.ends == end_monday + dt.timedelta(days=4)
    assert len(weeks.weeks_between(found.starts, found.ends)) == length + 1


def test_years_with_53_weeks():
    assert [y for y in range(2020, 2033) if weeks.weeks_in_year(y) == 53] == [2020, 2026, 2032]


def test_week_53_runs_into_january_and_week_1_may_start_in_december():
    found = weeks.parse_weeks("53", "2026/27")
    assert (found.starts, found.ends) == (dt.date(2026, 12, 28), dt.date(2027, 1, 1))
    assert weeks.week_of(dt.date(2027, 1, 3)) == (2026, 53)
    assert weeks.week_of(dt.date(2027, 1, 4)) == (2027, 1)
    assert weeks.monday(2025, 1) == dt.date(2024, 12, 30)
    assert weeks.week_of(dt.date(2024, 12, 31)) == (2025, 1)


def test_a_week_number_is_read_in_the_school_year_given_never_the_next_occurrence():
    """The old booking form read a bare "53" in February 2027 as week 53 of 2032 (the next year
    that has one); in the school year 2026/27 it is December 2026, and 2027/28 has none."""
    assert weeks.parse_weeks("53", "2026/27").first == (2026, 53)
    with pytest.raises(ValidationError):
        weeks.parse_weeks("53", "2027/28")
    assert weeks.parse_weeks("3", "2026/27").first == (2027, 3)
    assert weeks.parse_weeks("41", "2027/28").first == (2027, 41)


def test_school_year_names_by_date_and_the_next():
    assert weeks.year_name_of(dt.date(2026, 7, 31)) == "2025/26"
    assert weeks.year_name_of(dt.date(2026, 8, 1)) == "2026/27"
    assert weeks.next_year_name("2026/27") == "2027/28"
    assert weeks.next_year_name("2099/00") == "2100/01"
    assert weeks.next_year_name("2026/2027") == "2027/2028"


@translation.override("en")
def test_describe_says_the_weeks_dates_and_year():
    found = weeks.parse_weeks("41–43", "2026/27")
    assert weeks.describe(found.starts, found.ends) == "weeks 41–43: 5 Oct – 23 Oct 2026"
    across = weeks.parse_weeks("52–1", "2026/27")
    assert weeks.describe(across.starts, across.ends) == ("weeks 52–1: 21 Dec 2026 – 8 Jan 2027")
