"""An order as an EDIFACT ORDERS message: the interchange's envelope, one LIN group per line
with the ISBN as EAN, quantity, price with or without VAT and a reference to quote back; UNT
counts the message's segments; separators in values are released; ISO 8859-1 keeps æ, ø, å.
Another school's order cannot be downloaded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reol.acquisitions import edifact
from reol.acquisitions.actions import orders
from reol.catalog.tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_release_escapes_the_separators():
    assert edifact.release("Hvad? 1+1: Børn's bog") == "Hvad?? 1?+1?: Børn?'s bog"


def _segments(data: bytes) -> list[str]:
    return data.decode("iso-8859-1").splitlines()


def test_an_order_as_orders_d96a(shop, world):
    lib = world.librarian_a
    orders.save_vendor(
        lib, world.school_a, shop.vendor, customer_number="K-77", edi_id="5790000000001"
    )
    order = orders.create_order(lib, world.school_a, shop.vendor)
    first = orders.add_line(
        lib,
        order,
        fund=shop.books,
        isbn="978-87-02-28429-4",
        title="Ønskebogen: 1+1 og meget mere",
        quantity=2,
        unit_price=Decimal("199.95"),
    )
    second = orders.add_line(
        lib,
        order,
        fund=shop.books,
        title="Uden ISBN",
        quantity=1,
        unit_price=Decimal("89.00"),
        vat_included=False,
    )
    shop.vendor.refresh_from_db()

    segments = _segments(edifact.order_message(order))

    assert segments[0] == "UNA:+.? '"
    assert segments[1].startswith("UNB+UNOC:3+K-77:91+5790000000001:14+")
    assert segments[1].endswith(f"+{order.pk}'")
    message = segments[2:-1]
    assert message[0] == "UNH+1+ORDERS:D:96A:UN:EAN008'"
    assert message[1] == f"BGM+220+{order.pk}+9'"
    assert "NAD+BY+K-77::91'" in message and "NAD+SU+5790000000001::9'" in message
    assert "CUX+2:DKK:9'" in message
    assert [s for s in message if s.startswith(("LIN", "QTY", "PRI", "RFF", "IMD"))] == [
        "LIN+1++9788702284294:EN'",
        "IMD+L+050+:::Ønskebogen?: 1?+1 og meget mere'",
        "QTY+21:2'",
        "PRI+AAE:199.95'",
        f"RFF+LI:{order.pk}/{first.pk}'",
        "LIN+2'",
        "IMD+L+050+:::Uden ISBN'",
        "QTY+21:1'",
        "PRI+AAF:89.00'",
        f"RFF+LI:{order.pk}/{second.pk}'",
    ]
    assert message[-2:] == ["CNT+2:2'", f"UNT+{len(message)}+1'"]
    assert segments[-1] == f"UNZ+1+{order.pk}'"


def test_the_page_downloads_it_and_keeps_to_the_school(shop, world):
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    orders.add_line(
        world.librarian_a, order, fund=shop.books, title="Bog", quantity=1, unit_price=Decimal(1)
    )
    url = f"/staff/acquisitions/orders/{order.pk}/order.edi"
    answer = signed_in(world.librarian_a).get(url)
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/EDIFACT")
    assert b"UNH+1+ORDERS:D:96A:UN:EAN008'" in answer.content
    assert signed_in(world.librarian_b).get(url).status_code == 404
