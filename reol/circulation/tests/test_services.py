"""The desk's five services read as the rules they enforce: what is lent, refused, returned,
renewed and held, and what each leaves behind (copy status, search outbox, audit log)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from reol.catalog import services as catalog
from reol.catalog.models import ItemStatus, SearchOutbox
from reol.catalog.tests.helpers import book
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.actions import rules as rule_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import HoldState, Loan, LoanPeriod, LoanState
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def refused(code: str, call, *args, **kwargs) -> CirculationError:  # type: ignore[no-untyped-def]
    with pytest.raises(CirculationError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    assert info.value.message  # always a sentence
    return info.value


def lend(library, patron="A0001", item="S1", today=TODAY, **kw):  # type: ignore[no-untyped-def]
    w = library.world
    return loan_actions.checkout(w.librarian_a, library.school, patron, item, today=today, **kw)


# --- Checkout ----------------------------------------------------------------------------------


def test_checkout_lends_with_a_due_date_off_the_christmas_holiday(library):
    outbox_before = SearchOutbox.objects.count()
    result = lend(library)
    loan = result.loan
    # 28 days from Tue 24 Nov is Tue 22 Dec, in the Christmas holiday: first open day after it.
    assert result.due.nominal == dt.date(2026, 12, 22)
    assert loan.due_date == dt.date(2027, 1, 4)
    assert result.due.moved_forward
    assert loan.state == LoanState.ACTIVE and loan.returned_at is None
    assert loan.patron == library.world.student_a1
    assert library.item("S1").status == ItemStatus.ON_LOAN
    assert SearchOutbox.objects.count() == outbox_before + 1
    event = AuditEvent.objects.get(action="loan.checkout")
    assert event.actor == library.world.librarian_a
    assert event.details["item"] == "S1" and event.details["due"] == "2027-01-04"


def test_patron_by_username_and_card_in_any_case(library):
    assert lend(library, patron="a0001").loan.patron == library.world.student_a1
    assert lend(library, patron="ELEV-A2", item="s2").loan.patron == library.world.student_a2


def test_teacher_gets_the_staff_period(library):
    loan = lend(library, patron="laerer-a").loan
    assert loan.due_date == dt.date(2027, 1, 19)
    assert loan.patron_category == "staff"


def test_refusals_each_have_a_code_and_a_sentence(library):
    w = library.world
    refused("unknown_item", lend, library, item="NOPE")
    refused("unknown_patron", lend, library, patron="Z9999")
    e = refused("unknown_patron", lend, library, patron="B0001")  # a patron of school B
    assert "B0001" in e.message and "Elev-B1" not in e.message  # named only to their desks
    e = refused("not_for_loan", lend, library, item="REF1")
    assert "reference only" in e.message
    e = refused("other_school", lend, library, item="SB1")
    assert "Sydskolen" in e.message
    lend(library)
    e = refused("already_on_loan", lend, library, patron="A0002")
    assert "Elev-A1 Test" in e.message and "Check it in first" in e.message
    e = refused("already_on_loan", lend, library)
    assert "Renew it instead?" in e.message and e.details["same_patron"]
    w.student_a2.is_active = False
    w.student_a2.save()
    refused("patron_blocked", lend, library, patron="A0002", item="S2")
    assert Loan.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (ItemStatus.WITHDRAWN, "item_withdrawn"),
        (ItemStatus.MISSING, "item_unavailable"),
        (ItemStatus.LOST, "item_unavailable"),
        (ItemStatus.DAMAGED, "item_unavailable"),
        (ItemStatus.IN_TRANSIT, "item_in_transit"),
    ],
)
def test_copies_that_are_not_on_the_shelf_are_not_lent(library, status, code):
    catalog.change_item_status(SYSTEM, library.item("S1"), status)
    refused(code, lend, library)


def test_too_many_loans(library):
    w = library.world
    rule_actions.adopt_default_rules(w.librarian_a, library.school)
    rule = library.school.loan_rules.get(patron_category="student", circulation_type="normal")
    rule_actions.save_rule(w.librarian_a, library.school, rule, max_loans=2)
    lend(library, item="S1")
    lend(library, item="AT1")
    e = refused("too_many_loans", lend, library, item="S3")
    assert "already has 2 loans" in e.message and "most allowed is 2" in e.message


def test_a_student_borrows_one_copy_of_a_title_unless_a_librarian_overrides(library):
    w = library.world
    lend(library, item="S1")
    e = refused("already_has_title", lend, library, item="S2")
    assert e.overridable and "already has a copy of “Rejsen til Saturn” (S1)" in e.message
    assert library.item("S2").status == ItemStatus.AVAILABLE
    loan = lend(library, item="S2", overrides={"already_has_title"}).loan
    assert loan.item.barcode == "S2"
    event = AuditEvent.objects.get(action="loan.override_title")
    assert event.actor == w.librarian_a and event.details["already_has"] == "S1"
    # A returned copy no longer counts; teachers and staff take as many as they need.
    loan_actions.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    loan_actions.checkin(w.librarian_a, library.school, "S2", today=TODAY)
    lend(library, item="S3")
    for barcode in ("S1", "S2"):
        assert lend(library, patron="laerer-a", item=barcode).loan.pk


def test_the_desk_needs_the_desk_permission(library):
    w = library.world
    with pytest.raises(PermissionDenied):
        loan_actions.checkout(w.teacher_a, library.school, "A0001", "S1", today=TODAY)
    with pytest.raises(PermissionDenied):  # a librarian of school B at A's desk
        loan_actions.checkout(w.librarian_b, library.school, "A0001", "S1", today=TODAY)
    loan = loan_actions.checkout(w.volunteer_a, library.school, "A0001", "S1", today=TODAY).loan
    assert loan.pk  # volunteers work the desk (without the catalogue permission)


def test_a_copy_of_another_municipality_is_unknown(library):
    from reol.core.models import Municipality

    far = Municipality.objects.get(code="fjordby")
    school = core.create_school(SYSTEM, municipality=far, code="fjord", name="Fjord")
    record = catalog.create_record(SYSTEM, far, book("Fjern bog", control="f1"))
    catalog.add_items(SYSTEM, record, school, barcodes=["F1"])
    refused("unknown_item", lend, library, item="F1")
    refused("unknown_item", loan_actions.checkin, library.world.librarian_a, library.school, "F1")


# --- Checkin -----------------------------------------------------------------------------------


def test_checkin_back_to_the_shelf_and_the_students_loan_forgets_the_student(library):
    lend(library)
    result = loan_actions.checkin(library.world.librarian_a, library.school, "S1", today=TODAY)
    assert result.route == loan_actions.Route.SHELF
    assert result.loan is not None and result.overdue_days == 0
    loan = Loan.objects.get()
    assert loan.state == LoanState.RETURNED and loan.returned_at is not None
    assert loan.patron is None  # privacy by default
    assert library.item("S1").status == ItemStatus.AVAILABLE
    assert AuditEvent.objects.filter(action="loan.checkin").count() == 1


def test_loan_history_is_kept_when_the_school_keeps_it_and_for_teachers(library):
    w = library.world
    lend(library, patron="laerer-a", item="S2")
    loan_actions.checkin(w.librarian_a, library.school, "S2", today=TODAY)
    assert Loan.objects.get(item__barcode="S2").patron == w.teacher_a
    core.update_school(w.admin_a, library.school, keep_loan_history=True)
    library.school.refresh_from_db()
    lend(library)
    loan_actions.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    # The school keeps history, but only for students who agreed (the patrons app's consent).
    assert Loan.objects.get(item__barcode="S1").patron is None
    from reol.patrons import services as patrons

    patrons.create_patron(
        SYSTEM, library.school, category="student", user=w.student_a1, keeps_loan_history=True
    )
    lend(library, item="S3")
    loan_actions.checkin(w.librarian_a, library.school, "S3", today=TODAY)
    assert Loan.objects.get(item__barcode="S3").patron == w.student_a1


def test_late_return_counts_the_days(library):
    lend(library)
    late = dt.date(2027, 1, 14)
    result = loan_actions.checkin(library.world.librarian_a, library.school, "S1", today=late)
    assert result.overdue_days == 10


def test_checkin_at_another_school_sends_the_copy_home(library):
    w = library.world
    loan_actions.checkout(w.librarian_b, w.school_b, "B0001", "SB1", today=TODAY)
    result = loan_actions.checkin(w.librarian_a, library.school, "SB1", today=TODAY)
    assert result.route == loan_actions.Route.TRANSIT
    assert library.item("SB1").status == ItemStatus.IN_TRANSIT
    # Arriving home it goes back on the shelf.
    home = loan_actions.checkin(w.librarian_b, w.school_b, "SB1", today=TODAY)
    assert home.route == loan_actions.Route.SHELF and home.loan is None
    assert library.item("SB1").status == ItemStatus.AVAILABLE


def test_checkin_fills_the_first_hold_and_the_copy_goes_to_the_hold_shelf(library):
    w = library.world
    for barcode in ("S1", "S2", "S3"):
        lend(library, patron="laerer-a", item=barcode)
    first = hold_actions.place_hold(w.librarian_a, library.school, "A0002", record=library.saturn)
    second = hold_actions.place_hold(w.student_a1, library.school, "A0001", record=library.saturn)
    assert second.patron == w.student_a1  # a student may hold for themself
    result = loan_actions.checkin(w.librarian_a, library.school, "S2", today=TODAY)
    assert result.route == loan_actions.Route.HOLD_SHELF and result.hold == first
    first.refresh_from_db()
    assert first.state == HoldState.READY and first.item == library.item("S2")
    assert first.pickup_by == dt.date(2026, 12, 1)  # a week, on an open day
    assert library.item("S2").status == ItemStatus.ON_HOLD_SHELF
    # Scanning it again changes nothing: it is already on the hold shelf for her.
    again = loan_actions.checkin(w.librarian_a, library.school, "S2", today=TODAY)
    assert again.route == loan_actions.Route.HOLD_SHELF and again.hold == first
    # She collects it: the hold is fulfilled.
    loan = lend(library, patron="A0002", item="S2").loan
    first.refresh_from_db()
    assert first.state == HoldState.FULFILLED and loan.item.barcode == "S2"


def test_a_missing_copy_that_turns_up_is_found(library):
    catalog.change_item_status(SYSTEM, library.item("S1"), ItemStatus.MISSING)
    result = loan_actions.checkin(library.world.librarian_a, library.school, "S1", today=TODAY)
    assert result.found and library.item("S1").status == ItemStatus.AVAILABLE


def test_a_withdrawn_copy_is_not_checked_in(library):
    catalog.change_item_status(SYSTEM, library.item("S1"), ItemStatus.WITHDRAWN)
    refused(
        "item_unavailable", loan_actions.checkin, library.world.librarian_a, library.school, "S1"
    )


# --- Renewal -----------------------------------------------------------------------------------


def test_renew_counts_from_today_and_up_to_the_limit(library):
    w = library.world
    lend(library, patron="laerer-a")  # staff: 3 renewals, 56 days
    loan = loan_actions.renew(w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 1))
    assert loan.due_date == dt.date(2027, 1, 26) and loan.renewals == 1
    loan_actions.renew(w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 2))
    loan_actions.renew(w.librarian_a, library.school, "S1", today=dt.date(2026, 12, 3))
    e = refused("renewal_limit", loan_actions.renew, w.librarian_a, library.school, "S1",
                today=dt.date(2026, 12, 4))  # fmt: skip
    assert "3 times" in e.message
    assert AuditEvent.objects.filter(action="loan.renew").count() == 3


def test_a_renewal_that_would_not_move_the_date_is_refused(library):
    lend(library)  # due Mon 4 Jan
    refused("renewal_not_later", loan_actions.renew, library.world.librarian_a,
            library.school, "S1", today=dt.date(2026, 12, 1))  # fmt: skip


def test_renewal_is_refused_when_someone_waits(library):
    w = library.world
    for barcode in ("S1", "S2", "S3"):
        lend(library, patron="laerer-a", item=barcode)
    hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    e = refused("on_hold_for_other", loan_actions.renew, w.librarian_a, library.school, "S1",
                today=dt.date(2026, 12, 10))  # fmt: skip
    assert "Someone is waiting" in e.message


def test_the_borrower_may_renew_their_own_loan_but_not_another_students(library):
    w = library.world
    lend(library, patron="laerer-a")
    with pytest.raises(PermissionDenied):
        loan_actions.renew(w.student_a1, library.school, "S1", today=dt.date(2026, 12, 10))
    assert loan_actions.renew(
        w.teacher_a, library.school, "S1", today=dt.date(2026, 12, 10)
    ).renewals


def test_renew_of_a_copy_on_the_shelf(library):
    refused("not_on_loan", loan_actions.renew, library.world.librarian_a, library.school, "S1")


# --- Holds -------------------------------------------------------------------------------------


def test_hold_refusals(library):
    w = library.world
    hold = lambda patron, **kw: hold_actions.place_hold(w.librarian_a, library.school, patron, **kw)  # noqa: E731
    refused("holds_not_allowed", hold, "A0001", record=library.tablet)  # devices: no holds
    only_b = catalog.create_record(SYSTEM, w.municipality, book("Kun på Syd", control="b1"))
    catalog.add_items(SYSTEM, only_b, w.school_b, barcodes=["OB1"])
    e = refused("no_copies", hold, "A0001", record=only_b)
    assert "Nordskolen has no copies" in e.message
    hold("A0001", record=library.saturn)
    refused("hold_exists", hold, "A0001", record=library.saturn)
    lend(library, patron="A0002", item="S1")
    refused("already_has_it", hold, "A0002", record=library.saturn)
    refused("other_school", hold, "A0002", item="SB1")
    with pytest.raises(PermissionDenied):  # a student may not hold for another student
        hold_actions.place_hold(w.student_a1, library.school, "A0002", record=library.atlas)


def test_a_copy_on_the_hold_shelf_is_not_lent_to_someone_else_without_override(library):
    w = library.world
    lend(library, patron="laerer-a", item="S1")
    hold = hold_actions.place_hold(w.librarian_a, library.school, "A0002", record=library.saturn)
    loan_actions.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    e = refused("on_hold_for_other", lend, library, item="S1")
    assert e.overridable and "Elev-A2 Test" in e.message
    loan = lend(library, item="S1", override_hold=True).loan
    assert loan.patron == w.student_a1
    hold.refresh_from_db()
    assert hold.state == HoldState.WAITING and hold.item is None  # back in the queue, first
    override = AuditEvent.objects.get(action="loan.override_hold")
    assert override.details == {"item": "S1", "hold_of": "elev-a2", "lent_to": "elev-a1"}


def test_a_specific_copy_hold_blocks_only_that_copy(library):
    w = library.world
    hold_actions.place_hold(w.librarian_a, library.school, "A0002", item="S1")
    refused("on_hold_for_other", lend, library, item="S1")
    assert lend(library, item="S2").loan.pk


def test_cancel_a_ready_hold_passes_the_copy_to_the_next_in_line(library):
    w = library.world
    lend(library, patron="laerer-a", item="S1")
    first = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    second = hold_actions.place_hold(w.librarian_a, library.school, "A0002", record=library.saturn)
    loan_actions.checkin(w.librarian_a, library.school, "S1", today=TODAY)
    hold_actions.cancel_hold(w.student_a1, first, today=TODAY)  # the student cancels their own
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == HoldState.CANCELLED and first.closed_at is not None
    assert second.state == HoldState.READY and second.item == library.item("S1")
    hold_actions.cancel_hold(w.librarian_a, second, today=TODAY)
    assert library.item("S1").status == ItemStatus.AVAILABLE
    refused("hold_closed", hold_actions.cancel_hold, w.librarian_a, second)


def test_collecting_another_copy_releases_the_one_on_the_hold_shelf(library):
    w = library.world
    lend(library, patron="laerer-a", item="S1")
    hold = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    loan_actions.checkin(w.librarian_a, library.school, "S1", today=TODAY)  # S1 → hold shelf
    lend(library, item="S2")  # she takes S2 from the shelf instead
    hold.refresh_from_db()
    assert hold.state == HoldState.FULFILLED and hold.item == library.item("S2")
    assert library.item("S1").status == ItemStatus.AVAILABLE


# --- Loan rules --------------------------------------------------------------------------------


def test_rules_are_adopted_on_the_first_edit_and_checked(library):
    from django.core.exceptions import ValidationError

    w = library.world
    with pytest.raises(PermissionDenied):
        rule_actions.save_rule(w.teacher_a, library.school, patron_category="staff",
                           circulation_type="kit", period="days", loan_days=3)  # fmt: skip
    rule = rule_actions.save_rule(
        w.librarian_a, library.school, patron_category="student", grade_min=0, grade_max=3,
        circulation_type="normal", period=LoanPeriod.DAYS, loan_days=14,
    )  # fmt: skip
    assert library.school.loan_rules.count() == 11  # ten built-in ones plus this
    with pytest.raises(ValidationError) as info:
        rule_actions.save_rule(w.librarian_a, library.school, rule, patron_category="staff")
    assert "grade_min" in info.value.message_dict
    with pytest.raises(ValidationError):
        rule_actions.save_rule(w.librarian_a, library.school, rule, period="date")
    rule_actions.delete_rule(w.librarian_a, library.school, rule)
    assert set(AuditEvent.objects.filter(action__startswith="loan_rule").values_list(
        "action", flat=True)) == {"loan_rule.add", "loan_rule.remove"}  # fmt: skip
