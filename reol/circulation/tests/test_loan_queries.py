""" "Open", "overdue" and "late" are decided once, by ``Loan.objects``, against the date the
caller gives; a loan never brought back ends written off through the state machine."""

from __future__ import annotations

import datetime as dt

import pytest

from reol.catalog.models import ItemStatus
from reol.circulation.actions import loans, privacy
from reol.circulation.models import Loan, LoanState
from reol.circulation.states import IllegalTransition
from reol.circulation.tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def test_open_overdue_and_late_agree(library):
    w = library.world
    loan = loans.checkout(w.librarian_a, library.school, "A0001", "S1", today=TODAY).loan
    due = loan.due_date
    assert list(Loan.objects.open()) == [loan]
    assert list(Loan.objects.of_school(library.school).open()) == [loan]
    assert not Loan.objects.overdue(on=due).exists()  # due today is not late yet
    assert list(Loan.objects.overdue(on=due + dt.timedelta(days=1))) == [loan]
    assert not Loan.objects.with_lateness(due).get().late
    assert Loan.objects.with_lateness(due + dt.timedelta(days=1)).get().late
    loans.checkin(w.librarian_a, library.school, "S1", today=due + dt.timedelta(days=3))
    assert not Loan.objects.open().exists()
    assert not Loan.objects.overdue(on=due + dt.timedelta(days=9)).exists()
    assert Loan.objects.returned().count() == 1


def test_a_written_off_loan_is_closed_and_its_copy_lost(library):
    w = library.world
    loan = loans.checkout(w.librarian_a, library.school, "A0001", "S1", today=TODAY).loan
    privacy.write_off(w.librarian_a, loan, reason="erasure")
    loan.refresh_from_db()
    assert loan.state == LoanState.WRITTEN_OFF
    assert loan.returned_at is not None and loan.patron is None
    assert loan.item.status == ItemStatus.LOST
    assert not Loan.objects.open().exists()
    with pytest.raises(IllegalTransition):  # the end is final
        privacy.write_off(w.librarian_a, loan, reason="again")
