"""The booking pages: what each person sees and may do, conflicts with alternatives, the .ics,
the pick list, and bounded queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.bookings import services
from reol.bookings.models import Booking, BookingState, Resource
from reol.bookings.services import BookingRequest as R
from reol.circulation.models import Loan
from reol.core import calendar
from reol.core.permissions import SYSTEM

from .conftest import make_centre

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def c(world):  # type: ignore[no-untyped-def]
    return make_centre(world, calendar=False)


@pytest.fixture
def today():
    return timezone.localdate()


def test_a_teacher_books_the_workshop_for_two_afternoons(c, today):
    client = signed_in(c.world.teacher_a)
    page = client.get(reverse("bookings-new"))
    assert page.status_code == 200
    assert b'name="teacher"' not in page.content  # teachers book for themselves
    starts = today + dt.timedelta(days=7)
    answer = client.post(
        reverse("bookings-new"),
        {
            "action": "book",
            "title": "Vikingerne",
            "resource": c.workshop.pk,
            "quantity": 1,
            "starts": starts.isoformat(),
            "ends": (starts + dt.timedelta(days=1)).isoformat(),
            "start_time": "12:00",
            "end_time": "14:30",
            "group": c.group.pk,
        },
    )
    booking = Booking.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/staff/bookings/{booking.pk}/"
    assert (booking.teacher, booking.start_time) == (c.world.teacher_a, dt.time(12))
    detail = client.get(answer["Location"]).content.decode()
    assert "Vikingerne" in detail and "booking.ics" in detail
    assert "Check out" not in detail  # the desk's action, not a teacher's
    # Another teacher: the conflict, who holds it, and links to what is free.
    other = signed_in(c.teacher2)
    refused = other.post(
        reverse("bookings-new"),
        {
            "action": "book",
            "resource": c.workshop.pk,
            "quantity": 1,
            "starts": starts.isoformat(),
            "start_time": "13:00",
            "end_time": "15:00",
        },
    ).content.decode()
    assert "This cannot be booked" in refused
    assert "Laerer-A Test (5.B)" in refused
    assert "Lydstudiet" in refused  # the other room
    assert f"resource={c.studio.pk}" in refused
    assert Booking.objects.count() == 1


def test_weeks_and_a_class_set_found_by_search(c, today):
    client = signed_in(c.world.librarian_a)
    year, week, _ = (today + dt.timedelta(days=21)).isocalendar()
    found = client.post(reverse("bookings-new"), {"action": "search", "q": "Vikinger"}).content
    assert b"Vikingernes saga" in found and b"30 copies here" in found
    answer = client.post(
        reverse("bookings-new"),
        {
            "action": "book",
            "record": c.novel.pk,
            "quantity": 28,
            "school_year": calendar.year_name_of(today + dt.timedelta(days=21)),
            "weeks": str(week),
            "teacher": c.teacher2.pk,
        },
    )
    assert answer.status_code == 302, answer.content.decode()
    booking = Booking.objects.get()
    assert booking.starts == dt.date.fromisocalendar(year, week, 1)
    assert booking.ends == dt.date.fromisocalendar(year, week, 5)
    assert booking.teacher == c.teacher2
    line = booking.lines.get()
    assert (line.record, line.quantity) == (c.novel, 28)


def test_the_booking_page_checks_out_and_shows_the_return(c, today):
    booking = services.book(
        SYSTEM,
        c.school,
        starts=today,
        ends=today + dt.timedelta(days=10),
        lines=[R(record=c.saturn, quantity=3)],
        teacher=c.world.teacher_a,
    )
    client = signed_in(c.world.librarian_a)
    url = reverse("bookings-detail", args=[booking.pk])
    assert "Check out" in client.get(url).content.decode()
    client.post(reverse("bookings-check-out", args=[booking.pk]))
    assert Loan.objects.filter(patron=c.world.teacher_a, returned_at__isnull=True).count() == 3
    from reol.circulation.actions import loans

    loans.checkin(c.world.librarian_a, c.school, "S2")
    page = client.get(url).content.decode()
    assert "1 of 3 copies are back." in page
    assert "Not back" in page
    client.post(reverse("bookings-check-return", args=[booking.pk]))
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_OUT


def test_ics_download(c, today):
    booking = services.book(
        SYSTEM,
        c.school,
        starts=today + dt.timedelta(days=3),
        ends=today + dt.timedelta(days=4),
        lines=[R(resource=c.workshop)],
        start_time=dt.time(12),
        end_time=dt.time(14),
        title="Podcast",
        teacher=c.world.teacher_a,
    )
    answer = signed_in(c.world.teacher_a).get(reverse("bookings-ics", args=[booking.pk]))
    assert answer["Content-Type"].startswith("text/calendar")
    from icalendar import Calendar

    cal = Calendar.from_ical(answer.content)
    event = next(iter(cal.walk("VEVENT")))
    assert str(event["summary"]) == "Podcast"
    assert str(event["location"]) == "Medieværkstedet"
    assert event["dtstart"].dt.hour == 12
    assert event["rrule"]["COUNT"] == [2]
    assert cal.walk("VTIMEZONE")  # the zone travels with the file


def test_whole_day_ics_has_exclusive_end(c, today):
    from icalendar import Calendar

    from reol.bookings.selectors import booking_ics

    starts = today + dt.timedelta(days=3)
    booking = services.book(
        SYSTEM,
        c.school,
        starts=starts,
        ends=starts,
        lines=[R(record=c.novel, quantity=2)],
        teacher=c.world.teacher_a,
    )
    event = next(iter(Calendar.from_ical(booking_ics(booking)).walk("VEVENT")))
    assert event["dtstart"].dt == starts
    assert event["dtend"].dt == starts + dt.timedelta(days=1)


def test_other_schools_and_students_see_nothing(c, today):
    booking = services.book(
        SYSTEM,
        c.school,
        starts=today,
        ends=today,
        lines=[R(resource=c.workshop)],
        teacher=c.world.teacher_a,
    )
    other = signed_in(c.world.librarian_b)
    assert other.get(reverse("bookings-detail", args=[booking.pk])).status_code == 404
    assert other.get(reverse("bookings-ics", args=[booking.pk])).status_code == 404
    assert other.get(reverse("bookings-resource", args=[c.workshop.pk])).status_code == 404
    assert other.post(reverse("bookings-cancel", args=[booking.pk])).status_code == 404
    student = signed_in(c.world.student_a1)
    assert student.get(reverse("bookings-home")).status_code in (302, 403)
    volunteer = signed_in(c.world.volunteer_a)
    assert volunteer.get(reverse("bookings-new")).status_code == 403
    booking.refresh_from_db()
    assert booking.state == BookingState.PLANNED


def test_the_pick_list_for_tomorrow(c, today):
    tomorrow = today + dt.timedelta(days=1)
    services.book(
        SYSTEM,
        c.school,
        starts=tomorrow,
        ends=tomorrow,
        lines=[R(record=c.saturn, quantity=2)],
        teacher=c.world.teacher_a,
        title="Læsebånd",
    )
    client = signed_in(c.world.librarian_a)
    page = client.get(reverse("bookings-pick-list")).content.decode()
    barcodes = re.findall(r"<td>(S\d+)</td>", page)  # not a bare "S3": a CSRF token may hold it
    assert "Læsebånd" in page and barcodes == ["S1", "S2"]
    assert signed_in(c.world.teacher_a).get(reverse("bookings-pick-list")).status_code == 403


def test_librarian_adds_rooms_and_equipment(c):
    client = signed_in(c.world.librarian_a)
    answer = client.post(
        reverse("bookings-resources"),
        {"kind": "equipment", "name": "Robotter", "units": 6, "active": "on"},
    )
    assert answer.status_code == 302
    robots = Resource.objects.get(name="Robotter")
    assert robots.units == 6
    refused = client.post(
        reverse("bookings-resources"), {"kind": "room", "name": "Aulaen", "units": 3}
    ).content.decode()
    assert "A room is one room." in refused
    dup = client.post(
        reverse("bookings-resources"), {"kind": "room", "name": "medieværkstedet", "units": 1}
    ).content.decode()
    assert "already" in dup
    teacher = signed_in(c.world.teacher_a)
    assert b"Robotter" in teacher.get(reverse("bookings-resources")).content
    assert teacher.post(reverse("bookings-resources"), {"name": "X"}).status_code == 403


def test_hot_pages_have_bounded_queries(c, today, django_assert_max_num_queries):
    for n in range(6):
        services.book(
            SYSTEM,
            c.school,
            starts=today + dt.timedelta(days=n),
            ends=today + dt.timedelta(days=n),
            lines=[R(resource=c.workshop), R(record=c.novel, quantity=2)],
            teacher=c.world.teacher_a,
        )
    client = signed_in(c.world.librarian_a)
    client.get(reverse("bookings-home"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("bookings-home")).status_code == 200
    first = Booking.objects.first()
    with django_assert_max_num_queries(20):
        assert client.get(reverse("bookings-detail", args=[first.pk])).status_code == 200


def test_the_pick_list_has_bounded_queries(c, today, django_assert_max_num_queries):
    tomorrow = today + dt.timedelta(days=1)
    for n in range(4):
        services.book(
            SYSTEM,
            c.school,
            starts=tomorrow,
            ends=tomorrow,
            lines=[R(record=c.novel, quantity=5), R(resource=c.cameras, quantity=2)],
            teacher=c.world.teacher_a,
            title=f"Hold {n}",
        )
    client = signed_in(c.world.librarian_a)
    with django_assert_max_num_queries(40):
        page = client.get(reverse("bookings-pick-list"), {"day": tomorrow.isoformat()})
    import re

    barcodes = re.findall(r"<td>(K\d\d)</td>", page.content.decode())
    assert len(barcodes) == len(set(barcodes)) == 20  # each copy to one booking
