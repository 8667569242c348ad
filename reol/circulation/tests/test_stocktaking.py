"""Stocktaking: a session counts a school's (or a location's) copies; the report says what was
not found, what was found in the wrong place and what is on loan; copies not found are marked
missing in bulk through the catalogue's status machine."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation import selectors
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans, stocktaking
from reol.circulation.errors import CirculationError
from reol.circulation.models import HoldState, StocktakeScan
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .conftest import TODAY

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def shelves(library):  # type: ignore[no-untyped-def]
    """Room "Biblioteket" with shelves "Skønlitteratur" and "Faglitteratur"; S1–S3 and AT1 on
    fiction, REF1 on non-fiction, DEV1 nowhere in particular."""
    school = library.school
    room = core.create_location(SYSTEM, school, code="bib", name="Biblioteket", kind="room")
    fiction = core.create_location(SYSTEM, school, code="skon", name="Skønlitteratur", parent=room)
    facts = core.create_location(SYSTEM, school, code="fag", name="Faglitteratur", parent=room)
    Item.objects.filter(barcode__in=["S1", "S2", "S3", "AT1"]).update(location=fiction)
    Item.objects.filter(barcode="REF1").update(location=facts)
    return room, fiction, facts


def barcodes(items) -> set[str]:  # type: ignore[no-untyped-def]
    return {i.barcode if hasattr(i, "barcode") else i.item.barcode for i in items}


def test_a_count_finds_missing_misplaced_and_on_loan_copies(library, shelves):
    w = library.world
    room, fiction, facts = shelves
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S3", today=TODAY)
    session = stocktaking.open_stocktake(w.librarian_a, library.school, location=room)
    stocktaking.record_scan(w.librarian_a, session, "S1", location=fiction)
    stocktaking.record_scan(w.volunteer_a, session, "REF1", location=fiction)  # moved!
    again = stocktaking.record_scan(w.librarian_a, session, "s1", location=facts)
    assert not again.created and again.scan.location == fiction  # counted once, where first
    report = selectors.stocktake_report(session)
    assert report.scope == 5 and report.scanned == 2  # DEV1 has no location: not in the room
    assert barcodes(report.missing) == {"S2", "AT1"}
    assert barcodes(report.misplaced) == {"REF1"}
    assert barcodes(report.on_loan) == {"S3"}
    assert AuditEvent.objects.filter(action="stocktake.scan").count() == 2


def test_scans_of_unknown_or_foreign_copies_are_clear_errors(library, shelves):
    w = library.world
    session = stocktaking.open_stocktake(w.librarian_a, library.school)
    with pytest.raises(CirculationError) as info:
        stocktaking.record_scan(w.librarian_a, session, "NO-SUCH")
    assert info.value.code == "unknown_item" and "NO-SUCH" in info.value.message
    # A copy of the other school found on our shelf: counted, and in the wrong place.
    stocktaking.record_scan(w.librarian_a, session, "SB1")
    assert barcodes(selectors.stocktake_report(session).misplaced) == {"SB1"}
    with pytest.raises(PermissionDenied):
        stocktaking.record_scan(w.librarian_b, session, "S1")
    with pytest.raises(CirculationError) as info:
        stocktaking.open_stocktake(w.librarian_a, library.school, location=999999)
    assert info.value.code == "unknown_location"


def test_each_scan_says_at_once_what_to_do_with_a_copy_out_of_place(library, shelves):
    """The person with the scanner puts a copy aside there and then, not after the report."""
    w = library.world
    room, fiction, facts = shelves
    loans.checkout(w.librarian_a, library.school, "laerer-a", "S3", today=TODAY)
    session = stocktaking.open_stocktake(w.librarian_a, library.school, location=room)

    def warning(barcode: str, location=fiction) -> str:  # type: ignore[no-untyped-def]
        return stocktaking.record_scan(w.librarian_a, session, barcode, location=location).warning

    assert warning("S1") == ""
    assert warning("SB1") == f"It belongs to {w.school_b.name}: put it aside to send back."
    assert warning("S3") == "The system has it as “on loan”: take it to the desk."
    assert warning("REF1") == "It belongs in Faglitteratur."
    assert warning("AT1", location=room) == ""  # the room holds the fiction shelf
    url = f"/staff/desk/stocktaking/{session.pk}/"
    answer = signed_in(w.librarian_a).post(url, {"scan": "S2", "location": facts.pk}, **HX)
    answer = answer.content.decode()
    assert 'data-level="notice"' in answer and "It belongs in Skønlitteratur." in answer


def test_a_session_survives_and_closes(library, shelves):
    w = library.world
    session = stocktaking.open_stocktake(w.librarian_a, library.school, name="Juni")
    stocktaking.record_scan(w.librarian_a, session, "S1")
    # The phone died; tomorrow the session is still there and scanning goes on.
    stocktaking.record_scan(w.librarian_a, session.pk, "S2")
    assert StocktakeScan.objects.filter(session=session).count() == 2
    stocktaking.close_stocktake(w.librarian_a, session)
    with pytest.raises(CirculationError) as info:
        stocktaking.record_scan(w.librarian_a, session, "S3")
    assert info.value.code == "stocktake_closed"


def test_mark_missing_in_bulk_follows_the_status_machine(library, shelves):
    w = library.world
    # AT1 waits on the hold shelf for a student; it is not found.
    loans.checkout(w.librarian_a, library.school, "laerer-a", "AT1", today=TODAY)
    hold = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    loans.checkin(w.librarian_a, library.school, "AT1", today=TODAY)
    catalog.change_item_status(SYSTEM, library.item("DEV1"), ItemStatus.LOST)
    session = stocktaking.open_stocktake(w.librarian_a, library.school)
    for code in ("S1", "S2", "REF1"):
        stocktaking.record_scan(w.librarian_a, session, code)
    with pytest.raises(PermissionDenied):  # the desk volunteer counts but does not catalogue
        stocktaking.mark_missing(w.volunteer_a, session)
    # Only copies the report lists are changed, whatever is sent (S1 was found).
    changed = stocktaking.mark_missing(
        w.librarian_a, session, [library.item("S3").pk, library.item("S1").pk]
    )
    assert barcodes(changed) == {"S3"}
    changed = stocktaking.mark_missing(w.librarian_a, session)  # the rest of them
    assert barcodes(changed) == {"AT1"}  # lost DEV1 cannot become missing; S3 already is
    assert library.item("AT1").status == ItemStatus.MISSING
    assert library.item("DEV1").status == ItemStatus.LOST
    hold.refresh_from_db()
    assert hold.state == HoldState.WAITING and hold.item is None  # back in the queue
    events = AuditEvent.objects.filter(action="stocktake.missing")
    assert {e.details["item"] for e in events} == {"S3", "AT1"}
    # Found again at the desk: back on the shelf.
    assert loans.checkin(w.librarian_a, library.school, "S3", today=TODAY).found


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_pages_open_scan_and_report(library, shelves, django_assert_max_num_queries):
    w = library.world
    room, fiction, _facts = shelves
    client = signed_in(w.librarian_a)
    assert client.get("/staff/desk/stocktaking/").status_code == 200
    r = client.post("/staff/desk/stocktaking/", {"location": room.pk, "name": "Juni 2027"})
    url = r["Location"]
    assert r.status_code == 302 and url.startswith("/staff/desk/stocktaking/")
    page = client.get(url).content.decode()
    assert 'id="scan"' in page and "0 copies counted" in page
    html = client.post(url, {"scan": "S1", "location": fiction.pk}, **HX).content.decode()
    assert "1 copy counted" in html and "Counted “Rejsen til Saturn” (S1)." in html
    html = client.post(url, {"scan": "S1", "location": fiction.pk}, **HX).content.decode()
    assert "was counted already" in html and "1 copy counted" in html
    html = client.post(url, {"scan": "ZZZ", "location": fiction.pk}, **HX).content.decode()
    assert 'role="alert"' in html and "No copy has the barcode ZZZ." in html
    client.post(url, {"scan": "REF1", "location": fiction.pk}, **HX)
    for code in ("S2", "S3"):
        client.post(url, {"scan": code, "location": fiction.pk}, **HX)
    with django_assert_max_num_queries(25):
        client.post(url, {"scan": "AT1", "location": fiction.pk}, **HX)
    report_url = url + "report/"
    with django_assert_max_num_queries(25):
        html = client.get(report_url).content.decode()
    assert "In the wrong place" in html and "REF1" in html
    # Volunteers count but do not mark missing; another school's session is not found.
    assert signed_in(w.volunteer_a).get(url).status_code == 200
    assert signed_in(w.volunteer_a).post(report_url, {"which": "all"}).status_code == 403
    assert signed_in(w.librarian_b).get(report_url).status_code == 404
    client.post(url, {"action": "close"})
    assert "This session is closed." in client.get(url).content.decode()


def test_report_marks_the_chosen_copies_missing(library, shelves):
    w = library.world
    client = signed_in(w.librarian_a)
    session = stocktaking.open_stocktake(w.librarian_a, library.school)
    stocktaking.record_scan(w.librarian_a, session, "S1")
    report_url = f"/staff/desk/stocktaking/{session.pk}/report/"
    html = client.get(report_url).content.decode()
    assert "Mark all 5 copies missing" in html  # S2, S3, AT1, REF1, DEV1
    client.post(report_url, {"which": "chosen", "item": [library.item("S2").pk]})
    assert library.item("S2").status == ItemStatus.MISSING
    assert library.item("S3").status == ItemStatus.AVAILABLE
    r = client.post(report_url, {"which": "all"}, follow=True)
    assert "4 copies are now registered as missing." in r.content.decode()


def test_the_report_lists_copies_not_found_in_shelf_order_prints_and_exports(library, shelves):
    """Shelf order (place, shelf mark, title), not barcode order; a CSV of the same; the title
    names the school, not its code."""
    w = library.world
    room, fiction, _facts = shelves
    Item.objects.filter(barcode="S1").update(shelf_mark="99.1 Zed")
    Item.objects.filter(barcode="S2").update(shelf_mark="10 Abe")
    Item.objects.filter(barcode="AT1").update(shelf_mark="50 Mid")
    Item.objects.filter(barcode="S3").update(shelf_mark="")
    Item.objects.filter(barcode="S3").update(location=fiction)
    session = stocktaking.open_stocktake(w.librarian_a, library.school, location=room)
    stocktaking.record_scan(w.librarian_a, session, "REF1", location=room)
    report = selectors.stocktake_report(session)
    ordered = [i.barcode for i in report.missing]
    shelf = {i.barcode: i.effective_shelf_mark.lower() for i in report.missing}
    assert ordered == sorted(ordered, key=lambda b: shelf[b]), ordered
    assert ordered.index("S2") < ordered.index("AT1") < ordered.index("S1")
    client = signed_in(w.librarian_a)
    html = client.get(f"/staff/desk/stocktaking/{session.pk}/report/").content.decode()
    assert "Stocktaking report: Nordskolen," in html and "nord " not in html
    assert "data-print-page" in html and "report.csv" in html
    response = client.get(f"/staff/desk/stocktaking/{session.pk}/report.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "Location,Shelf mark,Title,Barcode,Status"
    assert [row.split(",")[3] for row in rows[1:]] == ordered
    assert (
        signed_in(w.librarian_b).get(f"/staff/desk/stocktaking/{session.pk}/report.csv").status_code
        == 404
    )
