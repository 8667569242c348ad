"""The catalogue in a real browser, as a librarian uses it: a new book catalogued from its ISBN
through a (local) SRU server, copies added, a spine-label sheet printed, a MARC file imported
with its progress shown, and the catalogue pages checked by axe-core in three languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD
from reol.catalog import services
from reol.catalog.models import Item, Record, SruTarget
from reol.catalog.tests.helpers import book, iso
from reol.catalog.tests.sru_server import sru_server  # noqa: F401 - a fixture
from reol.core.models import Location
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ISBN = "978-87-02-28429-4"  # a real-looking Danish ISBN with a valid check digit


def test_new_book_from_its_isbn_through_sru_then_copies_and_spine_labels(world, page, sru_server):  # noqa: F811
    sru_server.add(
        ISBN,
        book(
            "Drengen med de mange navne",
            isbn=ISBN,
            control="x1",
            author="Aakeson, Kim Fupz",
            holdings=[{"p": "THEIRS-1"}],
        ),
    )
    SruTarget.objects.create(
        municipality=world.municipality,
        name="Nationalbibliografien",
        base_url=sru_server.url,
        version="1.2",
    )
    Location.objects.create(school=world.school_a, code="skon", name="Skønlitteratur")
    sign_in(page, "bib-a", PASSWORD)

    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Add by ISBN").click()
    page.get_by_label("ISBN").fill(ISBN.replace("-", ""))
    page.get_by_role("button", name="Look up").click()
    page.get_by_text("Drengen med de mange navne").wait_for()
    assert "from Nationalbibliografien" in page.content()
    page.get_by_role("button", name="Use this record").click()

    page.get_by_role("heading", name="Drengen med de mange navne").wait_for()
    record = Record.objects.get(title="Drengen med de mange navne")
    assert record.control_number == ""  # their 001 is not ours
    assert not Item.objects.filter(barcode="THEIRS-1").exists()  # nor are their copies
    page.get_by_label("Number of copies").fill("3")
    page.get_by_label("Location").select_option(label="Skønlitteratur")
    page.locator("#add-copies").get_by_role("button", name="Add copies").click()
    page.get_by_text("Copies added:").wait_for()
    assert Item.objects.filter(record=record, school=world.school_a).count() == 3

    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Labels").click()
    page.get_by_label("Copies added today").check()
    page.get_by_label("Label sheet").select_option("a4-3x7")
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    # The form also asks "how many?" by htmx 300 ms after each change; that answer is not the PDF.
    with page.expect_response(
        lambda r: (
            r.url.endswith("/labels/")
            and r.request.method == "POST"
            and "hx-request" not in r.request.headers
        )
    ) as info:
        page.get_by_role("button", name="Make the PDF").click()
    assert info.value.headers["content-type"] == "application/pdf"  # shown in Chromium's viewer
    # The same form, fetched with the browser's session, to look inside the PDF itself.
    fetched = page.request.post(
        page.url,
        form={
            "csrfmiddlewaretoken": token,
            "selection": "today",
            "kind": "spine",
            "layout": "a4-3x7",
            "skip": "0",
        },
        headers={"Referer": page.url},
    )
    pdf = fetched.body()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1


def test_unknown_isbn_offers_the_blank_form(world, page, sru_server):  # noqa: F811
    SruTarget.objects.create(municipality=world.municipality, name="Fjern", base_url=sru_server.url)
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/catalogue/isbn/?isbn=9788702284294")
    page.get_by_text("Not found: Fjern answered, without a record for this ISBN.").wait_for()
    page.get_by_role("link", name="Catalogue it by hand").click()
    assert page.get_by_label("ISBN", exact=True).input_value() == "9788702284294"
    page.get_by_label("Title", exact=True).fill("Min egen bog")
    page.get_by_label("Author (surname, first name)").fill("Ørsted, Åse")
    page.get_by_role("button", name="Create the record").click()
    page.get_by_role("heading", name="Min egen bog").wait_for()
    assert Record.objects.get(title="Min egen bog").isbns.get().isbn13 == "9788702284294"


def test_marc_import_from_the_page_shows_progress_and_rejections(world, page, tmp_path: Path):
    good = [
        book(f"Bog nummer {n}", control=f"imp{n}", holdings=[{"p": f"IMP{n:04d}"}])
        for n in range(30)
    ]
    data = iso(*good[:10]) + b"00099nam  2200000   4500" + b"garbage\x1d" + iso(*good[10:])
    path = tmp_path / "export.mrc"
    path.write_bytes(data)
    sign_in(page, "bib-a", PASSWORD)
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Import MARC").click()
    page.get_by_label("MARC file").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name="Rejected records").wait_for(timeout=30_000)
    assert page.locator("progress").get_attribute("value") == "100"
    assert Record.objects.filter(title__startswith="Bog nummer").count() == 30
    assert Item.objects.filter(barcode__startswith="IMP").count() == 30
    rejected = page.locator("table").first.inner_text()
    assert "11" in rejected  # the broken record is the 11th in the file


def test_an_import_with_authority_records_says_they_were_skipped_at_320_px(world, page, tmp_path):  # type: ignore[no-untyped-def]
    titles = [book(f"Titel {n}", control=f"t{n}") for n in range(3)]
    authority = book("Hansen, Ib", control="a1", leader="00000nz  a2200000n  4500")
    path = tmp_path / "mixed.mrc"
    path.write_bytes(iso(titles[0], authority, *titles[1:]))
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/catalogue/import/")
    page.get_by_label("MARC file").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    stats = page.locator("#import-progress .stats")
    stats.get_by_text("skipped: not titles").wait_for(timeout=30_000)
    assert "1" in stats.inner_text() and Record.objects.count() == 3
    checks = (Path(__file__).parent / "a11y_checks.js").read_text()
    page.keyboard.press("Tab")
    result = page.evaluate(checks)
    assert result["scrollWidth"] <= 320
    assert not [result[k] for k in ("offscreen", "duplicates", "unlabelled", "rings") if result[k]]


def test_merge_shows_both_records_and_warns_before_anything_is_merged(world, page):
    keep = services.create_record(SYSTEM, world.municipality, book("Rejsen til Saturn", isbn=ISBN))
    other = services.create_record(
        SYSTEM, world.municipality, book("Månen", isbn="9780306406157", year="2001")
    )
    services.add_items(SYSTEM, keep, world.school_a, barcodes=["K1"])
    services.add_items(SYSTEM, other, world.school_b, barcodes=["M1", "M2"])
    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/catalogue/records/{keep.pk}/")
    # the copy's status list does not preselect a change
    assert page.get_by_label("New status for K1").input_value() == ""

    page.get_by_text("Merge a duplicate into this record").click()
    page.get_by_label("Number of the duplicate record").fill(str(other.pk))
    page.get_by_role("button", name="Compare before merging").click()

    page.get_by_role("heading", name="Merge two records?").wait_for()
    warning = page.get_by_role("alert").filter(has_text="These may not be the same book.")
    assert (
        "The ISBNs differ" in warning.inner_text() and "The titles differ." in warning.inner_text()
    )
    table = page.locator("table.merge-compare").inner_text()
    assert "Månen" in table and "Sydskolen: 2" in table and "9780306406157" in table
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert Item.objects.get(barcode="M1").record == other  # nothing merged by looking

    page.get_by_role("button", name=f"Merge record {other.pk} into record {keep.pk}").click()
    page.get_by_text(f"“Månen” (record {other.pk}) was merged into this record.").wait_for()
    assert set(Item.objects.filter(record=keep).values_list("barcode", flat=True)) == {
        "K1",
        "M1",
        "M2",
    }


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_catalogue_pages_pass_axe(world, page, language):
    record = services.create_record(SYSTEM, world.municipality, book("Axe og Åse", isbn=ISBN))
    services.add_items(SYSTEM, record, world.school_a, count=2)
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
    for path in [
        "/staff/catalogue/",
        f"/staff/catalogue/records/{record.pk}/",
        f"/staff/catalogue/records/{record.pk}/edit/",
        f"/staff/catalogue/records/{record.pk}/marc/",
        "/staff/catalogue/isbn/",
        "/staff/catalogue/isbn/?isbn=123",
        "/staff/catalogue/new/",
        "/staff/catalogue/import/",
        "/staff/catalogue/labels/",
        "/staff/catalogue/barcodes/",
    ]:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    assert found == {}
    assert problems == []
