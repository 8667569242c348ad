"""The course calendar: a participant's and an organiser's sessions at a secret, revocable
address, parsed back with ``icalendar``; nobody else's calendar shows them; a cancelled session
stays in the feed as cancelled, and counts for no one's completion."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from icalendar import Calendar

from conftest import PASSWORD
from reol.competence import ical, selectors
from reol.competence.models import CourseFeed
from reol.competence.services import courses

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(net):  # type: ignore[no-untyped-def]
    c = courses.create_course(net.coordinator, net.network, title="Kildekritik", capacity=3)
    for n in range(2):
        courses.add_session(
            net.coordinator,
            c,
            title=f"Samling {n + 1}",
            starts=at(5 + 7 * n),
            ends=at(5 + 7 * n, 12),
            place="Amtsbiblioteket",
        )
    return c


def _events(body: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


def _fetch(client, user) -> bytes:  # type: ignore[no-untyped-def]
    feed = courses.create_feed(user)
    answer = client.get(f"/feeds/courses/{feed.token}.ics")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/calendar")
    return bytes(answer.content)


def test_participant_and_organiser_see_the_sessions_in_local_time(net, course, client):
    courses.register(net.county_staff[0], course)
    client.logout()
    body = _fetch(client, net.county_staff[0])
    events = _events(body)
    uids = {f"course-session-{s.pk}@amt.reol" for s in course.sessions.all()}
    assert set(events) == uids
    cal = Calendar.from_ical(body)
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == [settings.TIME_ZONE]
    first = course.sessions.get(number=1)
    event = events[f"course-session-{first.pk}@amt.reol"]
    start = event["dtstart"].dt  # type: ignore[index]
    assert str(start.tzinfo) == settings.TIME_ZONE and start == first.starts
    assert event["dtstamp"] and str(event["status"]) == "CONFIRMED"  # type: ignore[index]
    # the organiser (the network's coordinator) sees them too, with the same UIDs
    assert set(_events(_fetch(client, net.coordinator))) == uids


def test_others_do_not_see_the_sessions(net, course, client):
    courses.register(net.county_staff[0], course)
    waiting_and_cancelled = net.county_staff[1]
    courses.cancel(waiting_and_cancelled, courses.register(waiting_and_cancelled, course))
    outsiders = [
        waiting_and_cancelled,
        net.county_staff[2],  # same library, not registered
        net.world.librarian_a,  # a member municipality's librarian, not registered
        net.other_coordinator,  # coordinates another network
        net.other_librarian,  # another municipality, another network
    ]
    client.logout()
    for person in outsiders:
        assert _events(_fetch(client, person)) == {}, person.username


def test_a_cancelled_session_stays_in_the_feed_as_cancelled(
    net, course, client, django_capture_on_commit_callbacks
):
    person = net.county_staff[0]
    courses.register(person, course)
    second = course.sessions.get(number=2)
    with pytest.raises(PermissionDenied):
        courses.cancel_session(person, second)
    with django_capture_on_commit_callbacks(execute=True):
        courses.cancel_session(net.coordinator, second)
    assert [m.to for m in mail.outbox] == [[person.email]]
    event = _events(ical.feed_ics(person))[f"course-session-{second.pk}@amt.reol"]
    assert str(event["status"]) == "CANCELLED"  # type: ignore[index]
    assert int(event["sequence"]) == 1  # type: ignore[index]
    with pytest.raises(ValidationError):
        courses.record_attendance(net.coordinator, second, {person.pk})
    # the one session held makes a completer; the cancelled one is asked of no one
    courses.record_attendance(net.coordinator, course.sessions.get(number=1), {person.pk})
    assert selectors.completers(course) == [person]


def test_a_revoked_address_answers_404_and_only_its_owner_revokes_it(net, course, client):
    person = net.county_staff[0]
    courses.register(person, course)
    client.login(username=person.username, password=PASSWORD)
    answer = client.post("/staff/competence/calendar/", {"action": "create"})
    assert answer.status_code == 302
    feed = CourseFeed.objects.get(user=person)
    page = client.get("/staff/competence/calendar/")
    assert feed.token in page.content.decode()
    assert client.get(f"/feeds/courses/{feed.token}.ics").status_code == 200
    with pytest.raises(PermissionDenied):
        courses.revoke_feed(net.county_staff[1], feed)
    client.login(username=net.county_staff[1].username, password=PASSWORD)
    client.post("/staff/competence/calendar/", {"action": "revoke", "feed": feed.pk})
    assert client.get(f"/feeds/courses/{feed.token}.ics").status_code == 200
    client.login(username=person.username, password=PASSWORD)
    client.post("/staff/competence/calendar/", {"action": "revoke", "feed": feed.pk})
    assert client.get(f"/feeds/courses/{feed.token}.ics").status_code == 404


def test_the_subscribe_page_of_planning_links_the_course_calendar(net, client):
    client.login(username=net.world.librarian_a.username, password=PASSWORD)
    page = client.get("/staff/planning/feeds/").content.decode()
    assert "/staff/competence/calendar/" in page


def test_the_coordinator_cancels_a_session_on_the_course_page(net, course, client):
    second = course.sessions.get(number=2)
    client.login(username=net.county_staff[0].username, password=PASSWORD)
    data = {"action": "cancel_session", "session": second.pk}
    assert client.post(f"/staff/competence/courses/{course.pk}/", data).status_code == 403
    second.refresh_from_db()
    assert second.cancelled_at is None
    client.login(username=net.coordinator.username, password=PASSWORD)
    assert client.post(f"/staff/competence/courses/{course.pk}/", data).status_code == 302
    second.refresh_from_db()
    assert second.cancelled_at is not None
