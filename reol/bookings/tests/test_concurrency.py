"""Two teachers book the last free class set (or the same room) for overlapping weeks at the
same instant: one succeeds, the other is told who holds it and what else is free. Real
threads with their own connections, on SQLite (IMMEDIATE transactions) and PostgreSQL (the
record's or room's row lock)."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.bookings import selectors, services
from reol.bookings.errors import BookingConflict
from reol.bookings.models import Booking
from reol.bookings.services import BookingRequest as R
from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from tests.race import race

from .conftest import MONDAY, TODAY

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_teachers_and_the_last_class_set(centre):
    c = centre
    services.book(
        c.world.librarian_a,
        c.school,
        starts=MONDAY,
        ends=MONDAY + dt.timedelta(days=4),
        lines=[R(record=c.novel, quantity=2)],
        today=TODAY,
    )  # 28 left
    teachers = [c.world.teacher_a, c.teacher2]
    results = race(
        2,
        lambda i: services.book(
            teachers[i],
            c.school,
            starts=MONDAY + dt.timedelta(days=7 * i),  # weeks 49–50 and 50–51: overlapping
            ends=MONDAY + dt.timedelta(days=7 * i + 11),
            lines=[R(record=c.novel, quantity=28)],
            today=TODAY,
        ),
    )
    wins = [r for r in results if isinstance(r, Booking)]
    losses = [r for r in results if isinstance(r, BookingConflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    winner = wins[0]
    assert winner.teacher.get_full_name() in losses[0].holder
    assert losses[0].alternatives  # fewer copies, or another week
    assert Booking.objects.filter(lines__record=c.novel).count() == 2
    week_50 = (MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=11))
    assert selectors.available_copies(c.novel, c.school, *week_50) == 2  # 30 - 28


def test_two_bookings_of_the_room_at_the_same_instant(centre):
    c = centre
    teachers = [c.world.teacher_a, c.teacher2, c.world.librarian_a]
    results = race(
        3,
        lambda i: services.book(
            teachers[i],
            c.school,
            starts=MONDAY,
            ends=MONDAY,
            lines=[R(resource=c.workshop)],
            start_time=dt.time(12 + i),
            end_time=dt.time(15),
            today=TODAY,
        ),
    )
    assert sum(isinstance(r, Booking) for r in results) == 1, results
    assert sum(isinstance(r, BookingConflict) for r in results) == 2, results


def test_a_loan_and_a_booking_at_the_same_instant(centre):
    """The desk lends a copy while a teacher books every copy from Monday: either the booking
    wins (the loan is shortened to the day before) or the loan does (the booking is refused)."""
    c = centre
    results = race(
        2,
        lambda i: (
            services.book(
                c.world.teacher_a,
                c.school,
                starts=MONDAY,
                ends=MONDAY,
                lines=[R(record=c.saturn, quantity=3)],
                today=TODAY,
            )
            if i == 0
            else loans.checkout(c.world.librarian_a, c.school, "elev-a1", "S1", today=TODAY)
        ),
    )
    assert not any(isinstance(r, CirculationError) for r in results), results
    loan = Loan.objects.get(item__barcode="S1")
    if isinstance(results[0], Booking):
        assert loan.due_date < MONDAY
    else:
        assert isinstance(results[0], BookingConflict)
        assert loan.due_date >= MONDAY


def test_check_out_and_the_desk_at_the_same_instant(centre):
    """The class set is checked out while the desk lends a spare copy of the same title: no
    deadlock, every loan is whole, and the booking gets its 28 copies."""
    c = centre
    booking = services.book(
        c.world.librarian_a,
        c.school,
        starts=MONDAY,
        ends=MONDAY + dt.timedelta(days=4),
        lines=[R(record=c.novel, quantity=28)],
        teacher=c.world.teacher_a,
        today=TODAY,
    )
    results = race(
        2,
        lambda i: (
            services.check_out(c.world.librarian_a, booking, today=MONDAY)
            if i == 0
            else loans.checkout(c.world.librarian_a, c.school, "admin-a", "K30", today=MONDAY)
        ),
    )
    assert not any(
        isinstance(r, Exception) and not isinstance(r, CirculationError) for r in results
    ), results
    lent_to_teacher = Loan.objects.filter(patron=c.world.teacher_a, returned_at__isnull=True)
    assert lent_to_teacher.count() == 28
    assert Loan.objects.filter(returned_at__isnull=True).count() in (28, 29)
