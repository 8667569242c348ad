"""In Chromium, the look-up of a suggested ISBN: a student finds a title by its ISBN in the
national catalogue (the project's local SRU server) before sending the suggestion; the
librarian sees the publisher and stated price, orders it, and the order line links the record
copied into the catalogue."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.acquisitions.models import OrderLine
from reol.catalog.models import SruTarget
from reol.catalog.tests.helpers import ISBN_C
from reol.catalog.tests.sru_server import sru_server  # noqa: F401  (a fixture)
from tests.conftest import sign_in

from .conftest import make_shop
from .test_lookup import _theirs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_suggested_isbn_is_found_over_sru_and_ordered_with_its_record(
    world,
    page,
    sru_server,  # noqa: F811
):
    shop = make_shop(world)
    sru_server.add(ISBN_C, _theirs())
    SruTarget.objects.create(municipality=world.municipality, name="DBC", base_url=sru_server.url)

    sign_in(page, "elev-a1", PASSWORD)
    page.goto("/library/suggest/")
    page.locator("#id_isbn").fill("978-87-11-43946-3")
    page.get_by_role("button", name="Find by ISBN").click()
    expect(page.get_by_role("status")).to_contain_text("Found in DBC")
    expect(page.locator("#id_title")).to_have_value("Drengen med de mange navne")
    expect(page.locator("#id_author")).to_have_value("Aakeson, Kim Fupz")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    page.context.clear_cookies()

    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/acquisitions/suggestions/")
    hit = page.locator("li").filter(has_text="Drengen med de mange navne")
    expect(hit).to_contain_text("Gyldendal")
    expect(hit).to_contain_text("249.95")
    hit.get_by_role("link", name="Order it").click()
    page.locator("#id_vendor").select_option(label="Bogleverandøren")
    page.get_by_role("button", name="Start the order").click()
    form = page.locator("form", has=page.get_by_role("button", name="Add the line"))
    expect(form.locator("#id_unit_price")).to_have_value("249.95")
    form.locator("#id_fund").select_option(label=f"Bøger ({shop.books.school_year})")
    form.get_by_role("button", name="Add the line").click()
    expect(page.get_by_text("The line is added.")).to_be_visible()

    page.get_by_role("link", name="Drengen med de mange navne").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Drengen med de mange navne")
    line = OrderLine.objects.get()
    assert line.record is not None and page.url.endswith(f"/records/{line.record.pk}/")
