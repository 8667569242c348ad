"""Two desks scan the same copy at the same instant: exactly one loan, and the other desk
gets the ordinary refusal. Real threads with their own database connections, on SQLite
(IMMEDIATE transactions serialise the writers) and PostgreSQL (the row lock, then the index).
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from tests.race import race

from .conftest import TODAY

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("desks", [2, 4])
def test_same_copy_at_the_same_instant(library, desks):
    w = library.world
    patrons = ["A0001", "A0002", "laerer-a", "admin-a"][:desks]
    results = race(
        desks,
        lambda i: loans.checkout(w.librarian_a, library.school, patrons[i], "S1", today=TODAY),
    )
    wins = [r for r in results if isinstance(r, loans.CheckoutResult)]
    losses = [r for r in results if isinstance(r, CirculationError)]
    assert len(wins) == 1, results
    assert len(losses) == desks - 1, results
    assert {e.code for e in losses} == {"already_on_loan"}
    assert all("already on loan" in e.message for e in losses)
    assert Loan.objects.filter(item__barcode="S1", returned_at__isnull=True).count() == 1


def test_the_index_refuses_a_second_open_loan_even_without_the_service(library):
    """The database itself: a second open loan of a copy cannot be written."""
    first = loans.checkout(
        library.world.librarian_a, library.school, "A0001", "S1", today=TODAY
    ).loan
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(
            school=first.school,
            item=first.item,
            patron=library.world.student_a2,
            patron_category="student",
            loan_date=TODAY,
            checked_out_at=timezone.now(),
            due_date=TODAY,
        )


def test_check_constraints_on_dates(library):
    first = loans.checkout(
        library.world.librarian_a, library.school, "A0001", "S1", today=TODAY
    ).loan
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.filter(pk=first.pk).update(due_date=TODAY.replace(day=1))
    with pytest.raises(IntegrityError), transaction.atomic():  # returned but still "active"
        Loan.objects.filter(pk=first.pk).update(returned_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():  # open without a patron
        Loan.objects.filter(pk=first.pk).update(patron=None)
