"""Guidance sessions: a teacher books one; a student asks and only a teacher of theirs may
agree; the library confirms, declines and marks held; the table of moves, pair by pair."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.bookings.errors import BookingConflict
from reol.bookings.models import Booking
from reol.core.models import AuditEvent
from reol.workshop import selectors, services
from reol.workshop.models import GuidanceSession
from reol.workshop.models import SessionState as S

pytestmark = pytest.mark.django_db

# Written out by hand, not read from states.py.
ALLOWED = {
    ("requested", "agreed"),
    ("requested", "declined"),
    ("requested", "cancelled"),
    ("agreed", "confirmed"),
    ("agreed", "declined"),
    ("agreed", "cancelled"),
    ("confirmed", "held"),
    ("confirmed", "cancelled"),
}


def test_a_kit_is_a_bookable_resource_with_the_bookings_rules(workshop):
    w = workshop.world
    kit = workshop.kit
    assert kit.resource.kind == "equipment" and kit.content_lines == ["Kamera", "Stativ"]
    services.book_kit(w.teacher_a, kit, starts=workshop.day, ends=workshop.day, units=2)
    assert Booking.objects.filter(lines__resource=kit.resource, teacher=w.teacher_a).count() == 1
    assert selectors.kit_rows(w.school_a, workshop.day)[0].free == 0
    with pytest.raises(BookingConflict):  # the bookings' own clash rule
        services.book_kit(w.librarian_a, kit, starts=workshop.day, ends=workshop.day)


def test_a_student_request_waits_for_their_teacher_then_the_library(workshop):
    w = workshop.world
    asked = services.request_session(
        w.student_a1, w.school_a, teacher=w.teacher_a, topic="Stop motion", day=workshop.day
    )
    assert asked.state == S.REQUESTED
    with pytest.raises(PermissionDenied):  # the library cannot agree for the teacher
        services.move_session(w.librarian_a, asked, S.AGREED)
    with pytest.raises(PermissionDenied):  # nor the student for themself
        services.move_session(w.student_a1, asked, S.AGREED)
    with pytest.raises(ValidationError):  # the library cannot confirm before the teacher
        services.move_session(w.librarian_a, asked, S.CONFIRMED)
    agreed = services.move_session(w.teacher_a, asked, S.AGREED)
    assert agreed.state == S.AGREED
    with pytest.raises(PermissionDenied):  # the teacher does not confirm for the library
        services.move_session(w.teacher_a, agreed, S.CONFIRMED)
    assert list(selectors.sessions_for_library(w.librarian_a)) == [agreed]
    confirmed = services.move_session(w.librarian_a, agreed, S.CONFIRMED)
    held = services.move_session(w.librarian_a, confirmed, S.HELD)
    assert held.state == S.HELD
    moves = AuditEvent.objects.filter(action="guidance.change").values_list("details", flat=True)
    assert [m["to"] for m in moves.order_by("pk")] == ["agreed", "confirmed", "held"]


def test_only_a_teacher_of_the_student_is_asked(workshop):
    w = workshop.world
    with pytest.raises(ValidationError):  # A2 is in no class of teacher A
        services.request_session(
            w.student_a2, w.school_a, teacher=w.teacher_a, topic="Podcast", day=workshop.day
        )
    with pytest.raises(ValidationError):  # the librarian is not A1's teacher
        services.request_session(
            w.student_a1, w.school_a, teacher=w.librarian_a, topic="Podcast", day=workshop.day
        )


def test_a_teacher_booking_waits_only_for_the_library(workshop):
    w = workshop.world
    booked = services.book_session(
        w.teacher_a, w.school_a, topic="Green screen", day=workshop.day, group=workshop.group
    )
    assert booked.state == S.AGREED
    with pytest.raises(PermissionDenied):  # a student may not book
        services.book_session(w.student_a1, w.school_a, topic="x", day=workshop.day)
    assert services.move_session(w.librarian_a, booked, S.DECLINED).state == S.DECLINED


def test_every_move_of_the_table(workshop):
    w = workshop.world
    for old, new in itertools.product(S.values, S.values):
        session = GuidanceSession.objects.create(
            school=w.school_a,
            topic=f"{old} → {new}",
            day=workshop.day,
            teacher=w.teacher_a,
            student=w.student_a1,
            state=old,
        )
        # The teacher answers a request; the library makes every other move.
        actor = w.teacher_a if old == "requested" and new != "cancelled" else w.librarian_a
        if (old, new) in ALLOWED:
            assert services.move_session(actor, session, new).state == new, (old, new)
        else:
            with pytest.raises((ValidationError, PermissionDenied)):
                services.move_session(actor, session, new)
            session.refresh_from_db()
            assert session.state == old, (old, new)


def test_a_session_is_never_on_a_day_the_school_is_closed(workshop):
    """The bookings' rule (``closed_throughout``): a school with opening hours Monday to Friday
    refuses guidance on a Saturday, as its bookings do; every problem is said at once."""
    import datetime as dt

    from django.utils import timezone

    from reol.core import services as core
    from reol.core.permissions import SYSTEM

    w = workshop.world
    core.set_opening_hours(SYSTEM, w.school_a, [(d, dt.time(8), dt.time(15)) for d in range(5)])
    today = timezone.localdate()
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    with pytest.raises(ValidationError) as caught:
        services.book_session(w.teacher_a, w.school_a, topic="Podcast", day=saturday)
    assert caught.value.message_dict == {"day": ["The school is closed that day."]}
    with pytest.raises(ValidationError) as caught:
        services.request_session(
            w.student_a1, w.school_a, teacher=w.teacher_a, topic=" ", day=saturday
        )
    assert set(caught.value.message_dict) == {"topic", "day"}
    with pytest.raises(ValidationError) as caught:
        services.request_session(
            w.student_a2, w.school_a, teacher=w.teacher_a, topic="", day=None,
            start_time=dt.time(10), end_time=dt.time(9),
        )  # fmt: skip
    assert caught.value.message_dict == {
        "teacher": ["Choose one of your own teachers."],
        "topic": ["Say what the session is about."],
        "day": ["Give the day as a date."],
        "end_time": ["The end time must come after the start time."],
    }
    monday = saturday + dt.timedelta(days=2)
    assert services.book_session(w.teacher_a, w.school_a, topic="Podcast", day=monday).pk
