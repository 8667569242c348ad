"""The rules of bookings, as the services keep them (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, transaction

from reol.bookings import selectors, services
from reol.bookings.errors import BookingConflict, BookingError
from reol.bookings.models import Booking, BookingLine, BookingNotice, BookingState
from reol.bookings.services import BookingRequest as R
from reol.catalog import services as catalog
from reol.catalog.tests.helpers import book as marc_book
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .conftest import MONDAY, TODAY

pytestmark = pytest.mark.django_db

AFTERNOON = (dt.time(12, 0), dt.time(15, 0))


def book(c, who=None, *, starts=MONDAY, ends=None, lines, **kw):  # type: ignore[no-untyped-def]
    return services.book(
        who or c.world.librarian_a,
        c.school,
        starts=starts,
        ends=ends or starts,
        lines=lines,
        today=kw.pop("today", TODAY),
        **kw,
    )


# --- Rooms and equipment ----------------------------------------------------------------------


def test_a_room_cannot_be_double_booked(centre):
    c = centre
    first = book(
        c,
        c.world.teacher_a,
        ends=MONDAY + dt.timedelta(days=1),
        lines=[R(resource=c.workshop)],
        start_time=AFTERNOON[0],
        end_time=AFTERNOON[1],
        title="Vikingerne",
        group=c.group,
    )
    assert first.state == BookingState.PLANNED
    assert first.teacher == c.world.teacher_a
    with pytest.raises(BookingConflict) as caught:
        book(
            c,
            c.teacher2,
            starts=MONDAY + dt.timedelta(days=1),
            lines=[R(resource=c.workshop)],
            start_time=dt.time(14, 0),
            end_time=dt.time(16, 0),
        )
    conflict = caught.value
    assert conflict.code == "resource_taken"
    assert "Laerer-A Test (5.B)" in conflict.holder
    assert conflict.holders == [first]
    assert "Medieværkstedet" in conflict.message
    kinds = {(a.kind, a.resource) for a in conflict.alternatives}
    assert ("resource", c.studio) in kinds  # the other room, same days
    weeks = [a for a in conflict.alternatives if a.kind == "week"]
    assert weeks and weeks[0].starts == MONDAY + dt.timedelta(days=8)


def test_other_weeks_offered_are_never_in_a_holiday(centre):
    """The room is taken on Tuesday 15 December: the next two Tuesdays are in the Christmas
    holiday, which the form refuses, so the first other week offered is 5 January."""
    c = centre
    tuesday = dt.date(2026, 12, 15)
    book(c, c.world.teacher_a, starts=tuesday, lines=[R(resource=c.workshop)], group=c.group)
    with pytest.raises(BookingConflict) as caught:
        book(c, c.teacher2, starts=tuesday, lines=[R(resource=c.workshop)])
    weeks = [a.starts for a in caught.value.alternatives if a.kind == "week"]
    assert weeks and weeks[0] == dt.date(2027, 1, 5)
    assert not {dt.date(2026, 12, 22), dt.date(2026, 12, 29)} & set(weeks)
    # The same for a title: its three copies booked that Tuesday, a fourth asked for.
    book(c, c.world.teacher_a, starts=tuesday, lines=[R(record=c.saturn, quantity=3)])
    with pytest.raises(BookingConflict) as caught:
        book(c, c.teacher2, starts=tuesday, lines=[R(record=c.saturn, quantity=1)])
    weeks = [a.starts for a in caught.value.alternatives if a.kind == "week"]
    assert weeks and weeks[0] == dt.date(2027, 1, 5)


def test_the_same_room_in_the_morning_and_the_afternoon(centre):
    c = centre
    book(c, lines=[R(resource=c.workshop)], start_time=dt.time(8), end_time=dt.time(12))
    book(c, lines=[R(resource=c.workshop)], start_time=dt.time(12), end_time=dt.time(15))
    with pytest.raises(BookingConflict):  # a whole day overlaps both
        book(c, lines=[R(resource=c.workshop)])
    book(c, starts=MONDAY + dt.timedelta(days=1), lines=[R(resource=c.workshop)])


def test_equipment_units_add_up(centre):
    c = centre
    book(c, lines=[R(resource=c.cameras, quantity=6)])
    with pytest.raises(BookingConflict) as caught:
        book(c, c.world.teacher_a, lines=[R(resource=c.cameras, quantity=5)])
    assert "Only 4 of 10" in caught.value.message
    book(c, c.world.teacher_a, lines=[R(resource=c.cameras, quantity=4)])
    with pytest.raises(ValidationError):  # more than there are
        book(c, starts=MONDAY + dt.timedelta(days=7), lines=[R(resource=c.cameras, quantity=11)])


def test_a_cancelled_booking_frees_the_room(centre):
    c = centre
    first = book(c, c.world.teacher_a, lines=[R(resource=c.workshop)])
    services.cancel(c.world.teacher_a, first)
    assert book(c, c.teacher2, lines=[R(resource=c.workshop)]).pk


def test_an_inactive_room_or_another_schools_cannot_be_booked(centre):
    c = centre
    services.update_resource(c.world.librarian_a, c.studio, active=False)
    with pytest.raises(ValidationError):
        book(c, lines=[R(resource=c.studio)])
    other = services.create_resource(SYSTEM, c.world.school_b, kind="room", name="Hallen")
    with pytest.raises(ValidationError):
        book(c, lines=[R(resource=other)])


# --- Copies -------------------------------------------------------------------------------------


def test_the_last_copies_of_a_class_set(centre):
    c = centre
    weeks_41_43 = dict(starts=MONDAY, ends=MONDAY + dt.timedelta(days=18))
    first = book(
        c, c.world.teacher_a, lines=[R(record=c.novel, quantity=28)], group=c.group, **weeks_41_43
    )
    assert selectors.available_copies(c.novel, c.school, MONDAY, MONDAY) == 2
    with pytest.raises(BookingConflict) as caught:
        book(
            c,
            c.teacher2,
            starts=MONDAY + dt.timedelta(days=7),
            ends=MONDAY + dt.timedelta(days=11),
            lines=[R(record=c.novel, quantity=5)],
        )
    conflict = caught.value
    assert conflict.code == "copies_taken"
    assert conflict.holders == [first]
    assert "Laerer-A Test (5.B)" in conflict.holder
    assert "Only 2 of the 30 copies" in conflict.message
    copies = [a for a in conflict.alternatives if a.kind == "copies"]
    assert copies[0].quantity == 2
    weeks = [a for a in conflict.alternatives if a.kind == "week"]
    # The week after the first booking ends is the Christmas holiday (21 December – 1 January,
    # the school closed: the form would refuse it), and the week after is New Year's: 4 January.
    assert weeks[0].starts == dt.date(2027, 1, 4)
    # Another school's copies are its own.
    assert selectors.available_copies(c.novel, c.world.school_b, MONDAY, MONDAY) == 1


def test_available_copies_counts_loans_due_on_or_after_the_start(centre):
    c = centre
    lib = c.world.librarian_a
    loan_actions.checkout(lib, c.school, "laerer-a", "S1", today=TODAY)  # due 2027-01-19 (56 d)
    assert selectors.available_copies(c.saturn, c.school, MONDAY, MONDAY) == 2
    loan = Loan.objects.get(item__barcode="S1")
    # Due before the start: it will be back.
    assert (
        selectors.available_copies(
            c.saturn,
            c.school,
            loan.due_date + dt.timedelta(days=1),
            loan.due_date + dt.timedelta(days=3),
        )
        == 3
    )
    assert selectors.available_copies(c.saturn, c.school, loan.due_date, loan.due_date) == 2


def test_withdrawn_and_missing_copies_are_never_promised(centre):
    c = centre
    lib = c.world.librarian_a
    catalog.withdraw_item(lib, c.item("S1"))
    catalog.change_item_status(lib, c.item("S2"), "missing")
    assert selectors.available_copies(c.saturn, c.school, MONDAY, MONDAY) == 1
    with pytest.raises(BookingConflict):
        book(c, lines=[R(record=c.saturn, quantity=2)])
    with pytest.raises(BookingConflict) as caught:
        book(c, lines=[R(item=c.item("S2"))])
    assert caught.value.code == "copy_unusable"
    book(c, lines=[R(record=c.saturn, quantity=1)])


def test_a_named_copy_on_loan_or_booked(centre):
    c = centre
    loan_actions.checkout(c.world.librarian_a, c.school, "laerer-a", "S1", today=TODAY)
    with pytest.raises(BookingConflict) as caught:
        book(c, lines=[R(item=c.item("S1"))])
    assert caught.value.code == "copy_on_loan"
    book(c, lines=[R(item=c.item("S2"))])
    with pytest.raises(BookingConflict) as caught:
        book(c, c.world.teacher_a, lines=[R(item=c.item("S2"))])
    assert caught.value.code == "copy_booked"
    # S1 lent, S2 named: one copy left for a booking of the title.
    assert selectors.available_copies(c.saturn, c.school, MONDAY, MONDAY) == 1


def test_a_line_is_exactly_one_thing_in_the_database(centre):
    c = centre
    booking = book(c, lines=[R(resource=c.workshop)])
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingLine.objects.create(booking=booking, record=c.novel, resource=c.workshop)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingLine.objects.create(booking=booking)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingLine.objects.create(booking=booking, record=c.novel, quantity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(ends=MONDAY - dt.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=booking.pk).update(start_time=dt.time(9))


# --- Requests that are wrong in themselves -----------------------------------------------------


def test_bad_requests_are_refused_with_reasons(centre):
    c = centre
    cases = [
        dict(starts=TODAY - dt.timedelta(days=1), lines=[R(resource=c.workshop)]),
        dict(ends=MONDAY - dt.timedelta(days=1), lines=[R(resource=c.workshop)]),
        dict(lines=[R(resource=c.workshop)], start_time=dt.time(12)),
        dict(lines=[R(resource=c.workshop)], start_time=dt.time(12), end_time=dt.time(11)),
        dict(lines=[]),
        dict(lines=[R(record=c.novel, resource=c.workshop)]),
        dict(lines=[R(record=c.novel, quantity=0)]),
        # the Christmas holiday, closed every day
        dict(
            starts=dt.date(2026, 12, 21),
            ends=dt.date(2027, 1, 1),
            lines=[R(resource=c.workshop)],
        ),
    ]
    for case in cases:
        with pytest.raises(ValidationError):
            book(c, **case)
    assert not Booking.objects.exists()


def test_week_53_across_new_year(centre):
    """2026 has an ISO week 53 (28 Dec – 3 Jan): weeks 53–1 run into January 2027, past the
    closed Christmas days, and the next week to try is 2027's week 2."""
    from reol.core import calendar as weeks

    c = centre
    found = weeks.parse_weeks("53–1", "2026/27")
    starts, ends = found.starts, found.ends
    assert (starts, ends) == (dt.date(2026, 12, 28), dt.date(2027, 1, 8))
    first = book(c, starts=starts, ends=ends, lines=[R(record=c.novel, quantity=30)])
    assert weeks.weeks_between(first.starts, first.ends) == [(2026, 53), (2027, 1)]
    with pytest.raises(BookingConflict) as caught:
        book(c, c.world.teacher_a, starts=dt.date(2027, 1, 4), lines=[R(record=c.novel)])
    week = next(a for a in caught.value.alternatives if a.kind == "week")
    assert weeks.week_of(week.starts) == (2027, 2)


def test_teachers_book_for_themselves_staff_for_anyone(centre):
    c = centre
    with pytest.raises(PermissionDenied):
        book(c, c.world.teacher_a, lines=[R(resource=c.workshop)], teacher=c.teacher2)
    with pytest.raises(PermissionDenied):
        book(c, c.world.student_a1, lines=[R(resource=c.workshop)])
    with pytest.raises(PermissionDenied):
        book(c, c.world.librarian_b, lines=[R(resource=c.workshop)])
    with pytest.raises(ValidationError):  # a student cannot be the teacher
        book(c, lines=[R(resource=c.workshop)], teacher=c.world.student_a1)
    made = book(c, lines=[R(resource=c.workshop)], teacher=c.teacher2)
    assert made.teacher == c.teacher2 and made.booked_by == c.world.librarian_a
    with pytest.raises(PermissionDenied):  # another teacher's booking
        services.cancel(c.world.teacher_a, made)
    services.cancel(c.teacher2, made)
    with pytest.raises(BookingError):
        services.cancel(c.teacher2, made)
    assert AuditEvent.objects.filter(action="booking.cancel").count() == 1


# --- Lending: the hook in circulation's checkout -----------------------------------------------


def test_a_booked_copy_is_lent_only_until_the_day_before(centre):
    c = centre
    lib = c.world.librarian_a
    book(c, starts=dt.date(2026, 12, 7), lines=[R(record=c.saturn, quantity=3)])
    result = loan_actions.checkout(lib, c.school, "laerer-a", "S1", today=TODAY)
    assert result.loan.due_date == dt.date(2026, 12, 4)  # Friday, the last open day before
    assert result.due.date == result.loan.due_date


def test_no_shortening_while_other_copies_are_free(centre):
    c = centre
    book(c, starts=dt.date(2026, 12, 7), lines=[R(record=c.saturn, quantity=2)])
    loan = loan_actions.checkout(c.world.librarian_a, c.school, "laerer-a", "S1", today=TODAY).loan
    assert loan.due_date == dt.date(2027, 1, 19)  # 56 days, as the rule says
    loan2 = loan_actions.checkout(c.world.librarian_a, c.school, "admin-a", "S2", today=TODAY).loan
    assert loan2.due_date == dt.date(2026, 12, 4)  # now the booking needs the last two


def test_a_copy_needed_today_is_not_lent(centre):
    c = centre
    book(c, starts=TODAY, lines=[R(item=c.item("S1"))])
    with pytest.raises(CirculationError) as caught:
        loan_actions.checkout(c.world.librarian_a, c.school, "laerer-a", "S1", today=TODAY)
    assert caught.value.code == "booked"
    assert "cannot be lent" in caught.value.message
    loan_actions.checkout(c.world.librarian_a, c.school, "laerer-a", "S2", today=TODAY)


def test_a_named_copy_is_lent_until_the_day_before(centre):
    c = centre
    book(c, starts=dt.date(2026, 12, 2), lines=[R(item=c.item("S3"))])
    loan = loan_actions.checkout(c.world.librarian_a, c.school, "elev-a1", "S3", today=TODAY).loan
    assert loan.due_date == dt.date(2026, 12, 1)


# --- Checking a booking out and back in --------------------------------------------------------


def test_check_out_lends_every_copy_in_one_action(centre):
    c = centre
    lib = c.world.librarian_a
    booking = book(
        c,
        c.world.teacher_a,
        starts=MONDAY,
        ends=MONDAY + dt.timedelta(days=11),
        lines=[R(record=c.novel, quantity=28), R(resource=c.workshop)],
    )
    with pytest.raises(BookingError):  # not yet
        services.check_out(lib, booking, today=TODAY)
    with pytest.raises(PermissionDenied):  # teachers do not work the desk
        services.check_out(c.world.teacher_a, booking, today=MONDAY)
    result = services.check_out(lib, booking, today=MONDAY)
    assert len(result.loans) == 28 and not result.problems
    loans = Loan.objects.filter(patron=c.world.teacher_a, returned_at__isnull=True)
    assert loans.count() == 28
    assert {loan.due_date for loan in loans} == {booking.ends}  # the booking's last day
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_OUT
    with pytest.raises(BookingError):
        services.check_out(lib, booking, today=MONDAY)
    # Its copies count through their loans, not twice.
    assert selectors.available_copies(c.novel, c.school, MONDAY, MONDAY) == 2
    # Back at the desk one by one; the return check says which are still out.
    for loan in loans[:27]:
        loan_actions.checkin(lib, c.school, loan.item.barcode, today=MONDAY)
    state = services.check_return(lib, booking)
    assert len(state.back) == 27 and len(state.out) == 1
    booking.refresh_from_db()
    assert booking.state == BookingState.CHECKED_OUT
    loan_actions.checkin(lib, c.school, state.out[0].item.barcode, today=MONDAY)
    assert services.check_return(lib, booking).complete
    booking.refresh_from_db()
    assert booking.state == BookingState.RETURNED
    assert AuditEvent.objects.filter(action="booking.check_out").count() == 1
    assert AuditEvent.objects.filter(action="loan.checkout").count() == 28


def test_check_out_skips_copies_it_cannot_lend_and_says_so(centre):
    c = centre
    lib = c.world.librarian_a
    booking = book(c, c.world.teacher_a, starts=MONDAY, lines=[R(record=c.saturn, quantity=3)])
    # The desk lends one copy on the day, past the hook (it lets it go until the day before,
    # but here the booking has started: refused) - so lend one on Friday, due before Monday.
    friday = MONDAY - dt.timedelta(days=3)
    loan = loan_actions.checkout(lib, c.school, "elev-a1", "S1", today=friday).loan
    assert loan.due_date == friday  # the booking needs all three from Monday
    result = services.check_out(lib, booking, today=MONDAY)
    assert len(result.loans) == 2
    assert any("1 copy" in p for p in result.problems)


def test_check_out_with_nothing_to_lend_changes_nothing(centre):
    c = centre
    lib = c.world.librarian_a
    booking = book(c, c.world.teacher_a, starts=MONDAY, lines=[R(item=c.item("S1"))])
    catalog.change_item_status(lib, c.item("S1"), "missing")
    with pytest.raises(BookingError):
        services.check_out(lib, booking, today=MONDAY)
    booking.refresh_from_db()
    assert booking.state == BookingState.PLANNED


def test_state_machine_is_exhaustive():
    from reol.bookings.states import BOOKING_TRANSITIONS, can_change

    states = list(BookingState.values)
    assert set(BOOKING_TRANSITIONS) == set(states)
    allowed = {(a, b) for a in states for b in states if can_change(a, b)}
    assert allowed == {
        ("planned", "checked_out"),
        ("planned", "cancelled"),
        ("checked_out", "returned"),
    }


# --- E-mail ------------------------------------------------------------------------------------


def test_confirmation_is_sent_when_the_booking_commits(centre, django_capture_on_commit_callbacks):
    c = centre
    with django_capture_on_commit_callbacks(execute=True):
        made = book(c, c.teacher2, lines=[R(resource=c.workshop)], title="Podcast")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bente@example.org"]
    assert "Podcast" in message.subject and "Medieværkstedet" in message.body
    assert BookingNotice.objects.filter(booking=made, kind="confirmation").count() == 1
    # A refused booking sends nothing.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BookingConflict):
        book(c, c.teacher2, lines=[R(resource=c.workshop)])
    assert len(mail.outbox) == 1


def test_reminders_the_day_before_once(centre, django_capture_on_commit_callbacks):
    c = centre
    made = book(c, c.teacher2, starts=MONDAY, lines=[R(resource=c.workshop)])
    book(c, c.teacher2, starts=MONDAY + dt.timedelta(days=1), lines=[R(resource=c.workshop)])
    mail.outbox.clear()
    sunday = MONDAY - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-booking-reminders", "--today", sunday.isoformat())
    assert len(mail.outbox) == 1
    assert "tomorrow" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send-booking-reminders", "--today", sunday.isoformat())
    assert len(mail.outbox) == 1
    assert BookingNotice.objects.filter(booking=made, kind="reminder").count() == 1
    assert AuditEvent.objects.filter(action="booking.remind", via="cli").count() == 1


def test_danish_words_of_a_booking_called_off_and_of_one_copy(centre):
    """A booking (and a guidance session) is "aflyst" as its button says, a hold "annulleret";
    a title with one copy is not "1 af de 1 eksemplarer"."""
    from django.utils import translation

    from reol.circulation.models import HoldState
    from reol.workshop.models import SessionState

    with translation.override("da"):
        assert str(BookingState.CANCELLED.label) == "aflyst"
        assert str(SessionState.CANCELLED.label) == "aflyst"
        assert str(HoldState.CANCELLED.label) == "annulleret"
    c = centre
    one = catalog.create_record(SYSTEM, c.world.municipality, marc_book("Eneste", control="e1"))
    catalog.add_items(SYSTEM, one, c.school, count=1)
    with pytest.raises(BookingConflict) as caught, translation.override("da"):
        book(c, lines=[R(record=one, quantity=2)])
    assert "Kun 1 af det ene eksemplar af »Eneste« er ledigt" in caught.value.message
