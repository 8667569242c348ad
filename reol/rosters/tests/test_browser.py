"""The import in a real browser: a semicolon-separated Latin-1 CSV with a BOM, as a Danish
school office's Excel writes it, checked in a dry run and imported; the pages pass axe-core in
Danish, Norwegian and English."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD
from reol.patrons.models import Group, Patron
from reol.rosters.models import RosterImport
from tests.conftest import sign_in

from .helpers import csv_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ["Elev nr.", "Fornavn", "Efternavn", "Klasse", "Kortnummer", "Forældre e-mail", "", ""]
ROWS = [
    ["1001", "Æble", "Ørsted", "5.B", "K1001", "mor@hjem.dk", "", ""],
    ["1002", "Åse", "Øvergård", "5.B", "K1002", "", "", ""],
    ["1003", "Søren", "Kierkegård", "6.A", "K1003", "far@hjem.dk; mor2@hjem.dk", "", ""],
]


def test_a_latin1_semicolon_csv_with_a_bom_imports_with_a_clear_dry_run(world, page, tmp_path):
    path = tmp_path / "elever.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS], delimiter=";", encoding="cp1252", bom=True))
    sign_in(page, "bib-a", PASSWORD)

    page.get_by_role("navigation", name="Modules").get_by_role(
        "link", name="Import students"
    ).click()
    page.get_by_label("Roster file").set_input_files(str(path))
    page.get_by_role("button", name="Upload and check").click()

    page.get_by_role("heading", name="Which column is which?").wait_for()
    assert "3 rows, read as Windows-1252 with semicolon (;) between the columns" in page.content()
    assert page.get_by_label("First name").input_value() == "Fornavn"  # guessed
    assert page.get_by_label("Id in the school's system").input_value() == "Elev nr."
    page.get_by_label("Guardians' e-mail addresses").select_option("Forældre e-mail")
    page.get_by_role("button", name="Check the file (dry run)").click()

    page.get_by_text("Dry run: nothing has been saved yet.").wait_for(timeout=30_000)
    report = page.locator("#roster-progress").inner_text()
    assert "Æble Ørsted" in report and "Søren Kierkegård" in report
    assert "New patrons (3)" in report
    assert not Patron.objects.exists()
    page.get_by_role("button", name="Import", exact=True).click()

    page.get_by_text("The import is saved.").wait_for(timeout=30_000)
    assert Patron.objects.filter(school=world.school_a).count() == 3
    soren = Patron.objects.get(source_id="1003")
    assert soren.user.last_name == "Kierkegård"
    assert soren.guardians == ["far@hjem.dk", "mor2@hjem.dk"]
    assert Group.objects.get(school=world.school_a, name="5.B").patrons.count() == 2


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_the_import_pages_pass_axe(world, page, tmp_path, language):
    path = tmp_path / "elever.csv"
    path.write_bytes(csv_bytes([HEADER, *ROWS, ["", "", "", "", "", "", "", ""]]))
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    page.locator("#id_username").fill("bib-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[name] = serious

    page.goto("/staff/rosters/")
    check("upload")
    page.locator("#id_file").set_input_files(str(path))
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url("**/staff/rosters/*/")
    check("options")
    page.locator("form.stacked button[type=submit]").click()
    page.locator("#roster-progress .stats").wait_for(timeout=30_000)
    check("dry run")
    assert RosterImport.objects.filter(state="done").exists()
    assert found == {}
