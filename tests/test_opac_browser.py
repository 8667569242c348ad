"""The public catalogue in a real browser, as a student on a tablet uses it: a misspelt search,
the "on the shelf at my school" filter, the record, a hold; and axe-core on every OPAC page in
Danish, Norwegian and English.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD
from reol.circulation.models import Hold
from reol.opac import services
from reol.opac.tests.conftest import (
    build_shelf,
    search_index,  # noqa: F401 - a fixture
)
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}


def login(page, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in whatever the page's language (by the fields' ids, not their labels)."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(secret)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def test_student_finds_harry_potter_from_a_typo_filters_opens_and_places_a_hold(
    world,
    page,
    search_index,  # noqa: F811
):
    shelf = build_shelf(world)
    page.set_viewport_size(TABLET)
    sign_in(page, "A0001", "4321")
    assert page.url.endswith("/opac/")
    box = page.get_by_label("What do you want to find?")
    box.fill("harry pot")  # the suggestions come while typing
    page.locator("#opac-suggestions a", has_text="Harry Potter").first.wait_for()
    box.fill("harry poter")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Harry Potter og De Vises Sten").first.wait_for()
    page.get_by_role("link", name="On the shelf at Nordskolen now").click()
    page.wait_for_load_state()
    assert "available=1" in page.url
    assert page.get_by_text("Harry Potter and the Philosopher's Stone").count() == 0
    page.get_by_role("link", name="Harry Potter og De Vises Sten").first.click()
    page.get_by_role("heading", name="Harry Potter og De Vises Sten").wait_for()
    assert page.get_by_text("your school").is_visible()
    button = page.get_by_role("button", name="Reserve it for me")
    box_size = button.bounding_box()
    assert box_size and box_size["height"] >= 44  # a finger-sized target
    button.click()
    page.get_by_text("You are in the queue for").first.wait_for()
    hold = Hold.objects.get(patron=world.student_a1)
    assert hold.record_id == shelf.ids["hp1_da"] and hold.school == world.school_a
    page.get_by_role("link", name="My loans", exact=True).click()
    page.get_by_text("You are in the queue at Nordskolen.").wait_for()


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_opac_pages_pass_axe(world, page, search_index, language):  # noqa: F811
    shelf = build_shelf(world)
    reading_list = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Troldmænd"
    )
    page.goto("/opac/school/")
    root = page.url.split("/opac/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    page.goto("/opac/school/")
    page.get_by_role("button", name="Nordskolen").click()
    page.wait_for_load_state()
    axe = Axe()
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    def check(path: str) -> None:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious

    for path in [
        "/opac/",
        "/opac/school/",
        "/opac/search/?q=harry+poter",
        "/opac/search/?q=harry&scope=all&available=1&language=dan",
        "/opac/search/?q=zzqqxx",
        f"/opac/records/{shelf.ids['hp1_da']}/",
        f"/opac/lists/{reading_list.pk}/",
        "/opac/schools/nord/new/",
    ]:
        check(path)
    login(page, "A0001", "4321")
    check("/opac/me/")
    check(f"/opac/records/{shelf.ids['hp1_da']}/")
    sign_in_staff = page.context.browser.new_context(base_url=root)  # librarian's pages
    staff = sign_in_staff.new_page()
    staff.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    login(staff, "bib-a", PASSWORD)
    for path in ["/staff/reading-lists/", f"/staff/reading-lists/{reading_list.pk}/?q=harry"]:
        staff.goto(path)
        violations = axe.run(staff).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    sign_in_staff.close()
    assert found == {}
    assert problems == []
