"""Circulation's actions for devices: lent for the school year (due on its last school day,
by every rule of the desk), swapped for a loaner in one action, taken out of service and back,
written off as lost with the last borrower named."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import devices
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan, LoanState
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaners(library):  # type: ignore[no-untyped-def]
    catalog.add_items(
        SYSTEM, library.tablet, library.school, barcodes=["DEV2", "DEV3"], circulation_type="device"
    )
    return library


def test_a_device_for_the_school_year_is_due_on_its_last_school_day(loaners):
    w = loaners.world
    result = devices.lend_for_school_year(
        w.librarian_a, loaners.school, "A0001", "DEV1", today=TODAY
    )
    assert result.loan.due_date == dt.date(2027, 6, 25)  # the school year's end, not 7 days
    # still every rule of the desk: a student has one device
    with pytest.raises(CirculationError) as info:
        devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV2", today=TODAY)
    assert info.value.code == "too_many_loans"


def test_the_swap_returns_one_and_lends_the_other_until_the_same_day(loaners):
    w = loaners.world
    devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV1", today=TODAY)
    swap = devices.swap_device(w.librarian_a, loaners.school, "DEV1", "DEV2", today=TODAY)
    assert swap.patron == w.student_a1
    old = Loan.objects.get(item__barcode="DEV1")
    assert old.state == LoanState.RETURNED
    new = Loan.objects.open().get(item__barcode="DEV2")
    assert (new.patron, new.due_date) == (w.student_a1, dt.date(2027, 6, 25))
    assert loaners.item("DEV1").status == ItemStatus.DAMAGED
    assert AuditEvent.objects.filter(action="loan.device_swap").count() == 1
    with pytest.raises(CirculationError):  # not on loan any more: nothing to swap
        devices.swap_device(w.librarian_a, loaners.school, "DEV1", "DEV3", today=TODAY)


def test_a_refused_loaner_leaves_the_swap_undone(loaners):
    w = loaners.world
    devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV1", today=TODAY)
    devices.lend_for_school_year(w.librarian_a, loaners.school, "A0002", "DEV2", today=TODAY)
    with pytest.raises(CirculationError):
        devices.swap_device(w.librarian_a, loaners.school, "DEV1", "DEV2", today=TODAY)
    assert Loan.objects.open().get(item__barcode="DEV1").patron == w.student_a1
    assert loaners.item("DEV1").status == ItemStatus.ON_LOAN


def test_out_of_service_and_back(loaners):
    w = loaners.world
    devices.take_out_of_service(w.librarian_a, loaners.school, "DEV3")
    assert loaners.item("DEV3").status == ItemStatus.DAMAGED
    with pytest.raises(CirculationError):
        devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV3", today=TODAY)
    devices.return_to_service(w.librarian_a, loaners.school, "DEV3")
    assert loaners.item("DEV3").status == ItemStatus.AVAILABLE
    devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV3", today=TODAY)
    with pytest.raises(CirculationError):
        devices.take_out_of_service(w.librarian_a, loaners.school, "DEV3")


def test_lost_writes_the_loan_off_and_names_the_borrower(loaners):
    w = loaners.world
    devices.lend_for_school_year(w.librarian_a, loaners.school, "A0001", "DEV1", today=TODAY)
    lost = devices.flag_lost(w.librarian_a, loaners.school, "DEV1")
    assert lost.last_borrower == w.student_a1
    assert Item.objects.get(barcode="DEV1").status == ItemStatus.LOST
    assert Loan.objects.get(item__barcode="DEV1").state == LoanState.WRITTEN_OFF
