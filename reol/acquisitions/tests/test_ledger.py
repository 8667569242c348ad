"""A fund's available amount is allocation + transfers − commitments − spending after any
sequence of allocations, transfers, order lines, cancellations, receipts and invoices — checked
against a model kept here, by hypothesis, with the ledger's entries summing to the fund's sums
and nothing spent past the balance without an override."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reol.acquisitions.actions import funds, invoices, orders, receiving
from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.models import EntryKind, Fund, FundEntry
from reol.core.permissions import SYSTEM

from .conftest import make_shop

pytestmark = pytest.mark.django_db

cents = st.integers(min_value=0, max_value=300_000).map(lambda c: Decimal(c) / 100)
ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("allocate"), st.integers(-200_000, 200_000).map(lambda c: Decimal(c) / 100)
        ),
        st.tuples(st.just("transfer"), cents, st.booleans()),
        st.tuples(st.just("order"), st.integers(1, 4), cents, st.booleans()),
        st.tuples(st.just("cancel"), st.integers(0, 9), st.integers(1, 4)),
        st.tuples(st.just("receive"), st.integers(0, 9)),
        st.tuples(st.just("invoice"), st.integers(0, 9), cents, st.booleans()),
    ),
    max_size=12,
)


class Books:
    """What the fund should say, kept without the code under test."""

    def __init__(self, allocation: Decimal) -> None:
        self.allocation, self.transfers, self.commitments, self.spending = (
            allocation,
            Decimal(0),
            Decimal(0),
            Decimal(0),
        )
        self.overdraft = Decimal(0)

    @property
    def available(self) -> Decimal:
        return self.allocation + self.transfers - self.commitments - self.spending

    def allowed(self, lower_by: Decimal, override: bool) -> bool:
        short = -(self.available - lower_by + self.overdraft)
        if short > 0 and lower_by > 0:
            if not override:
                return False
            self.overdraft += short
        return True


def _apply(shop: Any, books: Books, lines: list[Any], op: tuple[Any, ...]) -> None:
    fund = shop.books
    kind = op[0]
    if kind == "allocate":
        if books.allowed(-op[1], False):
            funds.allocate(SYSTEM, fund, op[1])
            books.allocation += op[1]
        else:
            _refused(lambda: funds.allocate(SYSTEM, fund, op[1]))
    elif kind == "transfer":
        amount, outwards = op[1], op[2]
        if amount == 0:
            return
        if outwards and books.allowed(amount, False):
            funds.transfer(SYSTEM, fund, shop.films, amount)
            books.transfers -= amount
        elif outwards:
            _refused(lambda: funds.transfer(SYSTEM, fund, shop.films, amount))
        elif Fund.objects.get(pk=shop.films.pk).available >= amount:
            funds.transfer(SYSTEM, shop.films, fund, amount)
            books.transfers += amount
    elif kind == "order":
        quantity, price, override = op[1:]
        if books.allowed(quantity * price, override):
            lines.append(
                orders.add_line(
                    SYSTEM,
                    shop.order,
                    fund=fund,
                    title="T",
                    quantity=quantity,
                    unit_price=price,
                    override=override,
                )
            )
            books.commitments += quantity * price
        else:
            _refused(
                lambda: orders.add_line(
                    SYSTEM, shop.order, fund=fund, title="T", quantity=quantity, unit_price=price
                )
            )
    elif lines:
        line = lines[op[1] % len(lines)]
        line.refresh_from_db()
        if kind == "cancel" and line.outstanding:
            n = min(op[2], line.outstanding)
            books.commitments -= (
                min(n, line.quantity - line.cancelled - line.invoiced) * line.unit_price
            )
            orders.cancel_line(SYSTEM, line, n)
        elif kind == "receive" and line.outstanding:
            receiving.receive(SYSTEM, line, [])
        elif kind == "invoice" and line.received > line.invoiced:
            price, override = op[2], op[3]
            books.commitments -= line.unit_price
            if books.allowed(price, override):
                invoices.enter_invoice(
                    SYSTEM,
                    shop.world.school_a,
                    shop.vendor,
                    number=f"F{FundEntry.objects.count()}",
                    invoice_date=shop.today,
                    charges=[invoices.Charge(line, 1, price, override=override)],
                )
                books.spending += price
            else:
                books.commitments += line.unit_price
                _refused(
                    lambda: invoices.enter_invoice(
                        SYSTEM,
                        shop.world.school_a,
                        shop.vendor,
                        number="X",
                        invoice_date=shop.today,
                        charges=[invoices.Charge(line, 1, price)],
                    )
                )


def _refused(call: Any) -> None:
    with pytest.raises(AcquisitionError) as refused:
        call()
    assert refused.value.code == "over_budget"


def _check(fund: Fund, books: Books) -> None:
    fund.refresh_from_db()
    assert fund.available == books.available
    assert fund.overdraft == books.overdraft
    assert fund.available >= -fund.overdraft
    sums = {
        # SQLite sums decimals as floats (0.01 comes back as 0.00999…): to the cent, as the
        # expenditure selector does.
        kind: Decimal(
            FundEntry.objects.filter(fund=fund, kind=kind).aggregate(s=Sum("amount"))["s"] or 0
        ).quantize(Decimal("0.01"))
        for kind in EntryKind
    }
    assert fund.allocated == sums[EntryKind.ALLOCATION]
    assert fund.transferred == sums[EntryKind.TRANSFER] + sums[EntryKind.ROLLOVER]
    assert fund.committed == sums[EntryKind.COMMITMENT] == books.commitments
    assert fund.spent == sums[EntryKind.SPENDING] == books.spending
    assert fund.overdraft == sums[EntryKind.OVERRIDE]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=ops)
def test_available_is_allocation_plus_transfers_minus_commitments_and_spending(world, steps):
    from django.utils import timezone

    with transaction.atomic():
        shop = make_shop(world)
        shop.order = orders.create_order(SYSTEM, world.school_a, shop.vendor)
        shop.today = timezone.localdate()
        books = Books(shop.books.allocated)
        lines: list[Any] = []
        for step in steps:
            if step[0] == "receive" and lines:
                orders.send_order(SYSTEM, shop.order, by_email=False)
            _apply(shop, books, lines, step)
            _check(shop.books, books)
        transaction.set_rollback(True)


def test_the_database_refuses_an_overspent_fund(shop):
    """The CHECK constraint holds even for a write that skips the actions."""
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=shop.books.pk).update(spent=Decimal("10000.01"))
