"""Random sequences of checkout, checkin, renew, hold and cancel (hypothesis), at two schools'
desks: every step either succeeds or is a clear refusal, and afterwards every invariant holds.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import OPEN_HOLD_STATES, Hold, HoldState, Loan

from .conftest import TODAY

pytestmark = pytest.mark.django_db

PATRONS = ["A0001", "A0002", "laerer-a", "B0001"]
ITEMS = ["S1", "S2", "S3", "SB1", "AT1", "REF1"]
OPS = ["checkout", "checkout", "checkin", "checkin_b", "renew", "hold", "hold_copy", "cancel"]


class Rollback(Exception):
    pass


def check_invariants() -> None:
    items = {i.pk: i for i in Item.objects.all()}
    open_loans = list(Loan.objects.filter(returned_at__isnull=True).select_related("item"))
    per_item = Counter(loan.item_id for loan in open_loans)
    assert all(n == 1 for n in per_item.values()), "two open loans of a copy"
    for pk, item in items.items():
        assert (item.status == ItemStatus.ON_LOAN) == (pk in per_item), item
    for loan in open_loans:
        assert loan.patron_id is not None and loan.due_date >= loan.loan_date
        assert loan.item.school_id == loan.school_id
    ready = list(Hold.objects.filter(state=HoldState.READY))
    per_ready_item = Counter(h.item_id for h in ready)
    assert all(n == 1 for n in per_ready_item.values()), "a copy ready for two holds"
    for hold in ready:
        item = items[hold.item_id]
        assert item.status == ItemStatus.ON_HOLD_SHELF and item.school_id == hold.school_id
    for pk, item in items.items():
        assert (item.status == ItemStatus.ON_HOLD_SHELF) == (pk in per_ready_item), item
    open_holds = list(Hold.objects.filter(state__in=OPEN_HOLD_STATES))
    keys = Counter((h.patron_id, h.record_id) for h in open_holds)
    assert all(n == 1 for n in keys.values()), "two open holds of a patron on a title"
    students = Counter(
        (loan.patron_id, loan.item.record_id)
        for loan in open_loans
        if loan.patron_category == "student"
    )
    assert all(n == 1 for n in students.values()), "a student with two copies of a title"
    borrowed = {(loan.patron_id, loan.item.record_id) for loan in open_loans}
    assert not borrowed & set(keys), "a patron holds a title they have on loan"


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(OPS),
            st.integers(0, len(PATRONS) - 1),
            st.integers(0, len(ITEMS) - 1),
        ),
        max_size=25,
    )
)
def test_random_desk_days_keep_every_invariant(library, steps):
    w = library.world
    a, b = library.school, w.school_b
    try:
        with transaction.atomic():
            for n, (op, p, i) in enumerate(steps):
                today = TODAY + dt.timedelta(days=4 * n)
                patron, barcode = PATRONS[p], ITEMS[i]
                try:
                    if op == "checkout":
                        school, desk = (
                            (b, w.librarian_b) if patron == "B0001" else (a, w.librarian_a)
                        )
                        loan_actions.checkout(desk, school, patron, barcode, today=today)
                    elif op == "checkin":
                        loan_actions.checkin(w.librarian_a, a, barcode, today=today)
                    elif op == "checkin_b":
                        loan_actions.checkin(w.librarian_b, b, barcode, today=today)
                    elif op == "renew":
                        school, desk = (
                            (b, w.librarian_b) if barcode == "SB1" else (a, w.librarian_a)
                        )
                        loan_actions.renew(desk, school, barcode, today=today)
                    elif op == "hold":
                        record = Item.objects.get(barcode=barcode).record
                        hold_actions.place_hold(w.librarian_a, a, patron, record=record)
                    elif op == "hold_copy":
                        hold_actions.place_hold(w.librarian_a, a, patron, item=barcode)
                    elif op == "cancel":
                        hold = (
                            Hold.objects.filter(
                                patron__card_barcode=patron, state__in=OPEN_HOLD_STATES
                            ).first()
                            or Hold.objects.filter(
                                patron__username=patron, state__in=OPEN_HOLD_STATES
                            ).first()
                        )
                        if hold is not None:
                            hold_actions.cancel_hold(w.librarian_a, hold, today=today)
                    event(f"{op}: done")
                except CirculationError as refusal:
                    assert refusal.code and refusal.message
                    event(f"{op}: {refusal.code}")
                check_invariants()
            raise Rollback
    except Rollback:
        pass
