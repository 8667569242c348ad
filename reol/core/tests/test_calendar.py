from __future__ import annotations

import datetime as dt

import pytest

from reol.core import calendar, services
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(world):
    s = world.school_a
    services.set_opening_hours(SYSTEM, s, [(d, dt.time(8), dt.time(15)) for d in range(5)])
    services.add_closed_period(
        SYSTEM,
        s,
        name="Juleferie",
        kind="holiday",
        starts=dt.date(2026, 12, 21),
        ends=dt.date(2027, 1, 1),
    )
    return s


def test_weekend_moves_to_monday(school):
    assert calendar.next_open_day(school, dt.date(2026, 11, 21)) == dt.date(2026, 11, 23)


def test_holiday_across_new_year_moves_to_first_open_day(school):
    assert not calendar.is_open(school, dt.date(2026, 12, 28))
    assert calendar.next_open_day(school, dt.date(2026, 12, 24)) == dt.date(2027, 1, 4)


def test_open_day_is_itself(school):
    assert calendar.is_open(school, dt.date(2026, 11, 24))
    assert calendar.next_open_day(school, dt.date(2026, 11, 24)) == dt.date(2026, 11, 24)


def test_never_open_gives_none(world):
    assert calendar.next_open_day(world.school_b, dt.date(2026, 11, 24)) is None


def test_school_year_lookup(school):
    year = services.add_school_year(
        SYSTEM, school, name="2026/27", starts=dt.date(2026, 8, 11), ends=dt.date(2027, 6, 25)
    )
    assert calendar.school_year_on(school, dt.date(2027, 2, 28)) == year
    assert calendar.school_year_on(school, dt.date(2027, 7, 1)) is None


def test_current_school_year_in_the_summer_is_the_next_one_the_school_has(school):
    """One summer fallback for every app: after the last school day, the year that comes next
    (if entered), else the calendar-date year; before this, patrons fell back to the newest
    group's year and rosters to the date alone."""
    services.add_school_year(
        SYSTEM, school, name="2025/26", starts=dt.date(2025, 8, 11), ends=dt.date(2026, 6, 25)
    )
    assert calendar.current_school_year(school, dt.date(2026, 7, 10)) == "2025/26"
    services.add_school_year(
        SYSTEM, school, name="2026/27", starts=dt.date(2026, 8, 10), ends=dt.date(2027, 6, 25)
    )
    assert calendar.current_school_year(school, dt.date(2026, 7, 10)) == "2026/27"
    assert calendar.current_and_next(school, dt.date(2026, 7, 10)) == ["2026/27", "2027/28"]
    assert calendar.current_school_year(school, dt.date(2026, 3, 1)) == "2025/26"


def test_weeks_read_in_the_school_years_own_first_week(school):
    services.add_school_year(
        SYSTEM, school, name="2026/27", starts=dt.date(2026, 8, 3), ends=dt.date(2027, 6, 25)
    )
    assert calendar.weeks_of_school_year(school, "32", "2026/27").first == (2026, 32)
    assert calendar.weeks_of_school_year(school, "31", "2026/27").first == (2027, 31)


def test_holidays_inside_weeks_are_named_and_library_closures_are_not(school):
    services.add_closed_period(
        SYSTEM,
        school,
        name="Efterårsferie",
        kind="holiday",
        starts=dt.date(2026, 10, 12),
        ends=dt.date(2026, 10, 16),
    )
    services.add_closed_period(
        SYSTEM,
        school,
        name="Inventory",
        kind="closed",
        starts=dt.date(2026, 10, 19),
        ends=dt.date(2026, 10, 19),
    )
    found = calendar.parse_weeks("41–43", "2026/27")
    assert [h.name for h in calendar.holidays_within(school, found.starts, found.ends)] == [
        "Efterårsferie"
    ]
    assert "Efterårsferie" in calendar.holiday_warning(school, found.starts, found.ends)
    week_45 = calendar.parse_weeks("45", "2026/27")
    assert calendar.holiday_warning(school, week_45.starts, week_45.ends) == ""


def test_the_weeks_preview_shows_dates_year_and_holiday(school, world):
    from django.test import Client
    from django.urls import reverse

    services.add_closed_period(
        SYSTEM,
        school,
        name="Efterårsferie",
        kind="holiday",
        starts=dt.date(2026, 10, 12),
        ends=dt.date(2026, 10, 16),
    )
    client = Client()
    client.force_login(world.librarian_a)
    url = reverse("calendar-weeks")
    page = client.get(url, {"weeks": "41-43", "school_year": "2026/27"}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert page.status_code == 200
    assert "2026" in text and "Efterårsferie" in text
    assert "2027" not in client.get(url, {"weeks": "41", "school_year": "2026/27"}).content.decode()
    later = client.get(url, {"weeks": "41", "school_year": "2027/28"}).content.decode()
    assert "2027" in later
    bad = client.get(url, {"weeks": "54", "school_year": "2026/27"}).content.decode()
    assert "54" in bad


def test_date_inputs_hold_iso_dates_in_every_language():
    import datetime as dt

    from django.utils import translation

    from reol.core.forms import SchoolYearForm

    form = SchoolYearForm(initial={"starts": dt.date(2026, 8, 10), "ends": dt.date(2027, 6, 25)})
    with translation.override("da"):
        html = str(form["starts"])
    assert 'value="2026-08-10"' in html, html
