"""In Chromium: a librarian records a workshop with who took part, subject and hours, and
plans a volunteer's shift in the week view; the school leader reads the staff's training
records, narrowed to a team. No serious axe-core finding, nothing the CSP refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from tests.conftest import sign_in

from .test_browser import CSP_WATCH, _checked, _form

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_workshop_a_shift_and_the_leaders_training_records(world, page):
    page.add_init_script(CSP_WATCH)
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/competence/workshops/")
    form = _form(page, "workshop")
    form.get_by_label("Title").fill("Kildekritik for lærere")
    form.get_by_label("Subject committee or team").fill("Udskoling")
    form.get_by_label("Subject", exact=True).fill("Samfundsfag")
    form.get_by_label("Held on").fill("2027-02-02")
    form.get_by_label("Hours").fill("2.5")
    form.get_by_label("Participants by name").select_option(label=["Bib-A Test", "Laerer-A Test"])
    page.get_by_role("button", name="Save workshop").click()
    expect(page.get_by_role("region", name="Kildekritik for lærere")).to_contain_text(
        "Bib-A Test, Laerer-A Test"
    )
    _checked(page)

    page.goto("/staff/competence/schedule/?week=2027-W10")
    shift = _form(page, "shift")
    shift.get_by_label("Who").select_option(label="Frivillig-A Test")
    shift.get_by_label("Day").fill("2027-03-09")
    shift.get_by_label("From", exact=True).fill("10:00")
    shift.get_by_label("To", exact=True).fill("12:00")
    shift.get_by_label("Task").fill("Skranken")
    page.get_by_role("button", name="Save shift").click()
    expect(page.locator("#schedule")).to_contain_text("10:00–12:00 · Frivillig-A Test · volunteer")
    _checked(page)

    page.context.clear_cookies()
    sign_in(page, "admin-a", PASSWORD)
    page.get_by_role("navigation", name="Modules").get_by_role(
        "link", name="Training records"
    ).click()
    page.get_by_label("From", exact=True).fill("2026-08-01")
    page.get_by_label("To", exact=True).fill("2027-07-31")
    page.get_by_label("Team or committee").fill("Udskoling")
    page.get_by_role("button", name="Show").click()
    rows = page.locator("#records tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("row", name="Laerer-A Test")).to_contain_text("2.5")
    expect(page.locator("#by-team")).to_contain_text("Udskoling")
    _checked(page)
