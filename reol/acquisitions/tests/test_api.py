"""The acquisitions API: funds with balances, scoped to the caller's schools; a suggestion
made and seen; receiving a line; the expenditure report's rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from reol.acquisitions.actions import orders

pytestmark = pytest.mark.django_db


def test_funds_are_scoped_and_exact(shop, world, token_for):
    answer = Client().get("/api/v1/acquisitions/funds", **token_for(world.librarian_a))
    assert answer.status_code == 200
    rows = answer.json()["items"]
    assert {r["name"] for r in rows} == {"Bøger", "Film"}
    assert Decimal(str(next(r for r in rows if r["code"] == "books")["available"])) == Decimal(
        "10000.00"
    )
    answer = Client().get("/api/v1/acquisitions/funds", **token_for(world.student_a1))
    assert answer.json()["items"] == []


def test_suggest_and_receive(shop, world, token_for):
    student = token_for(world.student_a1)
    made = Client().post(
        "/api/v1/acquisitions/suggestions",
        {"school": "nord", "title": "Mumitrolden"},
        content_type="application/json",
        **student,
    )
    assert made.status_code == 201 and made.json()["state"] == "received"
    other = Client().post(
        "/api/v1/acquisitions/suggestions",
        {"school": "syd", "title": "X"},
        content_type="application/json",
        **student,
    )
    assert other.status_code == 404
    assert [
        s["title"]
        for s in Client().get("/api/v1/acquisitions/suggestions", **student).json()["items"]
    ] == ["Mumitrolden"]
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    line = orders.add_line(
        world.librarian_a,
        order,
        fund=shop.books,
        title="Mumitrolden",
        quantity=2,
        unit_price=Decimal("100"),
    )
    orders.send_order(world.librarian_a, order, by_email=False)
    url = f"/api/v1/acquisitions/orders/{order.pk}/lines/{line.pk}/receive"
    got = Client().post(
        url, {"barcodes": ["M1"]}, content_type="application/json", **token_for(world.librarian_a)
    )
    assert got.status_code == 201 and got.json() == ["M1"]
    assert (
        Client()
        .post(
            url,
            {"barcodes": ["M2"]},
            content_type="application/json",
            **token_for(world.librarian_b),
        )
        .status_code
        == 404
    )
    read = (
        Client()
        .get(f"/api/v1/acquisitions/orders/{order.pk}", **token_for(world.librarian_a))
        .json()
    )
    assert read["lines"][0]["received"] == 1
    report = Client().get("/api/v1/acquisitions/expenditure", **token_for(world.consultant))
    assert report.json()["items"] == []


def test_an_invoice_through_the_api_charges_the_fund(shop, world, token_for):
    lib = world.librarian_a
    order = orders.create_order(lib, world.school_a, shop.vendor)
    line = orders.add_line(
        lib, order, fund=shop.books, title="Mumitrolden", quantity=2, unit_price=Decimal("100")
    )
    orders.send_order(lib, order, by_email=False)
    from reol.acquisitions.actions import receiving

    receiving.receive(lib, line, ["M1", "M2"])
    body = {
        "vendor": shop.vendor.pk,
        "number": "F-9",
        "invoice_date": "2026-12-01",
        "lines": [{"line": line.pk, "quantity": 2, "unit_price": "95.50"}],
    }
    url = "/api/v1/acquisitions/invoices"
    other = Client().post(
        url, body, content_type="application/json", **token_for(world.librarian_b)
    )
    assert other.status_code == 404
    made = Client().post(url, body, content_type="application/json", **token_for(lib))
    assert made.status_code == 201, made.content
    assert Decimal(str(made.json()["total"])) == Decimal("191.00")
    assert Decimal(str(made.json()["differences"])) == Decimal("-9.00")
    shop.books.refresh_from_db()
    assert shop.books.available == Decimal("9809.00")
    again = Client().post(url, body, content_type="application/json", **token_for(lib))
    assert again.status_code == 409
