"""Copies received in the vendor's MARC file are what the line ordered: its circulation type
and location, not the importer's defaults; changed through the catalogue's one item-update
service, audited, and never across schools."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.acquisitions.actions import orders, receiving
from reol.acquisitions.tests.test_flow import ISBNS, shelf_ready
from reol.catalog import services as catalog
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import book
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

pytestmark = pytest.mark.django_db


def test_copies_from_the_marc_file_get_the_lines_circulation_type_and_location(shop, world):
    lib = world.librarian_a
    shelf = core.create_location(SYSTEM, world.school_a, code="LAER", name="Lærerhylden")
    order = orders.create_order(lib, world.school_a, shop.vendor)
    for isbn, kind, where in ((ISBNS[0], "class_set", shelf), (ISBNS[1], "reference", None)):
        orders.add_line(
            lib,
            order,
            fund=shop.books,
            isbn=isbn,
            title=isbn,
            quantity=2,
            unit_price=Decimal("99.00"),
            circulation_type=kind,
            location=where,
        )
    orders.send_order(lib, order)
    file = shelf_ready([(ISBNS[0], "Klassesæt", ["KS1", "KS2"]), (ISBNS[1], "Opslag", ["OP1"])])

    receiving.receive_marc_file(lib, order, io.BytesIO(file))

    copies = {i.barcode: i for i in Item.objects.all()}
    assert {b: (i.circulation_type, i.location_id) for b, i in copies.items()} == {
        "KS1": ("class_set", shelf.pk),
        "KS2": ("class_set", shelf.pk),
        "OP1": ("reference", None),
    }
    changed = AuditEvent.objects.filter(action="item.update").count()
    assert changed == 3


def test_the_item_update_service_keeps_to_the_school(world):
    record = catalog.create_record(SYSTEM, world.municipality, book("Fælles", control="f1"))
    copy_a = catalog.add_items(SYSTEM, record, world.school_a, barcodes=["A1"])[0]
    copy_b = catalog.add_items(SYSTEM, record, world.school_b, barcodes=["B1"])[0]
    shelf_b = core.create_location(SYSTEM, world.school_b, code="SYD", name="Syd")

    with pytest.raises(PermissionDenied):
        catalog.update_items(world.librarian_a, [copy_a, copy_b], circulation_type="reference")
    with pytest.raises(ValidationError):
        catalog.update_items(world.librarian_a, [copy_a], location=shelf_b)
    with pytest.raises(ValidationError):
        catalog.update_items(world.librarian_a, [copy_a], circulation_type="gift")
    assert set(Item.objects.values_list("circulation_type", flat=True)) == {"normal"}
    assert not AuditEvent.objects.filter(action="item.update").exists()

    catalog.update_items(world.librarian_a, [copy_a], circulation_type="teacher", price=None)

    copy_a.refresh_from_db()
    assert copy_a.circulation_type == "teacher"
    event = AuditEvent.objects.get(action="item.update")
    assert event.details["from"] == {"circulation_type": "normal", "price": "None"}
    assert Record.objects.count() == 1
