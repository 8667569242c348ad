"""The desk in a real browser, by keyboard (a scanner types and presses Enter): a student's
card, two copies lent, one returned; the focus never leaves the scan field; a refusal is
explained; and the circulation pages pass axe-core in three languages.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.catalog.tests.helpers import book
from reol.circulation.models import Loan
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _copies(world) -> None:  # type: ignore[no-untyped-def]
    saturn = catalog.create_record(SYSTEM, world.municipality, book("Rejsen til Saturn"))
    catalog.add_items(SYSTEM, saturn, world.school_a, barcodes=["S1", "S2"])
    atlas = catalog.create_record(SYSTEM, world.municipality, book("Atlas over Åerne"))
    catalog.add_items(
        SYSTEM, atlas, world.school_a, barcodes=["REF1"], circulation_type="reference"
    )


def _scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def _focus_is_on_scan(page) -> bool:  # type: ignore[no-untyped-def]
    expect(page.locator("#scan")).to_be_focused()
    return True


def test_lend_two_copies_to_a_student_and_return_one_by_keyboard(world, page):
    _copies(world)
    sign_in(page, "bib-a", PASSWORD)
    page.get_by_role("link", name="Desk").click()
    expect(page.locator("#scan")).to_be_focused()
    answer = page.locator("#desk-message")

    _scan(page, "A0001")
    answer.get_by_text("Lending to Elev-A1 Test.").wait_for()
    assert page.get_by_role("heading", name="Elev-A1 Test").is_visible()
    # Two copies, scanned as fast as a scanner fires: the second waits for the first.
    _scan(page, "S1")
    _scan(page, "S2")
    page.get_by_role("heading", name="2 loans").wait_for()
    assert Loan.objects.filter(patron=world.student_a1, returned_at__isnull=True).count() == 2
    assert _focus_is_on_scan(page)

    _scan(page, "REF1")  # a refusal is explained, as an alert
    alert = answer.get_by_role("alert")
    alert.get_by_text("is reference only: not for loan to a student").wait_for()
    assert _focus_is_on_scan(page)

    page.keyboard.press("Escape")  # finish the patron
    answer.get_by_text("Ready for the next patron.").wait_for()
    _scan(page, "S1")  # no patron: the copy is returned
    answer.get_by_text("Returned “Rejsen til Saturn”.").wait_for()
    assert Item.objects.get(barcode="S1").status == ItemStatus.AVAILABLE
    assert Item.objects.get(barcode="S2").status == ItemStatus.ON_LOAN
    assert _focus_is_on_scan(page)


def test_renew_button_keeps_the_focus_in_the_scan_field(world, page):
    _copies(world)
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/desk/")
    _scan(page, "laerer-a")
    page.locator("#desk-message").get_by_text("Lending to").wait_for()
    _scan(page, "S1")
    page.get_by_role("heading", name="1 loan").wait_for()
    page.get_by_role("button", name="Renew Rejsen til Saturn").click()
    page.locator("#desk-message").get_by_role("alert").wait_for()  # same day: no later date
    assert _focus_is_on_scan(page)


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_circulation_pages_pass_axe(world, page, language):
    _copies(world)
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    page.locator("#id_username").fill("bib-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    axe = Axe()
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious

    page.goto("/staff/desk/")
    check("desk")
    _scan(page, "A0001")
    page.locator("#desk-message .desk-answer").wait_for()
    _scan(page, "S1")
    page.locator("#desk-panel table").wait_for()
    _scan(page, "REF1")
    page.locator("#desk-message [role=alert]").wait_for()
    check("desk with a patron, a loan and a refusal")
    for path in [
        "/staff/desk/hold-shelf/",
        "/staff/desk/rules/",
        "/staff/desk/rules/?patron_category=student&grade=5&circulation_type=normal&day=2027-06-01",
        "/staff/desk/rules/new/",
    ]:
        page.goto(path)
        check(path)
    assert found == {}
    assert problems == []
