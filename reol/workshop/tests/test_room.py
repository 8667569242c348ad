"""The workshop's room, booked with a session: confirming a session with a time books the room
through the bookings (a clash refuses the confirmation, names who holds the room, and writes
nothing); cancelling frees the booking, whoever cancels; a session without a time books
nothing. Only the library of the school chooses the room."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.bookings import services as bookings
from reol.bookings.errors import BookingConflict
from reol.bookings.models import Booking, BookingState, Resource
from reol.core.models import AuditEvent
from reol.workshop import services
from reol.workshop.models import GuidanceSession
from reol.workshop.models import SessionState as S

pytestmark = pytest.mark.django_db

NINE, TEN, ELEVEN = dt.time(9), dt.time(10), dt.time(11)


@pytest.fixture
def room(workshop):  # type: ignore[no-untyped-def]
    w = workshop.world
    resource = bookings.create_resource(
        w.librarian_a, w.school_a, kind=Resource.Kind.ROOM, name="Medieværkstedet"
    )
    services.set_room(w.librarian_a, w.school_a, resource)
    return resource


def _session(workshop, start=NINE, end=TEN):  # type: ignore[no-untyped-def]
    w = workshop.world
    return services.book_session(
        w.teacher_a,
        w.school_a,
        topic="Green screen",
        day=workshop.day,
        start_time=start,
        end_time=end,
        group=workshop.group,
    )


def _room_bookings(resource: Resource) -> list[Booking]:
    return list(Booking.objects.filter(lines__resource=resource).order_by("pk"))


def test_confirming_a_session_with_a_time_books_the_room(workshop, room):
    w = workshop.world
    confirmed = services.move_session(w.librarian_a, _session(workshop), S.CONFIRMED)
    [booking] = _room_bookings(room)
    assert confirmed.room_booking == booking
    assert (booking.starts, booking.start_time, booking.end_time) == (workshop.day, NINE, TEN)
    assert booking.teacher == w.teacher_a and booking.group == workshop.group
    event = AuditEvent.objects.filter(action="guidance.change").latest("pk")
    assert event.details["room_booking"] == booking.pk
    # Another session at another hour of the same day books the room too.
    later = services.move_session(w.librarian_a, _session(workshop, TEN, ELEVEN), S.CONFIRMED)
    assert later.room_booking is not None and len(_room_bookings(room)) == 2


def test_a_clash_refuses_the_confirmation_names_the_holder_and_writes_nothing(workshop, room):
    w = workshop.world
    bookings.book(
        w.teacher_a,
        w.school_a,
        starts=workshop.day,
        ends=workshop.day,
        lines=[bookings.BookingRequest(resource=room)],
        title="Film club",
        start_time=dt.time(9, 30),
        end_time=ELEVEN,
    )
    session = _session(workshop)
    events = AuditEvent.objects.count()
    with pytest.raises(BookingConflict) as clash:
        services.move_session(w.librarian_a, session, S.CONFIRMED)
    assert "Medieværkstedet" in clash.value.message and "Laerer-A" in clash.value.holder
    session.refresh_from_db()
    assert session.state == S.AGREED and session.room_booking is None
    assert len(_room_bookings(room)) == 1 and AuditEvent.objects.count() == events


def test_a_session_without_a_time_or_a_school_without_a_room_books_nothing(workshop, room):
    w = workshop.world
    untimed = services.book_session(w.teacher_a, w.school_a, topic="Podcast", day=workshop.day)
    assert services.move_session(w.librarian_a, untimed, S.CONFIRMED).room_booking is None
    services.set_room(w.librarian_a, w.school_a, None)
    assert (
        services.move_session(w.librarian_a, _session(workshop), S.CONFIRMED).room_booking is None
    )
    assert _room_bookings(room) == []


@pytest.mark.parametrize("who", ["librarian_a", "teacher_a", "student_a1"])
def test_cancelling_frees_the_room_whoever_cancels(workshop, room, who):
    w = workshop.world
    asked = services.request_session(
        w.student_a1,
        w.school_a,
        teacher=w.teacher_a,
        topic="Stop motion",
        day=workshop.day,
        start_time=NINE,
        end_time=TEN,
    )
    services.move_session(w.teacher_a, asked, S.AGREED)
    confirmed = services.move_session(w.librarian_a, asked, S.CONFIRMED)
    assert confirmed.room_booking is not None
    services.move_session(getattr(w, who), confirmed, S.CANCELLED)
    booking = Booking.objects.get(pk=confirmed.room_booking.pk)
    assert booking.state == BookingState.CANCELLED
    # The room is free again: the next session at that hour is confirmed with it.
    assert services.move_session(w.librarian_a, _session(workshop), S.CONFIRMED).room_booking


def test_the_page_and_the_api_name_the_clash(workshop, room, client, token_for):
    w = workshop.world
    first = services.move_session(w.librarian_a, _session(workshop), S.CONFIRMED)
    second = _session(workshop)
    client.force_login(w.librarian_a)
    page = client.post(
        f"/me/workshop/sessions/{second.pk}/confirmed/",
        {"next": "/staff/workshop/"},
        follow=True,
    ).content.decode()
    assert "Not confirmed:" in page and "already booked then" in page
    answer = client.post(
        f"/api/v1/workshop/sessions/{second.pk}/state",
        {"state": "confirmed"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert answer.status_code == 409 and answer.json()["code"] == "resource_taken"
    assert GuidanceSession.objects.get(pk=second.pk).state == S.AGREED
    cancelled = client.post(
        f"/api/v1/workshop/sessions/{first.pk}/state",
        {"state": "cancelled"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert cancelled.status_code == 200
    answer = client.post(
        f"/api/v1/workshop/sessions/{second.pk}/state",
        {"state": "confirmed"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert answer.status_code == 200 and answer.json()["room_booking"] is not None


def test_only_the_school_library_chooses_a_room_of_its_own(workshop, room, client):
    w = workshop.world
    other = bookings.create_resource(w.librarian_b, w.school_b, kind="room", name="Aula B")
    kit_resource = workshop.kit.resource
    with pytest.raises(PermissionDenied):
        services.set_room(w.teacher_a, w.school_a, room)
    with pytest.raises(PermissionDenied):
        services.set_room(w.librarian_b, w.school_a, other)
    for wrong in (other, kit_resource):
        with pytest.raises(ValidationError):
            services.set_room(w.librarian_a, w.school_a, wrong)
    client.force_login(w.librarian_a)
    assert client.post("/staff/workshop/room/", {"room": other.pk}).status_code == 404
    page = client.get("/staff/workshop/").content.decode()
    assert f'<option value="{room.pk}" selected>' in page
