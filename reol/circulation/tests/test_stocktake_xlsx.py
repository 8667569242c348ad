"""The stocktaking report as XLSX: read back with openpyxl, it holds the report page's numbers
and its lists in the page's order; a title that looks like a formula stays text; another
school's librarian gets no file."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from conftest import PASSWORD
from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation import selectors
from reol.circulation.actions import loans, stocktaking
from reol.core import services as core
from reol.core.permissions import SYSTEM

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_workbook_holds_the_reports_numbers_and_lists(library):
    w = library.world
    school = library.school
    room = core.create_location(SYSTEM, school, code="bib", name="Biblioteket", kind="room")
    corner = core.create_location(SYSTEM, school, code="krog", name="Krogen", kind="room")
    Item.objects.filter(barcode__in=["S1", "S2", "S3", "AT1", "REF1"]).update(location=room)
    Item.objects.filter(barcode="S2").update(shelf_mark="10 Abe")
    Item.objects.filter(barcode="S3").update(shelf_mark="99 Zed")
    Record.objects.filter(pk=library.atlas.pk).update(title='=HYPERLINK("http://x","y")')
    loans.checkout(w.librarian_a, school, "A0001", "S1", today=TODAY)
    session = stocktaking.open_stocktake(w.librarian_a, school, location=room)
    stocktaking.record_scan(w.librarian_a, session, "REF1", location=corner)  # wrong place
    stocktaking.record_scan(w.librarian_a, session, "S1", location=room)  # "on loan", found
    report = selectors.stocktake_report(session)

    response = _client(w.librarian_a).get(f"/staff/desk/stocktaking/{session.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Overview", "Not found", "In the wrong place", "On loan"]
    numbers = {row[0]: row[1] for row in book["Overview"].iter_rows(min_row=2, values_only=True)}
    assert numbers == {
        "Copies to count": report.scope,
        "Copies counted": report.scanned,
        "Not found": report.missing.count(),
        "In the wrong place": len(report.misplaced),
        "On loan": report.on_loan.count(),
        "Found, but registered elsewhere": len(report.registered_away),
    }
    assert numbers["Copies counted"] == 2 and numbers["In the wrong place"] == 1
    assert numbers["Not found"] == 3  # S2, S3, AT1
    missing = list(book["Not found"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in missing] == [i.barcode for i in report.missing]
    assert {row[3] for row in missing} == {"S2", "S3", "AT1"}
    atlas = next(row for row in missing if row[3] == "AT1")
    assert atlas[2] == '=HYPERLINK("http://x","y")'  # text, not a formula
    cell = next(c for c in book["Not found"]["C"] if c.value == atlas[2])
    assert cell.data_type == "s"
    wrong = list(book["In the wrong place"].iter_rows(min_row=2, values_only=True))
    assert wrong == [("REF1", '=HYPERLINK("http://x","y")', "Biblioteket", "Krogen")]
    assert library.item("S1").status == ItemStatus.ON_LOAN


def test_another_schools_librarian_gets_no_workbook(library):
    session = stocktaking.open_stocktake(library.world.librarian_a, library.school)
    response = _client(library.world.librarian_b).get(
        f"/staff/desk/stocktaking/{session.pk}/report.xlsx"
    )
    assert response.status_code == 404
