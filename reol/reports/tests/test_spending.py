"""Weeding beside spending: per section, the copies withdrawn (through the weeding list), the
copies that arrived on orders and the money invoiced, each school's own."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from reol.acquisitions.actions import invoices, orders, receiving
from reol.acquisitions.tests.conftest import make_shop
from reol.catalog.models import Item
from reol.catalog.tests.helpers import signed_in
from reol.reports import services

from .helpers import library

pytestmark = pytest.mark.django_db
URL = "/staff/reports/weeding-and-spending/"


def _buy(actor, school, vendor, fund, record, *, copies, price, number, barcodes):  # type: ignore[no-untyped-def]
    order = orders.create_order(actor, school, vendor)
    line = orders.add_line(
        actor,
        order,
        fund=fund,
        record=record,
        title=record.title,
        quantity=copies,
        unit_price=price,
    )
    orders.send_order(actor, order, by_email=False)
    receiving.receive(actor, line, barcodes)
    invoices.enter_invoice(
        actor,
        school,
        vendor,
        number=number,
        invoice_date=timezone.localdate(),
        charges=[invoices.Charge(line, copies, price)],
    )


def test_weeded_and_bought_per_section_each_school_its_own(world):
    lib = library(world)
    lib_b = library(world, world.school_b)
    shop = make_shop(world)
    old = list(
        Item.objects.filter(school=world.school_a, record=lib.facts)
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    assert services.withdraw_copies(world.librarian_a, world.school_a, old, note="") == 2
    _buy(
        world.librarian_a,
        world.school_a,
        shop.vendor,
        shop.books,
        lib.facts,
        copies=2,
        price=Decimal("160.00"),
        number="A-1",
        barcodes=["NYA1", "NYA2"],
    )
    vendor_b = orders.save_vendor(world.librarian_b, world.school_b, name="Bøger B", email="")
    _buy(
        world.librarian_b,
        world.school_b,
        vendor_b,
        shop.fund_b,
        lib_b.fiction[0],
        copies=1,
        price=Decimal("99.00"),
        number="B-1",
        barcodes=["NYB1"],
    )
    client = signed_in(world.librarian_a)
    rows = {r.values["label"]: r.values for r in client.get(URL).context["table"].rows}
    assert {k: (v["withdrawn"], v["arrived"], v["spent"]) for k, v in rows.items()} == {
        "55": (2, 2, Decimal("320.00")),
        "sk": (0, 0, Decimal("0.00")),
    }
    assert rows["55"]["copies"] == 6  # six lent to 3B, two withdrawn, two arrived
    # School B sees its own purchase only, and may not ask for school A's.
    other = signed_in(world.librarian_b)
    rows_b = {r.values["label"]: r.values for r in other.get(URL).context["table"].rows}
    assert rows_b["sk"]["spent"] == Decimal("99.00") and rows_b["55"]["withdrawn"] == 0
    crossing = other.get(URL, {"school": world.school_a.pk})
    assert "table" not in crossing.context and crossing.context["form"].errors["school"]
