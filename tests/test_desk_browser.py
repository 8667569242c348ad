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
from reol.core import services as core
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _copies(world) -> None:  # type: ignore[no-untyped-def]
    saturn = catalog.create_record(SYSTEM, world.municipality, book("Rejsen til Saturn"))
    catalog.add_items(SYSTEM, saturn, world.school_a, barcodes=["S1", "S2"])
    moon = catalog.create_record(SYSTEM, world.municipality, book("Månens hemmelighed"))
    catalog.add_items(SYSTEM, moon, world.school_a, barcodes=["M1"])
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
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Desk").click()
    expect(page.locator("#scan")).to_be_focused()
    answer = page.locator("#desk-message")

    _scan(page, "A0001")
    answer.get_by_text("Lending to Elev-A1 Test.").wait_for()
    assert page.get_by_role("heading", name="Elev-A1 Test").is_visible()
    # Two copies, scanned as fast as a scanner fires: the second waits for the first.
    _scan(page, "S1")
    _scan(page, "M1")
    page.get_by_role("heading", name="2 loans").wait_for()
    assert Loan.objects.filter(patron=world.student_a1, returned_at__isnull=True).count() == 2
    assert _focus_is_on_scan(page)

    _scan(page, "REF1")  # a refusal is explained, as an alert
    alert = answer.get_by_role("alert")
    alert.get_by_text("is reference only: not for loan to a student").wait_for()
    assert _focus_is_on_scan(page)

    page.keyboard.press("Escape")  # the first Esc acknowledges the refusal, which stayed
    expect(alert).to_have_count(0)
    page.keyboard.press("Escape")  # the second finishes the patron
    answer.get_by_text("Ready for the next patron.").wait_for()
    _scan(page, "S1")  # no patron: the copy is returned
    answer.get_by_text("Returned “Rejsen til Saturn”.").wait_for()
    assert Item.objects.get(barcode="S1").status == ItemStatus.AVAILABLE
    assert Item.objects.get(barcode="M1").status == ItemStatus.ON_LOAN
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
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None,
    )

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
        f"/staff/desk/receipt/?patron={world.student_a1.pk}",
        "/staff/desk/stocktaking/",
        "/staff/desk/class-sets/",
        "/staff/desk/notices/",
        "/staff/desk/notices/settings/",
    ]:
        page.goto(path)
        check(path)
    assert found == {}
    assert problems == []


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
});
"""


def test_circulation_pages_break_no_content_security_rule(world, page):
    """CSP is 'self' only: no inline style or script anywhere on the desk, even after htmx
    swaps in answers, offers and the patron panel."""
    _copies(world)
    page.add_init_script(CSP_WATCH)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/desk/")
    _scan(page, "A0001")
    page.locator("#desk-message .desk-answer").wait_for()
    _scan(page, "S1")
    page.locator("#desk-panel table").wait_for()
    _scan(page, "REF1")
    page.locator("#desk-message [role=alert]").wait_for()
    violations = page.evaluate("window.__csp")
    for path in [
        "/staff/desk/hold-shelf/",
        "/staff/desk/rules/",
        "/staff/desk/rules/new/",
        f"/staff/desk/receipt/?patron={world.student_a1.pk}",
        "/staff/desk/stocktaking/",
        "/staff/desk/class-sets/",
        "/staff/desk/notices/",
        "/staff/desk/notices/settings/",
    ]:
        page.goto(path)
        page.wait_for_load_state()
        violations += page.evaluate("window.__csp")
    assert violations == []
    assert console == []


def test_a_stocktaking_session_on_a_phone_finds_the_copy_that_was_moved(
    world, browser, live_server
):
    """Counted on a phone-sized screen: one field, the focus stays in it, each scan updates the
    count; the report names the fiction copy found on the non-fiction shelf."""
    school = world.school_a
    fiction = core.create_location(SYSTEM, school, code="skon", name="Skønlitteratur")
    facts = core.create_location(SYSTEM, school, code="fag", name="Faglitteratur")
    saturn = catalog.create_record(SYSTEM, world.municipality, book("Rejsen til Saturn"))
    catalog.add_items(SYSTEM, saturn, school, barcodes=["S1", "S2", "S3"], location=fiction)
    atlas = catalog.create_record(SYSTEM, world.municipality, book("Atlas over Åerne"))
    catalog.add_items(SYSTEM, atlas, school, barcodes=["F1"], location=facts)

    context = browser.new_context(
        locale="en-GB", base_url=live_server.url, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.add_init_script(CSP_WATCH)
        sign_in(page, "bib-a", PASSWORD)
        page.goto("/staff/desk/stocktaking/")
        page.get_by_label("Name").fill("June")
        page.get_by_role("button", name="Open a stocktaking session").click()
        page.get_by_role("heading", name="Stocktaking: June").wait_for()
        page.wait_for_load_state("load")  # htmx and desk.js run (deferred) before a scan
        page.get_by_label("Scanning at").select_option(label="Skønlitteratur")
        page.locator("#scan").focus()
        _scan(page, "S1")
        _scan(page, "S2")
        page.get_by_text("2 copies counted").wait_for()
        assert _focus_is_on_scan(page)
        _scan(page, "NOPE")
        page.locator("#desk-message").get_by_role("alert").get_by_text(
            "No copy has the barcode NOPE."
        ).wait_for()
        assert _focus_is_on_scan(page)
        page.get_by_label("Scanning at").select_option(label="Faglitteratur")
        page.locator("#scan").focus()
        _scan(page, "F1")
        _scan(page, "S3")  # a fiction copy someone put on the non-fiction shelf
        page.get_by_text("4 copies counted").wait_for()
        assert page.evaluate("window.__csp") == []
        page.get_by_role("button", name="Close the session").click()
        page.get_by_role("heading", name="Stocktaking report: June").wait_for()
        misplaced = page.locator("#misplaced + .table-wrap table")
        expect(misplaced.locator("tbody tr")).to_have_count(1)
        expect(misplaced.locator("tbody tr")).to_contain_text("S3")
        expect(misplaced.locator("tbody tr")).to_contain_text("Skønlitteratur")
        expect(misplaced.locator("tbody tr")).to_contain_text("Faglitteratur")
        assert page.evaluate("window.__csp") == []
        violations = Axe().run(page).response["violations"]
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    finally:
        context.close()


def test_a_class_set_of_28_copies_goes_to_a_teacher_in_one_action(world, page):
    from reol.patrons import services as patrons

    novel = catalog.create_record(SYSTEM, world.municipality, book("Drengen med guldbukserne"))
    catalog.add_items(SYSTEM, novel, world.school_a, barcodes=[f"K{n:02}" for n in range(1, 31)])
    patrons.create_group(SYSTEM, world.school_a, name="7.A", school_year="2026/27", grade=7)
    sign_in(page, "bib-a", PASSWORD)
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Class sets").click()
    page.get_by_label("Teacher (card or username)").fill("laerer-a")
    page.get_by_label("Class", exact=True).select_option(label="7.A")
    page.get_by_label("Or: a copy of the title").fill("K07")
    page.get_by_label("How many copies").fill("28")
    page.get_by_role("button", name="Lend the class set").click()
    page.get_by_text(
        "Lent 28 copies of “Drengen med guldbukserne” to Laerer-A Test for 7.A"
    ).wait_for()
    assert Loan.objects.filter(group__name="7.A", returned_at__isnull=True).count() == 28
    row = page.locator("table tbody tr").filter(has_text="Drengen med guldbukserne")
    expect(row).to_contain_text("28")
    row.get_by_role("button", name="Return all 28").click()
    page.get_by_text("28 copies are back.").wait_for()
    assert not Loan.objects.filter(returned_at__isnull=True).exists()
