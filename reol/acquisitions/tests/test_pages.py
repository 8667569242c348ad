"""The acquisitions pages: school A's librarian gets a 404 for school B's fund and order and
cannot post to them; a student sees no staff page; the order page's queries do not grow with
its lines; the Atom feed of the bulletin is valid Atom."""

from __future__ import annotations

from decimal import Decimal

import pytest
from defusedxml import ElementTree
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reol.acquisitions.actions import funds, orders, receiving
from reol.acquisitions.models import Fund
from reol.catalog.tests.helpers import signed_in

pytestmark = pytest.mark.django_db


def test_school_a_cannot_see_or_spend_school_b_funds_through_the_pages(shop, world):
    client = signed_in(world.librarian_a)
    assert client.get(f"/staff/acquisitions/funds/{shop.fund_b.pk}/").status_code == 404
    answer = client.post(
        f"/staff/acquisitions/funds/{shop.fund_b.pk}/",
        {"what": "allocate", "allocate-amount": "-800"},
    )
    assert answer.status_code == 404
    assert Fund.objects.get(pk=shop.fund_b.pk).allocated == Decimal("800.00")
    home = client.get("/staff/acquisitions/").content.decode()
    assert "Bøger B" not in home and "10000.00 DKK" in home
    vendor_b = orders.save_vendor(world.librarian_b, world.school_b, name="Syd-leverandør")
    order_b = orders.create_order(world.librarian_b, world.school_b, vendor_b)
    assert client.get(f"/staff/acquisitions/orders/{order_b.pk}/").status_code == 404
    # a line on A's own order cannot name B's fund either
    order_a = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    client.post(
        f"/staff/acquisitions/orders/{order_a.pk}/",
        {
            "title": "X",
            "quantity": "1",
            "unit_price": "1.00",
            "fund": shop.fund_b.pk,
            "circulation_type": "normal",
        },
    )
    assert not order_a.lines.exists()


def test_students_see_no_staff_page(shop, world):
    client = signed_in(world.student_a1)
    assert client.get("/staff/acquisitions/").status_code == 403
    assert client.get("/staff/acquisitions/report/").status_code == 403
    assert client.get("/library/suggest/").status_code == 200


def test_the_order_page_reads_in_few_queries(shop, world, django_assert_max_num_queries):
    lib = world.librarian_a
    order = orders.create_order(lib, world.school_a, shop.vendor)
    for n in range(12):
        orders.add_line(
            lib, order, fund=shop.books, title=f"Bog {n}", quantity=1, unit_price=Decimal("10")
        )
    client = signed_in(lib)
    with django_assert_max_num_queries(25):
        assert client.get(f"/staff/acquisitions/orders/{order.pk}/").status_code == 200


def test_the_bulletin_feed_is_atom(shop, world):
    lib = world.librarian_a
    order = orders.create_order(lib, world.school_a, shop.vendor)
    line = orders.add_line(
        lib, order, fund=shop.books, title="Vulkaner", quantity=1, unit_price=Decimal("10")
    )
    orders.send_order(lib, order, by_email=False)
    receiving.receive(lib, line, ["V1"])
    answer = signed_in(lib).get("/library/new/nord/feed.atom")
    assert answer["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(answer.content)
    titles = [e.text for e in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Vulkaner" in titles


def test_the_fund_page_allocates_and_transfers(shop, world):
    client = signed_in(world.librarian_a)
    url = f"/staff/acquisitions/funds/{shop.books.pk}/"
    client.post(url, {"what": "allocate", "allocate-amount": "-1000.50", "allocate-note": "cut"})
    client.post(
        url, {"what": "transfer", "transfer-target": shop.films.pk, "transfer-amount": "99.50"}
    )
    shop.books.refresh_from_db()
    shop.films.refresh_from_db()
    assert shop.books.available == Decimal("8900.00")
    assert shop.films.available == Decimal("599.50")


def test_the_order_as_pdf_and_as_a_file(shop, world):
    lib = world.librarian_a
    order = orders.create_order(lib, world.school_a, shop.vendor)
    orders.add_line(
        lib,
        order,
        fund=shop.books,
        title="=HYPERLINK(1)",
        quantity=3,
        unit_price=Decimal("12.50"),
        isbn="9788702284294",
    )
    client = signed_in(lib)
    pdf = client.post(f"/staff/acquisitions/orders/{order.pk}/send/", {})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    order.refresh_from_db()
    assert order.state == "sent"
    text = client.get(f"/staff/acquisitions/orders/{order.pk}/order.csv").content.decode()
    assert "9788702284294" in text and "'=HYPERLINK(1)" in text and "12.50" in text
    assert (
        signed_in(world.librarian_b)
        .get(f"/staff/acquisitions/orders/{order.pk}/order.csv")
        .status_code
        == 404
    )


def _fund_page_queries(client, fund) -> int:
    with CaptureQueriesContext(connection) as seen:
        assert client.get(f"/staff/acquisitions/funds/{fund.pk}/").status_code == 200
    return len(seen.captured_queries)


def test_the_fund_pages_read_in_few_queries(shop, world, django_assert_max_num_queries):
    lib = world.librarian_a
    client = signed_in(lib)
    order = orders.create_order(lib, world.school_a, shop.vendor)
    orders.add_line(lib, order, fund=shop.books, title="Bog", quantity=1, unit_price=Decimal("1"))
    few = _fund_page_queries(client, shop.books)
    for n in range(12):  # a ledger of lines, allocations and transfers
        orders.add_line(
            lib, order, fund=shop.books, title=f"Bog {n}", quantity=1, unit_price=Decimal("10")
        )
        funds.allocate(lib, shop.books, Decimal("5"), note=f"Tillæg {n}")
        funds.transfer(lib, shop.books, shop.films, Decimal("1"))
    for n in range(8):
        funds.create_fund(
            lib, world.school_a, code=f"f{n}", name=f"Fond {n}", allocation=Decimal(1)
        )

    assert _fund_page_queries(client, shop.books) == few  # not one more per ledger entry
    with django_assert_max_num_queries(20):
        assert client.get(f"/staff/acquisitions/funds/{shop.books.pk}/").status_code == 200
    with django_assert_max_num_queries(25):
        assert client.get("/staff/acquisitions/").status_code == 200
