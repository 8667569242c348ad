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


def test_date_inputs_hold_iso_dates_in_every_language():
    import datetime as dt

    from django.utils import translation

    from reol.core.forms import SchoolYearForm

    form = SchoolYearForm(initial={"starts": dt.date(2026, 8, 10), "ends": dt.date(2027, 6, 25)})
    with translation.override("da"):
        html = str(form["starts"])
    assert 'value="2026-08-10"' in html, html
