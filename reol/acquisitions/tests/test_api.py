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
    rows = answer.json()
    assert {r["name"] for r in rows} == {"Bøger", "Film"}
    assert Decimal(str(next(r for r in rows if r["code"] == "books")["available"])) == Decimal(
        "10000.00"
    )
    answer = Client().get("/api/v1/acquisitions/funds", **token_for(world.student_a1))
    assert answer.json() == []


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
        s["title"] for s in Client().get("/api/v1/acquisitions/suggestions", **student).json()
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
    assert (
        Client().get("/api/v1/acquisitions/expenditure", **token_for(world.consultant)).json() == []
    )
