"""The issue's "Done when" path through the actions: a student suggests, the librarian orders
three titles, receives two from a shelf-ready MARC file with barcodes in 949 (copies made, the
student's hold placed), claims the third, enters an invoice with a price difference, and the
report and the fund agree to the øre. And school A's librarian cannot reach school B's funds."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pymarc
import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pymarc import Field, Indicators, Subfield

from reol.acquisitions import selectors
from reol.acquisitions.actions import funds, invoices, orders, receiving, suggestions
from reol.acquisitions.errors import AcquisitionError
from reol.acquisitions.models import SuggestionState
from reol.catalog.models import Item
from reol.circulation.models import Hold

pytestmark = pytest.mark.django_db

ISBNS = ["9788702284294", "9780306406157", "9788711439463"]


def shelf_ready(entries: list[tuple[str, str, list[str]]]) -> bytes:
    """An ISO 2709 file as a vendor sends it: a record per title, a 949 per copy."""
    out = io.BytesIO()
    writer = pymarc.MARCWriter(out)
    for isbn, title, barcodes in entries:
        record = pymarc.Record(to_unicode=True, force_utf8=True, leader="     nam a22     4i 4500")
        record.add_field(Field(tag="001", data=f"v{isbn}"))
        record.add_field(Field(tag="003", data="VENDOR"))
        record.add_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
        record.add_field(
            Field(tag="245", indicators=Indicators("0", "0"), subfields=[Subfield("a", title)])
        )
        record.add_field(
            Field(tag="650", indicators=Indicators(" ", "0"), subfields=[Subfield("a", "Danish")])
        )
        for code in barcodes:
            record.add_field(
                Field(
                    tag="949",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", "86"), Subfield("i", code), Subfield("p", "199.95")],
                )
            )
        writer.write(record)
    return out.getvalue()


def test_suggest_order_receive_claim_invoice(
    shop, world, mailoutbox, django_capture_on_commit_callbacks
):
    lib = world.librarian_a
    wish = suggestions.suggest(world.student_a1, world.school_a, isbn=ISBNS[0], title="Ønskebogen")
    order = orders.create_order(lib, world.school_a, shop.vendor)
    lines = [
        orders.add_line(
            lib,
            order,
            fund=shop.books,
            isbn=isbn,
            title=title,
            quantity=1,
            unit_price=Decimal("199.95"),
            suggestion=wish if i == 0 else None,
        )
        for i, (isbn, title) in enumerate(
            zip(ISBNS, ["Ønskebogen", "Bog to", "Bog tre"], strict=True)
        )
    ]
    shop.books.refresh_from_db()
    assert shop.books.committed == Decimal("599.85")
    assert shop.books.available == Decimal("9400.15")
    orders.send_order(lib, order)
    file = shelf_ready([(ISBNS[0], "Ønskebogen", ["NY0001"]), (ISBNS[1], "Bog to", ["NY0002"])])
    arrival = receiving.receive_marc_file(lib, order, io.BytesIO(file))
    assert sorted(i.barcode for i in arrival.items) == ["NY0001", "NY0002"]
    assert Item.objects.get(barcode="NY0001").record.title == "Ønskebogen"
    wish.refresh_from_db()
    assert wish.state == SuggestionState.ARRIVED
    assert Hold.objects.filter(patron=world.student_a1, record__title="Ønskebogen").exists()
    with pytest.raises(AcquisitionError):  # the same file again receives nothing twice
        receiving.receive_marc_file(lib, order, io.BytesIO(file))
    with django_capture_on_commit_callbacks(execute=True):
        orders.claim_line(lib, lines[2])
    assert any("Claim" in m.subject for m in mailoutbox)
    invoices.enter_invoice(
        lib,
        world.school_a,
        shop.vendor,
        number="F-1",
        invoice_date=dt.date(2026, 12, 1),
        charges=[
            invoices.Charge(lines[0], 1, Decimal("199.95")),
            invoices.Charge(lines[1], 1, Decimal("189.50")),
        ],
    )
    shop.books.refresh_from_db()
    assert shop.books.spent == Decimal("389.45")
    assert shop.books.committed == Decimal("199.95")  # the third, still to come
    assert shop.books.available == Decimal("9410.60")
    report = selectors.expenditure(lib, by="fund", school=world.school_a)
    assert report == [
        {"group": "Bøger", "currency": "DKK", "amount": Decimal("389.45"), "copies": 2}
    ]
    assert shop.books.allocated - shop.books.available - shop.books.committed == report[0]["amount"]
    new = selectors.arrivals(
        world.school_a, timezone.localdate() - dt.timedelta(days=7), subject="danish"
    )
    assert {r["record"].title for r in new} == {"Ønskebogen", "Bog to"}


def test_an_order_line_never_spends_past_the_balance(shop, world):
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    with pytest.raises(AcquisitionError) as refused:
        orders.add_line(
            world.librarian_a,
            order,
            fund=shop.films,
            title="Dyr",
            quantity=2,
            unit_price=Decimal("250.01"),
        )
    assert refused.value.code == "over_budget"
    line = orders.add_line(
        world.librarian_a,
        order,
        fund=shop.films,
        title="Dyr",
        quantity=2,
        unit_price=Decimal("250.01"),
        override=True,
    )
    shop.films.refresh_from_db()
    assert shop.films.available == Decimal("-0.02") and shop.films.overdraft == Decimal("0.02")
    from reol.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="fund.override", object_id=str(shop.films.pk)).exists()
    orders.cancel_line(world.librarian_a, line)
    shop.films.refresh_from_db()
    assert shop.films.committed == 0


def test_school_a_cannot_see_or_spend_school_b_funds(shop, world):
    lib = world.librarian_a
    assert shop.fund_b not in selectors.funds(lib, world.school_b)
    assert list(selectors.funds(lib, world.school_a)) == [shop.books, shop.films]
    with pytest.raises(PermissionDenied):
        funds.allocate(lib, shop.fund_b, Decimal("1"))
    order = orders.create_order(lib, world.school_a, shop.vendor)
    with pytest.raises(AcquisitionError) as refused:
        orders.add_line(
            lib, order, fund=shop.fund_b, title="X", quantity=1, unit_price=Decimal("1")
        )
    assert refused.value.code == "other_school"
    with pytest.raises(AcquisitionError):
        funds.transfer(world.librarian_a, shop.books, shop.fund_b, Decimal("1"))
    assert selectors.expenditure(world.librarian_b, by="fund") == []


def test_roll_over_carries_the_unspent_balance(shop, world):
    nxt = funds.roll_over(world.librarian_a, shop.films)
    shop.films.refresh_from_db()
    assert shop.films.available == 0 and nxt.available == Decimal("500.00")
    assert nxt.school_year != shop.films.school_year


def test_the_digest_for_danish_grade_5_mails_the_arrivals_once(
    shop, world, mailoutbox, django_capture_on_commit_callbacks
):
    from reol.acquisitions.actions import digest
    from reol.core.permissions import SYSTEM
    from reol.core.services import create_person

    teacher = create_person(
        SYSTEM,
        world.school_a,
        username="laerer-dk",
        role="teacher",
        password="x-Correct-42",
        first_name="Dorte",
        email="dorte@example.org",
    )
    digest.subscribe(teacher, world.school_a, subject="Danish", grade=5)
    other = create_person(
        SYSTEM,
        world.school_a,
        username="laerer-ma",
        role="teacher",
        password="x-Correct-42",
        first_name="Mads",
        email="mads@example.org",
    )
    digest.subscribe(other, world.school_a, subject="matematik")  # nothing new: no mail
    lib = world.librarian_a
    order = orders.create_order(lib, world.school_a, shop.vendor)
    for isbn in ISBNS[:2]:
        orders.add_line(
            lib, order, fund=shop.books, isbn=isbn, title=isbn, quantity=1, unit_price=Decimal("10")
        )
    orders.send_order(lib, order, by_email=False)
    file = shelf_ready([(ISBNS[0], "Ønskebogen", ["NY0001"]), (ISBNS[1], "Bog to", ["NY0002"])])
    receiving.receive_marc_file(lib, order, io.BytesIO(file))
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_digests() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_digests() == 0  # a week has not passed
    [mail] = mailoutbox
    assert mail.to == ["dorte@example.org"]
    assert "Ønskebogen" in mail.body and "Bog to" in mail.body
