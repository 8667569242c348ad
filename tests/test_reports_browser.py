"""The reports in Chromium: a librarian filters the circulation report for grade 5 and fiction,
exports XLSX and finds the page's numbers in it, builds the annual report; a filter that would
show one student's loans says "fewer than 5"; the consultant compares the schools; the report
page passes axe."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from openpyxl import load_workbook
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.reports.models import Criterion
from reol.reports.tests.helpers import lend, library
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _table(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = page.locator("#report-table tbody tr")
    return {
        rows.nth(i).locator("th").inner_text(): rows.nth(i).locator("td").first.inner_text()
        for i in range(rows.count())
    }


def test_librarian_filters_exports_and_builds_the_annual_report(world, page):
    lib = library(world)
    solo_day = lib.day(80)
    lend(lib, lib.students["5B"][0], lib.fiction[0], solo_day, returned=False)
    sign_in(page, "bib-a", PASSWORD)
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Loans by month").first.click()
    page.get_by_label("Grade").fill("5")
    page.get_by_label("Fiction", exact=True).select_option("fiction")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.get_by_role("img", name="Loans by month")).to_be_visible()
    shown = _table(page)
    assert shown and all(v.isdigit() for v in shown.values())
    assert sum(int(v) for v in shown.values()) == 17  # 5A's sixteen and 5B's one
    with page.expect_download() as download:
        page.get_by_role("link", name="Spreadsheet (XLSX)").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    lines = list(sheet.iter_rows(values_only=True))
    start = next(i for i, line in enumerate(lines) if line[:2] == ("Month", "Loans"))
    assert {str(k): str(v) for k, v, *_rest in lines[start + 1 :]} == shown

    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

    # One student's day: the one child of 5B, fiction, one date.
    page.get_by_label("Class or group").fill("5B")
    page.get_by_label("From", exact=True).fill(solo_day.isoformat())
    page.get_by_label("To", exact=True).fill(solo_day.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    expect(page.locator("#report-table tbody")).to_contain_text("fewer than 5")
    expect(page.locator("svg.chart")).to_contain_text("fewer than 5")

    # The self-evaluation against AASL's standards, then the annual report with three charts.
    page.goto("/staff/reports/evaluation/")
    page.get_by_label("Evaluate against").select_option("aasl")
    page.get_by_role("button", name="Start the self-evaluation").click()
    page.wait_for_load_state()
    # Copied in the school's language (Danish): "Inquire" is "Undersøge".
    inquire = page.get_by_role("region", name="Undersøge")
    inquire.get_by_label("Level").select_option(label="developing")
    inquire.get_by_label("Comment").fill("Research lessons in grades 4-6")
    inquire.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert Criterion.objects.get(heading="Undersøge").level == 2
    charts = "chart=loans-by-month&chart=loans-by-grade&chart=collection-age"
    pdf = page.request.get(f"/staff/reports/annual-report.pdf?{charts}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")


def test_consultant_compares_all_schools(world, page):
    library(world)
    library(world, world.school_b)
    sign_in(page, "konsulent", PASSWORD)
    page.goto("/staff/reports/")
    page.get_by_role("link", name="All schools side by side").click()
    page.wait_for_load_state()
    table = page.locator("#report-table")
    for name in ("Nordskolen", "Sydskolen", "All schools"):
        expect(table.get_by_role("rowheader", name=name)).to_be_visible()
    expect(page.get_by_role("img", name="Schools side by side")).to_be_visible()
