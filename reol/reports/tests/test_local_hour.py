"""The local hour the reports group by: the database's answer is the zone's hour of each instant,
on both databases, across the changes of summer time (where SQLite's is a CASE of offsets)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateField, DateTimeField, Value
from django.utils import timezone

from reol.core.models import User
from reol.reports.hours import IsoWeekDay, LocalHour, MonthStart, utc_offsets

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _instants() -> list[dt.datetime]:
    """Every 37 minutes over two days around each change of summer time in 2026/27, and odd
    seconds around the changes themselves."""
    out = []
    for change in (
        dt.datetime(2026, 10, 25, 1, tzinfo=UTC),
        dt.datetime(2027, 3, 28, 1, tzinfo=UTC),
    ):
        start = change - dt.timedelta(days=1)
        out += [start + dt.timedelta(minutes=37 * i) for i in range(2 * 24 * 60 // 37)]
        out += [change + dt.timedelta(seconds=s) for s in (-1, 0, 1)]
    out += [dt.datetime(2027, 1, 4, 23, 59, 59, 999_999, tzinfo=UTC)]  # microseconds stored
    return out


@pytest.mark.parametrize("zone", ["Europe/Copenhagen", "America/New_York", "Asia/Kolkata"])
def test_the_hour_is_the_zones_hour_of_each_instant(zone):  # type: ignore[no-untyped-def]
    instants = _instants()
    User.objects.bulk_create(
        [User(username=f"u{i}", date_joined=at) for i, at in enumerate(instants)]
    )
    tz = ZoneInfo(zone)
    with timezone.override(tz):
        got = dict(
            User.objects.annotate(
                h=LocalHour("date_joined", dt.date(2026, 8, 1), dt.date(2027, 7, 31))
            ).values_list("username", "h")
        )
    want = {f"u{i}": at.astimezone(tz).hour for i, at in enumerate(instants)}
    assert {k: got[k] for k in want} == want


def test_the_offsets_change_at_the_second_summer_time_ends():  # type: ignore[no-untyped-def]
    spans = utc_offsets(ZoneInfo("Europe/Copenhagen"), dt.date(2026, 8, 1), dt.date(2027, 7, 31))
    assert [(at.isoformat(), off) for at, off in spans[1:]] == [
        ("2026-10-25T01:00:00+00:00", 3600),
        ("2027-03-28T01:00:00+00:00", 7200),
    ]
    assert spans[0][1] == 7200
    assert (
        len(utc_offsets(ZoneInfo("Asia/Kolkata"), dt.date(2026, 1, 1), dt.date(2026, 12, 31))) == 1
    )


def test_the_iso_weekday_is_monday_one_to_sunday_seven_on_both_databases():  # type: ignore[no-untyped-def]
    User.objects.create(username="one")
    days = [dt.date(2026, 12, 28) + dt.timedelta(days=i) for i in range(9)]  # across a new year
    got = [
        User.objects.annotate(d=IsoWeekDay(Value(day, output_field=DateField())))
        .values_list("d", flat=True)
        .get()
        for day in days
    ]
    assert got == [day.isoweekday() for day in days] == [1, 2, 3, 4, 5, 6, 7, 1, 2]


def test_the_month_start_is_the_first_of_the_dates_month_on_both_databases():  # type: ignore[no-untyped-def]
    User.objects.create(username="one")
    days = [dt.date(2027, 1, 31), dt.date(2027, 2, 1), dt.date(2028, 2, 29), dt.date(2026, 12, 31)]
    got = [
        User.objects.annotate(m=MonthStart(Value(day, output_field=DateField())))
        .values_list("m", flat=True)
        .get()
        for day in days
    ]
    assert got == [day.replace(day=1) for day in days]
    assert all(type(m) is dt.date for m in got)


def test_the_month_start_of_an_instant_is_the_month_in_the_schools_zone():  # type: ignore[no-untyped-def]
    # 23:30 UTC on 31 January is 1 February in Copenhagen: a plain date() would say January.
    User.objects.create(username="one")
    instant = dt.datetime(2027, 1, 31, 23, 30, tzinfo=dt.UTC)
    with timezone.override(ZoneInfo("Europe/Copenhagen")):
        got = (
            User.objects.annotate(m=MonthStart(Value(instant, output_field=DateTimeField())))
            .values_list("m", flat=True)
            .get()
        )
    assert got.date() == dt.date(2027, 2, 1)
