"""Course series: a seat while there is one, then the waiting list; a cancelled seat goes to
whoever waited longest, in the same transaction; attendance makes completers, who get a
certificate; feedback, reflections and the discussion are the participants'; sessions as
iCalendar; reminders once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from icalendar import Calendar

from conftest import PASSWORD
from reol.competence import ical, selectors
from reol.competence.models import Registration
from reol.competence.services import courses
from reol.core.permissions import SYSTEM

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(net):  # type: ignore[no-untyped-def]
    c = courses.create_course(net.coordinator, net.network, title="Kildekritik", capacity=2)
    for n in range(3):
        courses.add_session(
            net.coordinator,
            c,
            title=f"Samling {n + 1}",
            starts=at(-10 + 3 * n),
            ends=at(-10 + 3 * n, 12),
            place="Amtsbiblioteket",
        )
    return c


def test_the_first_waiting_moves_up_when_someone_cancels(
    net, course, django_capture_on_commit_callbacks
):
    a, b, c, d = net.county_staff[:4]
    first, second = courses.register(a, course), courses.register(b, course)
    third, fourth = courses.register(c, course), courses.register(d, course)
    assert (first.status, second.status) == ("registered", "registered")
    assert (third.status, fourth.status) == ("waiting", "waiting")
    assert selectors.waiting_position(fourth) == 2
    with django_capture_on_commit_callbacks(execute=True):
        moved = courses.cancel(a, first)
    assert moved is not None and moved.pk == third.pk
    third.refresh_from_db()
    assert (third.status, third.seat) == ("registered", first.seat)
    assert [m.to for m in mail.outbox] == [[c.email]]
    fourth.refresh_from_db()
    assert fourth.status == "waiting" and selectors.waiting_position(fourth) == 1
    # a waiting person who cancels frees no seat: nobody moves
    assert courses.cancel(d, fourth) is None
    assert list(selectors.participants(course)) == sorted(
        [b, c], key=lambda u: u.last_name + u.first_name
    )


def test_one_live_registration_per_person_and_the_others_cannot_cancel_it(net, course):
    reg = courses.register(net.county_staff[0], course)
    with pytest.raises(ValidationError):
        courses.register(net.county_staff[0], course)
    with pytest.raises(PermissionDenied):
        courses.cancel(net.county_staff[1], reg)
    assert courses.cancel(net.coordinator, reg) is None  # the coordinator may
    courses.register(net.county_staff[0], course)  # and one may come back


def test_the_database_keeps_one_person_per_seat(net, course):
    reg = courses.register(net.county_staff[0], course)
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            course=course, user=net.county_staff[1], status="registered", seat=reg.seat
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            course=course, user=net.county_staff[2], status="waiting", seat=2
        )


def test_attendance_at_every_session_completes_and_gives_a_certificate(net, course, client):
    a, b = net.county_staff[:2]
    courses.register(a, course), courses.register(b, course)
    sessions = list(course.sessions.all())
    for s in sessions:
        courses.record_attendance(net.coordinator, s, {a.pk, b.pk} if s.number < 3 else {a.pk})
    assert selectors.completers(course) == [a]
    assert selectors.completed_courses(a) == [course] and selectors.completed_courses(b) == []
    client.login(username=a.username, password=PASSWORD)
    pdf = client.get(f"/staff/competence/courses/{course.pk}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    home = client.get("/staff/competence/").content.decode()
    record = home.split('<ul id="completed">')[1].split("</ul>")[0]
    assert "Kildekritik" in record and "certificate.pdf" in record
    client.login(username=b.username, password=PASSWORD)
    assert client.get(f"/staff/competence/courses/{course.pk}/certificate.pdf").status_code == 404
    with pytest.raises(PermissionDenied):
        courses.record_attendance(a, sessions[0], {a.pk})


def test_the_arena_is_the_participants(net, course):
    a, outsider = net.county_staff[0], net.county_staff[1]
    courses.register(a, course)
    session = course.sessions.first()
    task = courses.add_task(net.coordinator, course, title="Refleksion", session=session)
    courses.submit_reflection(a, task, "Jeg lærte at vurdere kilder.")
    courses.post(a, session, "Hvem har et godt eksempel?")
    courses.give_feedback(a, session, rating=5, comment="Godt")
    for call in (
        lambda: courses.submit_reflection(outsider, task, "x"),
        lambda: courses.post(outsider, session, "x"),
        lambda: courses.give_feedback(outsider, session, rating=3),
    ):
        with pytest.raises(PermissionDenied):
            call()
    later = courses.add_session(
        net.coordinator,
        course,
        title="Senere",
        starts=at(5),
        ends=at(5, 12),
        online_url="https://meet.example.org/x",
    )
    with pytest.raises(ValidationError):
        courses.give_feedback(a, later, rating=4)


def test_sessions_in_the_participants_calendar_feed(net, course, client):
    a = net.county_staff[0]
    courses.register(a, course)
    feed = courses.create_feed(a)
    client.logout()
    answer = client.get(f"/feeds/courses/{feed.token}.ics")
    assert answer.status_code == 200
    events = Calendar.from_ical(answer.content).walk("VEVENT")
    assert sorted(str(e["summary"]) for e in events) == [
        "Kildekritik: 1. Samling 1",
        "Kildekritik: 2. Samling 2",
        "Kildekritik: 3. Samling 3",
    ]
    assert {str(e["location"]) for e in events} == {"Amtsbiblioteket"}
    assert not Calendar.from_ical(ical.feed_ics(net.county_staff[1])).walk("VEVENT")
    assert client.get("/feeds/courses/nothing.ics").status_code == 404


def test_reminders_go_once_to_the_registered(net, django_capture_on_commit_callbacks):
    c = courses.create_course(net.coordinator, net.network, title="Snart", capacity=1)
    courses.add_session(SYSTEM, c, title="I morgen", starts=at(1), ends=at(1, 12), place="Sal 2")
    courses.register(net.county_staff[0], c)
    courses.register(net.county_staff[1], c)  # waiting: no reminder
    now = at(0)
    with django_capture_on_commit_callbacks(execute=True):
        assert courses.send_reminders(now) == 1
        assert courses.send_reminders(now + dt.timedelta(hours=1)) == 0
    reminders = [m for m in mail.outbox if "I morgen" in m.subject]
    assert [m.to for m in reminders] == [[net.county_staff[0].email]]
