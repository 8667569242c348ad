"""The library's schedule: staff and volunteers' shifts per school, a week at a time, with no
overlap for one person, and a secret calendar address; nothing crosses to another school."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from conftest import PASSWORD
from reol.competence.models import Shift
from reol.competence.services import schedule
from reol.core.models import Membership

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2027, 3, 8)  # ISO week 10 of 2027
NINE, NOON, ONE = dt.time(9), dt.time(12), dt.time(13)


def test_shifts_for_staff_and_volunteers_without_overlap(world):
    w = world
    volunteer = schedule.plan_shift(
        w.librarian_a, w.school_a, person=w.volunteer_a, day=MONDAY, starts=NINE, ends=NOON
    )
    staff = schedule.plan_shift(
        w.librarian_a, w.school_a, person=w.librarian_a, day=MONDAY, starts=NINE, ends=ONE
    )
    assert (volunteer.kind, staff.kind) == ("volunteer", "staff")
    with pytest.raises(ValidationError):  # overlaps the volunteer's morning
        schedule.plan_shift(
            w.librarian_a,
            w.school_a,
            person=w.volunteer_a,
            day=MONDAY,
            starts=dt.time(11),
            ends=ONE,
        )
    with pytest.raises(ValidationError):
        schedule.plan_shift(
            w.librarian_a, w.school_a, person=w.volunteer_a, day=MONDAY, starts=ONE, ends=NOON
        )
    back_to_back = schedule.plan_shift(
        w.librarian_a, w.school_a, person=w.volunteer_a, day=MONDAY, starts=NOON, ends=ONE
    )
    assert back_to_back.pk


def test_a_school_plans_only_its_own_people(world):
    w = world
    with pytest.raises(PermissionDenied):  # bib-b plans nothing at Nordskolen
        schedule.plan_shift(
            w.librarian_b, w.school_a, person=w.librarian_b, day=MONDAY, starts=NINE, ends=NOON
        )
    with pytest.raises(PermissionDenied):  # nor puts a Nordskolen person on Sydskolen's shifts
        schedule.plan_shift(
            w.librarian_b, w.school_b, person=w.volunteer_a, day=MONDAY, starts=NINE, ends=NOON
        )
    with pytest.raises(PermissionDenied):  # a volunteer sees the schedule, plans nothing
        schedule.plan_shift(
            w.volunteer_a, w.school_a, person=w.volunteer_a, day=MONDAY, starts=NINE, ends=NOON
        )
    with pytest.raises(PermissionDenied):  # a student is nobody's shift
        schedule.plan_shift(
            w.librarian_a, w.school_a, person=w.student_a1, day=MONDAY, starts=NINE, ends=NOON
        )


def test_the_week_page_and_its_feed(world, client):
    w = world
    # Next week's Monday: the feed reaches a few months from today, whatever today is.
    today = timezone.localdate()
    monday = today + dt.timedelta(days=7 - today.weekday())
    this = "{}-W{:02d}".format(*monday.isocalendar()[:2])
    following = "{}-W{:02d}".format(*(monday + dt.timedelta(days=7)).isocalendar()[:2])
    schedule.plan_shift(
        w.librarian_a,
        w.school_a,
        person=w.volunteer_a,
        day=monday,
        starts=NINE,
        ends=NOON,
        task="Skranken",
    )
    url = "/staff/competence/schedule/?week="
    client.login(username="bib-b", password=PASSWORD)
    assert "Skranken" not in client.get(url + this).content.decode()
    client.login(username="frivillig-a", password=PASSWORD)
    page = client.get(url + this)
    assert page.status_code == 200 and "Skranken" in page.content.decode()
    assert "Skranken" not in client.get(url + following).content.decode()
    assert (
        client.post("/staff/competence/schedule/", {"action": "remove", "shift": 1}).status_code
        == 404
    )
    client.post("/staff/competence/schedule/", {"action": "feed"})
    feed = w.volunteer_a.schedule_feeds.get()
    ics = client.get(f"/feeds/courses/schedule/{feed.token}.ics")
    assert ics.status_code == 200
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    starts = [e.decoded("dtstart") for e in events]
    assert len(events) == 1 and starts[0].date() == monday and starts[0].hour == 9
    assert "Skranken" in str(events[0]["summary"])
    Membership.objects.filter(user=w.volunteer_a).delete()  # the role is gone: so is the feed
    assert client.get(f"/feeds/courses/schedule/{feed.token}.ics").status_code == 404


def test_a_librarian_plans_a_shift_on_the_page(world, client):
    w = world
    client.login(username="bib-a", password=PASSWORD)
    answer = client.post(
        "/staff/competence/schedule/?week=2027-W10",
        {
            "action": "shift",
            "person": w.volunteer_a.pk,
            "day": "2027-03-09",
            "starts": "10:00",
            "ends": "11:30",
            "task": "Læsecafé",
        },
    )
    assert answer.status_code == 302
    assert Shift.objects.get().task == "Læsecafé"
    html = client.get("/staff/competence/schedule/?week=2027-W10").content.decode()
    assert "10:00–11:30" in html and "Læsecafé" in html
