"""The desk tells the whole truth at once: a patron who may not borrow is flagged when the card
is scanned; holds placed for a patron from the desk and from the record page; who has each copy
(to desk staff only); a hold cancelled only after a confirmation; hold-shelf and transit slips
as label-sized PDF; the queue position on "My loans"."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import ItemStatus
from reol.catalog.tests.helpers import book
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.models import Hold, HoldState
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def desk(client: Client, code: str, patron: object = "", action: str = "") -> str:
    data = {"scan": code, "patron": getattr(patron, "pk", patron), "action": action}
    return client.post("/staff/desk/", data, **HX).content.decode()


def _patron_row(library, **changes):  # type: ignore[no-untyped-def]
    w = library.world
    row = patrons.create_patron(SYSTEM, library.school, category="student", user=w.student_a1)
    if changes:
        patrons.update_patron(SYSTEM, row, **changes)
    return row


def _error(html: str) -> str:
    found = re.search(r'data-level="error"[^>]*>\s*<p>([^<]*)', html)
    return found.group(1) if found else ""


def test_a_blocked_patron_is_flagged_when_the_card_is_scanned(library):
    row = _patron_row(library)
    patrons.add_block(library.world.librarian_a, row, reason="lost", note="Atlas")
    html = desk(signed_in(library.world.librarian_a), "A0001")
    assert "may not borrow: blocked" in _error(html)
    assert 'id="patron-name"' in html  # selected all the same: the librarian sees the loans


def test_an_expired_card_is_flagged_when_scanned(library):
    _patron_row(library, valid_until=timezone.localdate() - dt.timedelta(days=1))
    html = desk(signed_in(library.world.librarian_a), "A0001")
    assert "the card expired on" in _error(html)


def test_a_patron_who_left_the_school_is_flagged_when_scanned(library):
    _patron_row(library, active=False)
    html = desk(signed_in(library.world.librarian_a), "A0001")
    assert "no longer a patron at Nordskolen" in _error(html)


def test_a_patron_in_good_standing_is_greeted_in_green(library):
    html = desk(signed_in(library.world.librarian_a), "A0001")
    assert "Lending to Elev-A1 Test." in html and _error(html) == ""


def test_a_hold_placed_from_the_desk(library):
    w = library.world
    loan_actions.checkout(w.librarian_a, library.school, "laerer-a", "AT1")
    html = desk(signed_in(w.librarian_a), "AT1", w.student_a1, "hold")
    assert "Elev-A1 Test is in the queue for “Atlas”." in html
    hold = Hold.objects.get(patron=w.student_a1)
    assert hold.record == library.atlas and hold.state == HoldState.WAITING
    assert "waiting, number 1 in the queue" in html  # the panel lists it
    no_patron = html_lib.unescape(desk(signed_in(w.librarian_a), "AT1", "", "hold"))
    assert "Scan the patron's card first" in no_patron


def test_the_record_page_says_who_has_each_copy_to_desk_staff_only(library):
    w = library.world
    loan = loan_actions.checkout(w.librarian_a, library.school, "A0001", "S1").loan
    url = f"/staff/catalogue/records/{library.saturn.pk}/"
    html = signed_in(w.librarian_a).get(url).content.decode()
    assert "Loans and holds at this school" in html
    assert "Elev-A1 Test" in html and "A0001" in html
    assert loan.due_date.strftime("%Y") in html
    teacher = signed_in(w.teacher_a).get(url)
    assert teacher.status_code == 200
    assert "Elev-A1 Test" not in teacher.content.decode()


def test_a_hold_placed_from_the_record_page(library):
    w = library.world
    for code in ("S1", "S2", "S3"):
        loan_actions.checkout(w.librarian_a, library.school, "laerer-a", code)
    client = signed_in(w.librarian_a)
    r = client.post(f"/staff/desk/records/{library.saturn.pk}/hold/", {"patron": "A0002"})
    assert r.status_code == 302
    assert Hold.objects.filter(patron=w.student_a2, record=library.saturn).count() == 1
    page = client.get(r["Location"]).content.decode()
    assert "Elev-A2 Test is in the queue for “Rejsen til Saturn”." in page
    r = client.post(f"/staff/desk/records/{library.saturn.pk}/hold/", {"patron": "A0002"})
    page = client.get(r["Location"]).content.decode()
    assert "already has a hold" in page
    assert Hold.objects.filter(patron=w.student_a2).count() == 1


def _ready_hold(library):  # type: ignore[no-untyped-def]
    w = library.world
    loan_actions.checkout(w.librarian_a, library.school, "laerer-a", "AT1")
    hold = hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    loan_actions.checkin(w.librarian_a, library.school, "AT1")
    hold.refresh_from_db()
    assert hold.state == HoldState.READY
    return hold


def test_a_hold_is_cancelled_only_after_a_confirmation(library):
    hold = _ready_hold(library)
    client = signed_in(library.world.librarian_a)
    shelf = client.get("/staff/desk/hold-shelf/").content.decode()
    assert f"/staff/desk/holds/{hold.pk}/cancel/" in shelf
    page = client.get(f"/staff/desk/holds/{hold.pk}/cancel/").content.decode()
    assert "Cancel the hold of Elev-A1 Test on “Atlas”?" in page
    hold.refresh_from_db()
    assert hold.state == HoldState.READY  # asking changed nothing
    r = client.post(f"/staff/desk/holds/{hold.pk}/cancel/", {"next": "https://evil.example/"})
    assert r["Location"] == "/staff/desk/hold-shelf/"  # only a page of this site
    hold.refresh_from_db()
    assert hold.state == HoldState.CANCELLED
    assert library.item("AT1").status == ItemStatus.AVAILABLE
    other = signed_in(library.world.librarian_b)
    assert other.get(f"/staff/desk/holds/{hold.pk}/cancel/").status_code == 404


def _media_box(pdf: bytes) -> tuple[float, float]:
    found = re.search(rb"/MediaBox \[ ?0 0 ([\d.]+) ([\d.]+) ?\]", pdf)
    assert found is not None
    return float(found.group(1)), float(found.group(2))


MM = 72 / 25.4


def test_hold_and_transit_slips_print_at_label_sizes(library):
    hold = _ready_hold(library)
    client = signed_in(library.world.librarian_a)
    r = client.get(f"/staff/desk/holds/{hold.pk}/slip.pdf")
    assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF")
    assert _media_box(r.content) == pytest.approx((62 * MM, 100 * MM), abs=0.01)
    r = client.get(f"/staff/desk/holds/{hold.pk}/slip.pdf?size=102x152")
    assert _media_box(r.content) == pytest.approx((102 * MM, 152 * MM), abs=0.01)
    # A copy of school B returned at school A: the desk offers the transit slip.
    w = library.world
    loan_actions.checkout(w.librarian_b, w.school_b, "B0001", "SB1")
    html = desk(client, "SB1")
    assert "/staff/desk/transit/SB1/slip.pdf" in html
    r = client.get("/staff/desk/transit/SB1/slip.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert signed_in(w.teacher_a).get("/staff/desk/transit/SB1/slip.pdf").status_code == 403


def test_my_loans_shows_the_place_in_the_queue(library):
    w = library.world
    for code in ("S1", "S2", "S3"):
        loan_actions.checkout(w.librarian_a, library.school, "laerer-a", code)
    hold_actions.place_hold(w.librarian_a, library.school, "A0002", record=library.saturn)
    hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=library.saturn)
    other = catalog.create_record(SYSTEM, w.municipality, book("Noget andet", control="x"))
    catalog.add_items(SYSTEM, other, library.school, barcodes=["X1"])
    loan_actions.checkout(w.librarian_a, library.school, "laerer-a", "X1")
    hold_actions.place_hold(w.librarian_a, library.school, "A0001", record=other)
    page = signed_in(w.student_a1).get("/opac/me/").content.decode()
    assert "You are number 2 in the queue at Nordskolen." in page
    assert "You are number 1 in the queue at Nordskolen." in page
    page = signed_in(w.student_a2).get("/opac/me/").content.decode()
    assert "You are number 1 in the queue at Nordskolen." in page
