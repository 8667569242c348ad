"""In Chromium, the issue's "Done when" path: a student suggests a title; a teacher votes
for it on a selection list; the librarian orders it with two others from a fund whose
balance the page shows, receives two from the vendor's MARC file with barcodes in 949 (made
here with pymarc), claims the third, enters the invoice with one price difference; the report
and the fund's balance agree to the øre, and the new-materials page for "danish, grade 5"
lists the two arrivals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.acquisitions.models import Fund
from reol.circulation.models import Hold
from tests.conftest import sign_in

from .conftest import make_shop
from .test_flow import ISBNS, shelf_ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _add_line(page, isbn: str, title: str, suggestion: bool = False) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("form", has=page.get_by_role("button", name="Add the line"))
    if not suggestion:
        form.locator("#id_isbn").fill(isbn)
        form.locator("#id_title").fill(title)
    form.locator("#id_quantity").fill("1")
    form.locator("#id_unit_price").fill("199.95")
    form.locator("#id_fund").select_option(label="Bøger (2026/27)")
    form.get_by_role("button", name="Add the line").click()
    expect(page.get_by_text("The line is added.")).to_be_visible()


def test_suggest_order_receive_claim_invoice_report(world, page, tmp_path, browser):
    shop = make_shop(world)
    year = shop.books.school_year
    # A student suggests a title.
    sign_in(page, "elev-a1", PASSWORD)
    page.goto("/library/suggest/")
    page.locator("#id_isbn").fill(ISBNS[0])
    page.locator("#id_title").fill("Ønskebogen")
    page.get_by_role("button", name="Send the suggestion").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    expect(page.locator(".hit").filter(has_text="Ønskebogen")).to_contain_text("received")
    page.context.clear_cookies()

    # The librarian puts it on a selection list; a teacher votes for it.
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/acquisitions/selection/")
    page.locator("#name").fill("Dansk 5. klasse")
    page.locator("#subject").fill("dansk")
    page.locator("#grade").fill("5")
    page.get_by_role("button", name="Make the list").click()
    page.get_by_label("A suggestion").select_option(label="Ønskebogen")
    page.get_by_role("button", name="Put it on the list").click()
    expect(page.get_by_text("The title is on the list.")).to_be_visible()
    page.context.clear_cookies()
    sign_in(page, "laerer-a", PASSWORD)
    page.get_by_role("link", name="Selection lists").first.click()
    page.get_by_role("link", name="Dansk 5. klasse").click()
    page.get_by_label("Comment on “Ønskebogen”").fill("God til læsebånd")
    page.get_by_role("button", name="Vote for “Ønskebogen”").click()
    expect(page.get_by_text("Your vote is counted.")).to_be_visible()
    expect(page.locator("[data-votes-for]")).to_have_text("1")
    page.context.clear_cookies()

    # The librarian orders it with two others; the fund's balance is on the page.
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/acquisitions/")
    expect(page.locator('[data-fund="books"]')).to_have_text("10000.00 DKK")
    page.get_by_role("link", name="Suggestions").click()
    page.get_by_role("link", name="Order it").click()
    page.locator("#id_vendor").select_option(label="Bogleverandøren")
    page.get_by_role("button", name="Start the order").click()
    _add_line(page, ISBNS[0], "Ønskebogen", suggestion=True)
    _add_line(page, ISBNS[1], "Bog to")
    _add_line(page, ISBNS[2], "Bog tre")
    page.get_by_role("button", name="Send by e-mail").click()
    expect(page.get_by_text("The order is sent to ordre@bog.example.")).to_be_visible()
    page.goto("/staff/acquisitions/")
    expect(page.locator('[data-fund="books"]')).to_have_text("9400.15 DKK")

    # Two of three arrive in the vendor's shelf-ready file.
    page.go_back()
    marc = tmp_path / "vendor.mrc"
    marc.write_bytes(
        shelf_ready([(ISBNS[0], "Ønskebogen", ["NY0001"]), (ISBNS[1], "Bog to", ["NY0002"])])
    )
    page.get_by_label("The vendor's MARC file").set_input_files(str(marc))
    page.get_by_role("button", name="Receive the file").click()
    expect(page.get_by_text("2 copies received.")).to_be_visible()
    assert Hold.objects.filter(patron=world.student_a1, record__title="Ønskebogen").exists()
    href = page.get_by_role("link", name="Print labels").get_attribute("href")
    pdf = page.request.get(href).body()
    assert pdf.startswith(b"%PDF")

    # The third is claimed; the invoice has one price difference.
    page.get_by_role("button", name="Claim “Bog tre”").click()
    expect(page.get_by_text("The line is claimed from the vendor.")).to_be_visible()
    page.get_by_role("link", name="Enter an invoice").click()
    page.get_by_label("Invoice number").fill("F-1")
    page.get_by_label("Price of “Bog to”").fill("189.50")
    page.get_by_role("button", name="Enter the invoice").click()
    expect(page.get_by_text("The invoice is entered")).to_be_visible()

    # The report and the balance agree to the øre.
    page.goto(f"/staff/acquisitions/report/?by=fund&year={year}")
    expect(page.get_by_role("row", name="Bøger")).to_contain_text("389.45 DKK")
    page.goto("/staff/acquisitions/")
    expect(page.locator('[data-fund="books"]')).to_have_text("9410.60 DKK")
    books = Fund.objects.get(pk=shop.books.pk)
    assert books.allocated - books.committed - books.available == Decimal("389.45")

    # The bulletin for "danish, grade 5" lists the two arrivals.
    page.goto("/library/new/?period=week&subject=danish&grade=5")
    arrivals = page.locator(".arrivals li")
    expect(arrivals).to_have_count(2)
    expect(page.locator(".arrivals")).to_contain_text("Ønskebogen")
    expect(page.locator(".arrivals")).to_contain_text("Bog to")

    # The student sees it arrived.
    page.context.clear_cookies()
    sign_in(page, "elev-a1", PASSWORD)
    page.goto("/library/suggest/")
    expect(page.locator(".hit").filter(has_text="Ønskebogen")).to_contain_text("arrived")


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_acquisitions_pages_pass_axe(world, page, language):
    from axe_playwright_python.sync_playwright import Axe

    from reol.acquisitions.actions import orders, selection

    shop = make_shop(world)
    order = orders.create_order(world.librarian_a, world.school_a, shop.vendor)
    orders.add_line(
        world.librarian_a,
        order,
        fund=shop.books,
        title="Vulkaner",
        quantity=2,
        unit_price=Decimal("149.95"),
    )
    orders.send_order(world.librarian_a, order, by_email=False)
    lst = selection.create_list(world.librarian_a, world.school_a, name="Natur 4.")
    selection.add_entry(world.librarian_a, lst, title="Vulkaner")
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    sign_in_fields(page)
    found: dict[str, list[str]] = {}
    for url in [
        "/staff/acquisitions/",
        f"/staff/acquisitions/funds/{shop.books.pk}/",
        f"/staff/acquisitions/orders/{order.pk}/",
        "/staff/acquisitions/suggestions/",
        "/staff/acquisitions/report/",
        f"/staff/acquisitions/selection/{lst.pk}/",
        "/staff/acquisitions/reconsideration/",
        "/library/suggest/",
        "/library/new/",
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        violations = Axe().run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[url] = serious
    assert not found, found


def sign_in_fields(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("#id_username").fill("bib-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
