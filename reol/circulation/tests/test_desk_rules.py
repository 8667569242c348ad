"""Rules the desk shares with bookings and the OPAC: a renewal respects a booking, a student
is sent to the shelf instead of reserving, a booking's check-out lends to its class, a
mis-cased scan is still one index look-up; and the cost of a checkout, in statements."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reol.bookings import services as bookings
from reol.bookings.services import BookingRequest
from reol.catalog import services as catalog
from reol.circulation import rules, selectors
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans
from reol.circulation.actions import rules as rule_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import HoldState, Loan
from reol.core import services as core
from reol.core.permissions import SYSTEM
from reol.patrons.models import Group

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def refused(code: str, call, *args, **kwargs) -> CirculationError:  # type: ignore[no-untyped-def]
    with pytest.raises(CirculationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.message
    return info.value


# --- Renewals respect bookings -----------------------------------------------------------------


def test_a_renewal_stops_the_day_before_a_booking_of_the_copy(library):
    w = library.world
    loan = loans.checkout(w.librarian_a, library.school, "laerer-a", "S1", today=TODAY).loan
    assert loan.due_date == dt.date(2027, 1, 19)  # 56 days
    bookings.book(
        w.teacher_a,
        library.school,
        starts=dt.date(2027, 1, 25),  # a Monday
        ends=dt.date(2027, 1, 29),
        lines=[BookingRequest(item=library.item("S1"))],
        today=TODAY,
    )
    # 56 days from 10 December would be 4 February: the booking caps it at Friday 22 January.
    renewed = loans.renew(w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 10))
    assert renewed.due_date == dt.date(2027, 1, 22) and renewed.renewals == 1
    # A second renewal cannot reach past the booking at all: refused, the date unchanged.
    e = refused(
        "booked", loans.renew, w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 11)
    )
    assert "booked" in e.message
    loan.refresh_from_db()
    assert loan.due_date == dt.date(2027, 1, 22) and loan.renewals == 1


def test_a_renewal_is_free_while_other_copies_cover_the_booking(library):
    w = library.world
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S1", today=TODAY)
    bookings.book(
        w.teacher_a,
        library.school,
        starts=dt.date(2027, 1, 25),
        ends=dt.date(2027, 1, 29),
        lines=[BookingRequest(record=library.saturn, quantity=2)],  # S2 and S3 are free
        today=TODAY,
    )
    renewed = loans.renew(w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 10))
    assert renewed.due_date == dt.date(2027, 2, 4)


# --- Self-service holds on a title on the shelf here ---------------------------------------------


def test_a_student_is_sent_to_the_shelf_instead_of_reserving(library):
    w = library.world
    e = refused(
        "on_shelf_here",
        hold_actions.place_hold,
        w.student_a1,
        library.school,
        w.student_a1,
        record=library.saturn,
    )
    assert library.school.name in e.message
    # A copy on the shelf elsewhere does not count; nor does one here that is out.
    for barcode in ("S1", "S2", "S3"):
        loans.checkout(w.librarian_a, library.school, "laerer-a", barcode, today=TODAY)
    hold = hold_actions.place_hold(
        w.student_a1, library.school, w.student_a1, record=library.saturn
    )
    assert hold.patron == w.student_a1


def test_staff_may_hold_a_title_on_the_shelf_for_someone(library):
    w = library.world
    hold = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    assert hold.patron == w.student_a1


# --- A booking's check-out lends to its class --------------------------------------------------


def test_a_bookings_check_out_lends_to_its_class(library):
    w = library.world
    group = Group.objects.create(school=library.school, school_year="2026/27", name="5.B", grade=5)
    booking = bookings.book(
        w.teacher_a,
        library.school,
        starts=TODAY,
        ends=TODAY + dt.timedelta(days=7),
        lines=[BookingRequest(record=library.saturn, quantity=2)],
        group=group,
        today=TODAY,
    )
    result = bookings.check_out(w.librarian_a, booking, today=TODAY)
    assert len(result.loans) == 2
    assert {loan.group_id for loan in Loan.objects.filter(patron=w.teacher_a)} == {group.pk}
    [out] = selectors.class_sets_out(library.school)
    assert out.group == group and out.copies == 2 and out.patron == w.teacher_a


# --- A mis-cased scan is an index look-up ------------------------------------------------------


def test_a_barcode_in_another_case_is_found_through_lower(library):
    w = library.world
    catalog.add_items(SYSTEM, library.saturn, library.school, barcodes=["a100"])
    with CaptureQueriesContext(connection) as queries:
        found = selectors.item_by_barcode("A100")
    assert found is not None and found.barcode == "a100"
    looked_up = queries.captured_queries[-1]["sql"]
    assert "LOWER(" in looked_up.upper() and "LIKE" not in looked_up.upper()
    assert selectors.school_of_copy("A100") == library.school
    loan = loans.checkout(w.librarian_a, library.school, "A0001", "A100", today=TODAY).loan
    assert loan.item.barcode == "a100"
    # Returned in the other case: the copy and its open loan are found (the statement that
    # locks both asks the exact barcode; then the copy alone, through LOWER, and its loan).
    back = loans.checkin(w.librarian_a, library.school, "A100", today=TODAY)
    assert back.loan == loan and back.item.barcode == "a100"
    assert Loan.objects.get(pk=loan.pk).returned_at is not None
    # Scanned again: on no loan now, it is taken back to the shelf and nothing is closed.
    again = loans.checkin(w.librarian_a, library.school, "a100", today=TODAY)
    assert again.loan is None and again.route == loans.Route.SHELF


# --- What a checkout costs ---------------------------------------------------------------------


def test_a_checkout_is_a_bounded_number_of_statements(library, django_assert_max_num_queries):
    w = library.world
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S1", today=TODAY)
    # BEGIN/COMMIT, the patron and their roles, the copy (and its record) locked, the rules and
    # calendar, the loan count, the holds, the bookings check, the reconsideration check (one
    # indexed statement: is the title off the shelf for a review here?), and the writes: copy,
    # loan, search outbox, audit.
    with django_assert_max_num_queries(13):
        loans.checkout(w.librarian_a, library.school, "laerer-a", "S2", today=TODAY)


def test_a_checkin_is_a_bounded_number_of_statements(library, django_assert_max_num_queries):
    w = library.world
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S1", today=TODAY)
    loans.checkout(w.librarian_a, library.school, "A0001", "S2", today=TODAY)
    # BEGIN/COMMIT, the copy locked with its open loan and the borrower (asking in the same
    # statement whether a hold may want it: none does, so the holds are not read again), the
    # loan closed, the copy's status, search outbox, audit.
    with django_assert_max_num_queries(7):
        loans.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    # A student's return also reads their patron row, class and the school's privacy period,
    # and keeps the loan's statistic (an UPDATE, then the INSERT: there was none). It was 19:
    # update_or_create took two savepoints and a locked read.
    with django_assert_max_num_queries(12):
        loans.checkin(w.librarian_a, library.school, "S2", today=TODAY)
    assert Loan.objects.get(item__barcode="S2").patron is None


def test_a_checkin_reads_the_hold_a_copy_serves_when_one_may(library):
    """The probe in the copy's statement says a hold may want it; the hold is then read,
    locked, and the copy trapped for it: a ready hold's copy back from its school's shelf, and
    a waiting hold filled by a returned copy (the probe misses neither)."""
    w = library.world
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S1", today=TODAY)
    waiting = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    result = loans.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    assert result.route == loans.Route.HOLD_SHELF and result.hold == waiting
    waiting.refresh_from_db()
    assert waiting.state == HoldState.READY and waiting.item.barcode == "S1"
    # Returned again from the hold shelf (scanned twice): it stays trapped for the same hold.
    again = loans.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    assert again.route == loans.Route.HOLD_SHELF and again.hold == waiting
    # Another school's copy returned here goes home, whoever waits there.
    loans.checkout(w.librarian_b, w.school_b, "B0001", "SB1", today=TODAY)
    home = loans.checkin(w.librarian_a, library.school, "SB1", today=TODAY)
    assert home.route == loans.Route.TRANSIT and home.hold is None


def test_rules_and_calendar_follow_every_edit(library):
    """Read in one statement and kept per process keyed by what was read: an edit made
    anywhere (another worker, too) is seen by the next checkout."""
    school = library.school
    before = rules.lending_terms(school, TODAY)
    assert before.calendar == rules.lending_terms(school, TODAY).calendar
    core.add_closed_period(
        SYSTEM,
        school,
        name="Studiedag",
        kind="holiday",
        starts=dt.date(2027, 1, 4),
        ends=dt.date(2027, 1, 4),
    )
    after = rules.lending_terms(school, TODAY)
    assert not after.calendar.is_open(dt.date(2027, 1, 4))
    # A student's 28 days from 24 November end in the Christmas holiday; the first open day
    # after it is now Tuesday 5 January.
    librarian = library.world.librarian_a
    loan = loans.checkout(librarian, school, "A0001", "S1", today=TODAY).loan
    assert loan.due_date == dt.date(2027, 1, 5)
    rule_actions.adopt_default_rules(SYSTEM, school)
    rule = school.loan_rules.get(patron_category="student", circulation_type="normal")
    rule_actions.save_rule(SYSTEM, school, rule, loan_days=14)
    assert (
        next(
            r.loan_days
            for r in rules.lending_terms(school, TODAY).rules
            if r.patron_category == "student" and r.circulation_type == "normal"
        )
        == 14
    )
