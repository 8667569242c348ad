"""In Chromium: the librarian opens a student's record, pays part of a replacement charge and
waives the rest; the school's list and the borrower's page follow; the record and the list
pass axe (serious and critical)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.technology import importer, returns, services
from reol.technology.models import Device, LoanCharge
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = b"annotatedAssetId,serialNumber,model\nCB0001,5CD0000001,Acer Chromebook 511\n"


def _serious(page) -> list[str]:  # type: ignore[no-untyped-def]
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def test_pay_part_and_waive_the_rest_from_the_patron_record(setup, page, browser, live_server):
    w = setup.world
    student = setup.students[0]
    importer.import_devices(w.librarian_a, setup.school, CSV)
    services.assign_device(w.librarian_a, setup.school, student.user, "CB0001")
    returns.set_charge_policy(w.librarian_a, w.school_a, replacement_charges=True)
    device = Device.objects.get(item__barcode="CB0001")
    charge = returns.record_charge(w.librarian_a, device, note="Lost", amount=Decimal("99.99"))

    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/patrons/{student.pk}/")
    expect(page.locator("#owed-total")).to_contain_text("99.99")
    assert _serious(page) == []
    page.locator(f"#pay-{charge.pk}").locator("xpath=..").locator("summary").click()
    page.locator(f"#pay-amount-{charge.pk}").fill("33,33")
    page.locator(f"#pay-method-{charge.pk}").select_option("invoice")
    page.locator(f"#pay-ref-{charge.pk}").fill("F-2026-17")
    page.get_by_role("button", name="Record the payment").click()
    expect(page.locator(".messages")).to_contain_text("66.66 still owed")
    expect(page.locator("#owed-total")).to_contain_text("66.66")

    page.locator(f"#waive-{charge.pk}").locator("xpath=..").locator("summary").click()
    page.locator(f"#waive-reason-{charge.pk}").fill("Insurance covered it")
    page.get_by_role("button", name="Waive 66.66").click()
    expect(page.locator("#charges")).to_contain_text("Nothing is owed at this school.")
    charge = LoanCharge.objects.get(pk=charge.pk)
    assert (charge.paid, charge.waived, charge.outstanding) == (
        Decimal("33.33"),
        Decimal("66.66"),
        Decimal("0"),
    )

    page.goto("/staff/technology/charges/open/")
    expect(page.locator("#open-total")).to_contain_text("0 open charges")
    assert _serious(page) == []

    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    mine = other.new_page()
    sign_in(mine, student.user.username, PASSWORD)
    mine.goto("/me/devices/reports/")
    expect(mine.locator("#my-charges")).to_contain_text("paid 33.33 (invoice)")
    expect(mine.locator("#my-charges")).to_contain_text("66.66 waived")
    other.close()
