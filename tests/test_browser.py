"""The staff shell in a real browser: sign-in, switchers, and accessibility in three languages."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["da", "nb", "en"]
STAFF_PAGES = [
    "/staff/",
    "/staff/people/",
    "/staff/people/new/",
    "/staff/school/",
    "/staff/school/calendar/",
    "/staff/locations/",
    "/staff/audit/",
    "/me/",
    "/me/sessions/",
    "/me/two-step/",
]


def test_librarian_signs_in_and_adds_a_student(world, page):
    sign_in(page, "bib-a", PASSWORD)
    assert page.url.endswith("/staff/")
    page.get_by_role("link", name="People").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Username").fill("ny-elev")
    page.get_by_label("First name").fill("Ny")
    page.get_by_label("Last name").fill("Elevsen")
    page.get_by_label("Role").select_option("student")
    page.get_by_label("Card barcode").fill("A0777")
    page.get_by_label("PIN").fill("2468")
    page.get_by_role("button", name="Add").click()
    assert page.get_by_role("heading", name="Ny Elevsen").is_visible()
    # The new student signs in with card and PIN on another device.
    other = page.context.browser.new_context(locale="en-GB", base_url=page.url.split("/staff")[0])
    tablet = other.new_page()
    sign_in(tablet, "A0777", "2468")
    assert tablet.url.endswith("/opac/")  # students land on the public catalogue
    tablet.goto("/me/")
    assert tablet.get_by_role("heading", name="Hello, Ny Elevsen").is_visible()
    other.close()


def test_wrong_password_is_explained(world, page):
    sign_in(page, "bib-a", "not-it")
    assert page.get_by_role("alert").inner_text().startswith("The username or card number")


def test_language_switcher_changes_the_language(world, page):
    sign_in(page, "bib-a", PASSWORD)
    # Choosing with the arrow keys must not leave the page (WCAG 3.2.2); the button does.
    page.get_by_label("Language").focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(300)
    assert page.url.endswith("/staff/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("da")
    with page.expect_navigation():
        page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("link", name="Personer").is_visible()
    page.get_by_label("Sprog").select_option("nb")
    with page.expect_navigation():
        page.locator("#language-switch + button").click()
    assert page.locator("html").get_attribute("lang") == "nb"
    assert page.get_by_role("link", name="Personer").is_visible()
    assert page.get_by_role("button", name="Logg ut").is_visible()


def test_school_switcher_for_people_at_two_schools(world, page):
    from reol.core import services
    from reol.core.permissions import SYSTEM

    services.grant_role(SYSTEM, world.librarian_a, world.school_b, "librarian")
    sign_in(page, "bib-a", PASSWORD)
    assert page.get_by_role("heading", name="Nordskolen").is_visible()
    page.get_by_label("School").select_option(label="Sydskolen")
    assert page.get_by_role("heading", name="Nordskolen").is_visible()  # nothing happens yet
    with page.expect_navigation():
        page.get_by_role("button", name="Switch").click()
    assert page.get_by_role("heading", name="Sydskolen").is_visible()


def test_pages_fit_a_phone_and_long_words_wrap(world, page):
    from reol.core import services

    services.add_closed_period(
        world.librarian_a,
        world.school_a,
        name="Sommerferieafslutningsarrangementsforberedelsesudvalgsmøde",
        kind="closed",
        starts=dt.date(2026, 6, 26),
        ends=dt.date(2026, 8, 10),
    )
    services.create_person(
        world.librarian_a,
        world.school_a,
        username="x" * 120,
        role="student",
        first_name="Kristoffersen" * 8,
    )
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, "bib-a", PASSWORD)
    for path in ("/staff/school/calendar/", "/staff/people/", "/staff/locations/", "/me/"):
        page.goto(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width}px wide"
    page.goto("/staff/school/calendar/")
    table = page.locator("table.hours")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")


def test_no_console_errors_or_csp_violations(world, page):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, "admin-a", PASSWORD)
    for path in STAFF_PAGES:
        page.goto(path)
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shell_page_passes_axe(world, page, language):
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    axe = Axe()
    found: dict[str, list[str]] = {}

    def check(path: str) -> None:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious

    check("/accounts/login/")
    check("/accounts/password-reset/")
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("admin-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    for path in [*STAFF_PAGES, f"/staff/people/{world.student_a1.pk}/", "/accounts/logout/"]:
        check(path)
    check("/no/such/page/")  # the 404 page
    assert found == {}
