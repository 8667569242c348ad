"""The desk at scanner speed, in Chromium, against a server slowed on purpose: every code typed
is sent exactly once, in order, with the patron the card before it selected; the running list
shows each; codes the server could not be reached with wait and go out in order when it can;
a blocked patron is flagged when the card is scanned, before the first copy.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.catalog.tests.helpers import book
from reol.circulation import views
from reol.circulation.models import Loan
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLOW = 0.12  # seconds the server waits before it answers a desk request: slower than typing
CHAR_DELAY = 5  # milliseconds per character, Enter included, no pause between codes


@pytest.fixture
def slow_desk(monkeypatch):  # type: ignore[no-untyped-def]
    """Every desk request takes SLOW seconds longer (the live server runs in this process)."""
    handle = views._handle

    def slowly(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SLOW)
        return handle(*args, **kwargs)

    monkeypatch.setattr(views, "_handle", slowly)


def _copies(world, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` copies of ``n`` different titles (a patron may not borrow one title twice)."""
    codes = []
    for k in range(1, n + 1):
        record = catalog.create_record(SYSTEM, world.municipality, book(f"Bog nummer {k}"))
        catalog.add_items(SYSTEM, record, world.school_a, barcodes=[f"C{k:03}"])
        codes.append(f"C{k:03}")
    return codes


def _open_desk(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/desk/")
    page.wait_for_load_state("load")  # desk.js runs (deferred) before the first code
    expect(page.locator("#scan")).to_be_focused()


def _type_stream(page, codes: list[str]) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type("".join(f"{code}\n" for code in codes), delay=CHAR_DELAY)


def _done_rows(page, n: int) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """Wait for ``n`` answered rows; their cells in the order scanned (the list is newest first)."""
    rows = page.locator("#desk-log tr[data-state=done]")
    expect(rows).to_have_count(n, timeout=90_000)
    expect(page.locator("#desk-log tr:not([data-state=done])")).to_have_count(0)
    cells = rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.textContent))")
    return list(reversed(cells))


def test_three_cards_and_thirty_copies_then_thirty_returns_at_scanner_speed(world, page, slow_desk):
    codes = _copies(world, 30)
    cards = [
        ("A0001", world.student_a1),
        ("A0002", world.student_a2),
        ("laerer-a", world.teacher_a),
    ]
    stream: list[str] = []
    expected: list[tuple[int, str]] = []
    for n, (card, person) in enumerate(cards):
        mine = codes[n * 10 : (n + 1) * 10]
        stream += [card, *mine]
        expected += [(person.pk, code) for code in mine]
    _open_desk(page)

    _type_stream(page, stream)
    rows = _done_rows(page, len(stream))

    loans = list(Loan.objects.order_by("id").values_list("patron_id", "item__barcode"))
    assert loans == expected  # each once, for the right patron, in the order typed
    assert [row[0] for row in rows] == stream
    names = {pk: str(person) for _, person in cards for pk in [person.pk]}
    for row, (pk, code) in zip([r for r in rows if r[0] in codes], expected, strict=True):
        assert row[0] == code
        assert row[2] == names[pk]
        assert row[3].startswith("Lent “Bog nummer")
        assert row[4]  # the due date
    assert page.locator("#desk-log tr.desk-log-error").count() == 0

    # Esc finishes the teacher (in the stream, after the codes before it), then 30 returns.
    page.keyboard.press("Escape")
    _type_stream(page, codes)
    rows = _done_rows(page, len(stream) + 1 + len(codes))
    returned = list(
        Loan.objects.filter(returned_at__isnull=False)
        .order_by("returned_at", "id")
        .values_list("item__barcode", flat=True)
    )
    assert returned == codes
    assert not Loan.objects.filter(returned_at__isnull=True).exists()
    assert set(Item.objects.values_list("status", flat=True)) == {ItemStatus.AVAILABLE}
    returns = rows[-len(codes) :]
    assert [row[0] for row in returns] == codes
    assert all(row[3].startswith("Returned “Bog nummer") for row in returns)
    assert [row[2] for row in returns] == [names[pk] for pk, _ in expected]


def test_codes_the_server_cannot_be_reached_with_wait_and_go_out_in_order(world, page):
    codes = _copies(world, 2)
    _open_desk(page)

    def refuse(route):  # type: ignore[no-untyped-def]
        if route.request.method == "POST":
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/staff/desk/", refuse)
    _type_stream(page, ["A0001", *codes])
    expect(page.locator("#desk-log tr[data-state=unsent]")).to_have_count(3)
    expect(page.locator("#desk-offline")).to_be_visible()
    assert not Loan.objects.exists()  # nothing is said to be done that was not
    assert page.locator("#desk-log tr[data-state=done]").count() == 0

    page.unroute("**/staff/desk/", refuse)
    rows = _done_rows(page, 3)
    assert [row[0] for row in rows] == ["A0001", *codes]
    loans = list(Loan.objects.order_by("id").values_list("patron_id", "item__barcode"))
    assert loans == [(world.student_a1.pk, code) for code in codes]
    expect(page.locator("#desk-offline")).to_be_hidden()


def test_a_scan_whose_answer_was_lost_is_sent_again_and_happens_once(world, page):
    codes = _copies(world, 2)
    _open_desk(page)
    lost: list[int] = []

    def lose_first_answer(route):  # type: ignore[no-untyped-def]
        """The server handles the first checkout; its answer never reaches the page."""
        if (
            route.request.method == "POST"
            and "C001" in (route.request.post_data or "")
            and not lost
        ):
            answered = route.fetch()
            lost.append(answered.status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/staff/desk/", lose_first_answer)
    _type_stream(page, ["A0001", *codes])
    rows = _done_rows(page, 3)
    assert lost == [200]  # the first try reached the server and was done there
    assert [row[0] for row in rows] == ["A0001", *codes]
    assert rows[1][3].startswith("Lent “Bog nummer 1”"), rows[1]  # not "already on loan"
    assert page.locator("#desk-log tr.desk-log-error").count() == 0
    loans = list(Loan.objects.order_by("id").values_list("patron_id", "item__barcode"))
    assert loans == [(world.student_a1.pk, code) for code in codes]


def test_an_error_stays_until_acknowledged_while_green_answers_follow(world, page, slow_desk):
    codes = _copies(world, 3)
    withdrawn = Item.objects.get(barcode=codes[1])
    catalog.change_item_status(SYSTEM, withdrawn, ItemStatus.WITHDRAWN)
    _open_desk(page)
    _type_stream(page, ["A0001", codes[0], codes[1], codes[2]])
    rows = _done_rows(page, 4)
    assert "withdrawn" in rows[2][3], rows[2]
    alert = page.locator("#desk-message").get_by_role("alert")
    expect(alert).to_contain_text("withdrawn")  # not overwritten by the loan after it
    assert Loan.objects.count() == 2
    alert.get_by_role("button", name="Understood").click()
    expect(alert).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()


def test_a_code_that_is_no_card_holds_the_codes_after_it_until_the_librarian_chooses(
    world, page, slow_desk
):
    """The next student's card of another school (or a mistyped one) is no card here: the
    copies scanned after it are not lent to the student before until the librarian says so."""
    codes = _copies(world, 3)
    _open_desk(page)
    _type_stream(page, ["A0001", "NOSUCHCODE", codes[0], codes[1]])
    expect(page.locator("#desk-log tr[data-state=done]")).to_have_count(2)
    waiting = page.locator("#desk-log tr[data-state=waiting]")
    expect(waiting).to_have_count(2)
    alert = page.locator("#desk-message").get_by_role("alert")
    expect(alert).to_contain_text("No card and no copy has the code NOSUCHCODE.")
    expect(alert).to_contain_text("Elev-A1 Test")
    time.sleep(3 * SLOW)
    assert not Loan.objects.exists()  # nothing went out while the choice is open
    alert.get_by_role("button", name="Drop the waiting codes").click()
    expect(page.locator("#desk-log tr[data-state=dropped]")).to_have_count(2)
    expect(alert).to_have_count(0)
    expect(page.locator("#scan")).to_be_focused()
    assert not Loan.objects.exists()

    _type_stream(page, ["NOSUCHCODE", codes[2]])
    expect(page.locator("#desk-log tr[data-state=waiting]")).to_have_count(1)
    alert.get_by_role("button", name="Lend the waiting codes to this patron").click()
    expect(page.locator("#desk-log tr[data-state=done]")).to_have_count(4)
    loans = list(Loan.objects.values_list("patron_id", "item__barcode"))
    assert loans == [(world.student_a1.pk, codes[2])]

    _type_stream(page, ["NOSUCHCODE", codes[0]])  # Esc drops: nothing is lent unchosen
    expect(page.locator("#desk-log tr[data-state=waiting]")).to_have_count(1)
    expect(alert).to_contain_text("NOSUCHCODE")
    page.keyboard.press("Escape")
    expect(page.locator("#desk-log tr[data-state=dropped]")).to_have_count(3)
    assert Loan.objects.count() == 1


def test_a_blocked_patron_is_flagged_when_the_card_is_scanned(world, page):
    patron = patrons.create_patron(
        SYSTEM, world.school_a, category="student", user=world.student_a2
    )
    patrons.add_block(world.librarian_a, patron, reason="lost", note="Atlas")
    _open_desk(page)
    _type_stream(page, ["A0002"])
    alert = page.locator("#desk-message").get_by_role("alert")
    expect(alert).to_contain_text("may not borrow: blocked")
    assert page.get_by_role("heading", name="Elev-A2 Test").is_visible()


def test_space_presses_a_focused_button_and_esc_outside_the_field_keeps_the_patron(world, page):
    _copies(world, 1)
    _open_desk(page)
    _type_stream(page, ["A0001"])
    page.get_by_role("heading", name="Elev-A1 Test").wait_for()
    page.get_by_role("button", name="E-mail receipt").focus()
    page.keyboard.press("Escape")  # not in the scan field: the patron stays
    page.keyboard.press(" ")  # presses the focused button, types nothing into the scan field
    _done_rows(page, 2)
    expect(page.locator("#desk-message .desk-answer")).to_have_count(1)
    assert page.locator("#scan").input_value() == ""
    assert page.get_by_role("heading", name="Elev-A1 Test").is_visible()


def test_the_scan_button_stays_on_a_320_px_screen(world, browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        _open_desk(page)
        box = page.get_by_role("button", name="Go").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320
        # Nothing of the desk's own reaches past the screen (the site header is not the desk's).
        beyond = page.locator("#desk-form *, #desk-form").evaluate_all(
            "els => els.filter(e => e.getBoundingClientRect().right > 320).map(e => e.outerHTML)"
        )
        assert beyond == []
        # The choice after a code that is no card stays on the screen too.
        _type_stream(page, ["A0001", "NOSUCHCODE"])
        alert = page.locator("#desk-message").get_by_role("alert")
        for name in ("Lend the waiting codes to this patron", "Drop the waiting codes"):
            box = alert.get_by_role("button", name=name).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, name
    finally:
        context.close()
