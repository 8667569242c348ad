"""In Chromium, in Danish: a patron's valid-until date survives a re-save of the edit form (the
date input used to get "05.10.2026", which the browser refuses and shows empty)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.core.permissions import SYSTEM
from reol.patrons import services
from reol.patrons.models import Patron

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_valid_until_survives_a_resave_in_danish(patrons, browser, live_server):
    services.update_patron(SYSTEM, patrons.a1, valid_until=dt.date(2026, 10, 5))
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto("/accounts/login/")
        page.locator("#id_username").fill("bib-a")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.goto(f"/staff/patrons/{patrons.a1.pk}/edit/")
        assert page.locator("html").get_attribute("lang") == "da"
        field = page.locator("input[name=valid_until]")
        expect(field).to_have_value("2026-10-05")  # the browser accepted the value
        page.locator("input[name=first_name]").fill("Elevine")
        page.locator("main form.stacked button[type=submit]").click()
        page.wait_for_url(f"**/staff/patrons/{patrons.a1.pk}/")
    finally:
        context.close()
    patron = Patron.objects.select_related("user").get(pk=patrons.a1.pk)
    assert patron.user.first_name == "Elevine"
    assert patron.valid_until == dt.date(2026, 10, 5)
