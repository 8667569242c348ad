"""Calendar feeds: secret addresses, valid RFC 5545, revocation, and who may have which."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from icalendar import Calendar

from reol.bookings import services as bookings
from reol.core.models import Membership
from reol.core.permissions import SYSTEM, forget_cached_roles
from reol.planning import services
from reol.planning.models import CalendarFeed
from reol.planning.tests.test_services import vikings

pytestmark = pytest.mark.django_db


def fetch(feed: CalendarFeed, client: Client | None = None):  # type: ignore[no-untyped-def]
    return (client or Client()).get(f"/feeds/{feed.token}.ics")


def events(response) -> list:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    found = list(cal.walk("VEVENT"))
    for event in found:
        assert event["UID"] and event["DTSTAMP"] and event["DTSTART"]
    return found


def test_the_coordination_feed_has_all_day_plan_events_and_bookings(plans):
    teacher = plans.world.teacher_a
    entry = vikings(plans)
    services.book_room(
        teacher,
        entry,
        plans.workshop,
        day=dt.date(2027, 10, 12),
        start_time=dt.time(12, 30),
        end_time=dt.time(15, 0),
    )
    feed = services.create_feed(teacher, plans.school, "coordination")
    assert len(feed.token) >= 43  # 32 random bytes, URL-safe
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2027, 9, 1)):
        found = events(fetch(feed))
    plan = next(e for e in found if str(e["UID"]).startswith("plan-"))
    assert str(plan["SUMMARY"]) == "5.B: Vikingerne"
    # All-day: DATE values, DTEND exclusive (the Saturday after Friday of week 43).
    assert plan["DTSTART"].dt == dt.date(2027, 10, 11) and type(plan["DTSTART"].dt) is dt.date
    assert plan["DTEND"].dt == dt.date(2027, 10, 30)
    assert b"DTSTART;VALUE=DATE:20271011" in plan.to_ical()
    room = next(e for e in found if str(e["UID"]).startswith("booking-"))
    assert isinstance(room["DTSTART"].dt, dt.datetime)
    assert room["DTSTART"].dt.hour == 12 and room["DTSTART"].dt.minute == 30
    # The same UID on every fetch, so calendar clients update instead of duplicating.
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2027, 9, 1)):
        again = events(fetch(feed))
    assert {str(e["UID"]) for e in again} == {str(e["UID"]) for e in found}
    feed.refresh_from_db()
    assert feed.last_used_at is not None


def test_a_teachers_bookings_and_a_rooms_bookings(plans):
    teacher = plans.world.teacher_a
    entry = vikings(plans)
    services.add_resource(teacher, entry, plans.novel, 28)
    services.reserve_resources(teacher, entry)
    services.book_room(teacher, entry, plans.workshop, day=dt.date(2027, 10, 14))
    mine = events(fetch(services.create_feed(teacher, plans.school, "teacher_bookings")))
    assert len(mine) == 2
    novel = next(
        e
        for e in mine
        if "Vikingerne" in str(e["SUMMARY"]) and e["DTSTART"].dt == dt.date(2027, 10, 11)
    )
    assert novel["DTEND"].dt == dt.date(2027, 10, 30)
    room_feed = services.create_feed(
        plans.world.librarian_a, plans.school, "resource", resource=plans.workshop
    )
    room = events(fetch(room_feed))
    assert [e["DTSTART"].dt for e in room] == [dt.date(2027, 10, 14)]
    assert (
        events(fetch(services.create_feed(plans.teacher_5a, plans.school, "teacher_bookings")))
        == []
    )


def test_revoked_or_unknown_addresses_are_404_and_sign_in_is_not_needed(plans):
    feed = services.create_feed(plans.world.teacher_a, plans.school, "coordination")
    assert fetch(feed).status_code == 200
    assert Client().get("/feeds/not-a-token.ics").status_code == 404
    assert Client().get(f"/feeds/{feed.token[:-1]}.ics").status_code == 404
    with pytest.raises(PermissionDenied):
        services.revoke_feed(plans.world.librarian_a, feed)
    services.revoke_feed(plans.world.teacher_a, feed)
    assert fetch(feed).status_code == 404


def test_a_feed_dies_with_its_owners_role(plans):
    feed = services.create_feed(plans.world.teacher_a, plans.school, "coordination")
    Membership.objects.filter(user=plans.world.teacher_a).delete()
    forget_cached_roles(plans.world.teacher_a)
    assert fetch(feed).status_code == 404


def test_who_may_make_which_feed(plans):
    w = plans.world
    with pytest.raises(PermissionDenied):
        services.create_feed(w.student_a1, plans.school, "coordination")
    with pytest.raises(PermissionDenied):
        services.create_feed(w.librarian_b, plans.school, "coordination")
    with pytest.raises(ValidationError):
        services.create_feed(w.teacher_a, plans.school, "resource")
    other_room = bookings.create_resource(SYSTEM, w.school_b, kind="room", name="Sydsalen")
    with pytest.raises(ValidationError):
        services.create_feed(w.teacher_a, plans.school, "resource", resource=other_room)
    with pytest.raises(ValidationError):
        services.create_feed(w.teacher_a, plans.school, "everything")


def test_the_feeds_page_creates_copies_and_revokes(plans):
    client = Client()
    client.force_login(plans.world.teacher_a)
    r = client.post("/staff/planning/feeds/", {"action": "create", "kind": "coordination"})
    assert r.status_code == 302
    feed = CalendarFeed.objects.get()
    page = client.get("/staff/planning/feeds/").content.decode()
    assert f"http://testserver/feeds/{feed.token}.ics" in page
    other = Client()
    other.force_login(plans.teacher_5a)
    assert (
        other.post("/staff/planning/feeds/", {"action": "revoke", "feed": feed.pk}).status_code
        == 404
    )
    client.post("/staff/planning/feeds/", {"action": "revoke", "feed": feed.pk})
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert f"/feeds/{feed.token}.ics" not in client.get("/staff/planning/feeds/").content.decode()
