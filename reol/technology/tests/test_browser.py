"""The "Done when" path in Chromium: 200 Chromebooks imported from the CSV the IT department
exports; 28 lent to 7.A in one scanning session; a student reports a cracked screen from a
phone; the librarian swaps the device for a loaner; the work order goes to the supplier and
comes back fixed; the year-end count of 7.A lists the one missing device and its borrower; the
replacement plan shows next year's cost."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.catalog.models import Item, ItemStatus
from reol.circulation.models import Loan
from reol.technology.models import Device, WorkOrder, WorkOrderState
from tests.conftest import sign_in

from .conftest import make_class

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inventory(path):  # type: ignore[no-untyped-def]
    lines = ["serialNumber,model,annotatedAssetId,macAddress,status,purchase date,price"]
    for n in range(1, 201):
        lines.append(
            f"5CD{n:07},Acer Chromebook 511,CB{n:04},a483e700{n // 256:02x}{n % 256:02x},"
            f"ACTIVE,2023-08-01,2899.00"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _scan(page, field: str, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(field).fill(code)
    page.locator(field).press("Enter")
    page.wait_for_load_state()


def test_chromebooks_from_import_to_year_end(world, page, browser, live_server, tmp_path):
    group, students = make_class(world.school_a)
    sign_in(page, "bib-a", PASSWORD)

    page.goto("/staff/technology/import/")
    page.locator("#id_file").set_input_files(str(_inventory(tmp_path / "chromebooks.csv")))
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("200 added")
    assert Device.objects.filter(school=world.school_a).count() == 200

    page.goto("/staff/technology/")
    page.get_by_label("Class", exact=True).select_option(label="7.A (2026/27)")
    page.get_by_role("button", name="Assign devices").click()
    for n in range(1, 29):
        expect(page.locator("#proposed")).to_contain_text(f"Elev{n:02}")
        expect(page.locator("#id_tag")).to_be_focused()
        _scan(page, "#id_tag", f"CB{n:04}")
    expect(page.locator("#assign-progress")).to_contain_text("28 of 28")
    assert Loan.objects.open().filter(group=group).count() == 28

    phone = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
    )
    student = phone.new_page()
    sign_in(student, students[4].user.username, PASSWORD)
    student.goto("/me/devices/report/")
    expect(student.locator("#id_tag")).to_have_value("CB0005")  # their own device, proposed
    student.get_by_label("What is wrong?").fill("The screen is cracked.")
    student.get_by_role("button", name="Send").click()
    expect(student.locator("#my-reports")).to_contain_text("reported")
    assert student.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto("/staff/technology/swap/")
    page.get_by_label("Broken device").fill("CB0005")
    page.get_by_label("Loaner").fill("CB0200")
    page.get_by_role("button", name="Swap").click()
    expect(page.locator(".messages")).to_contain_text("CB0200 lent to")
    assert Loan.objects.open().get(item__barcode="CB0200").patron == students[4].user
    assert Item.objects.get(barcode="CB0005").status == ItemStatus.DAMAGED

    order = WorkOrder.objects.get()
    page.goto(f"/staff/technology/work-orders/{order.pk}/")
    page.get_by_role("button", name="Sent to the supplier").click()
    expect(page.locator("#order-state")).to_have_text("sent to the supplier")
    page.get_by_role("button", name="Fixed").click()
    expect(page.locator("#order-state")).to_have_text("fixed")
    assert Item.objects.get(barcode="CB0005").status == ItemStatus.AVAILABLE
    student.goto("/me/devices/reports/")
    expect(student.locator("#my-reports")).to_contain_text("fixed")
    phone.close()

    page.goto(f"/staff/technology/class/{group.pk}/count/")
    back = [f"CB{n:04}" for n in range(1, 29) if n not in (5, 12)] + ["CB0200"]
    for tag in back:
        _scan(page, "#id_tag", tag)
    missing = page.locator("#missing tbody tr")
    expect(missing).to_have_count(1)
    expect(missing).to_contain_text("CB0012")
    expect(missing).to_contain_text(str(students[11].user))

    page.goto("/staff/technology/plan/")
    next_year = timezone.localdate().year + 1
    cost = page.locator(f"#plan tfoot td[data-year='{next_year}']")
    expect(cost).to_have_text("579800.00")  # 200 Chromebooks of 2023 reach 4 years
    assert WorkOrder.objects.get().state == WorkOrderState.FIXED
