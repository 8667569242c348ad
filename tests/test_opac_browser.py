"""The public catalogue in a real browser, as a student on a tablet uses it: a misspelt search,
the "on the shelf at my school" filter, the record, a hold; and axe-core on every OPAC page in
Danish, Norwegian and English.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PASSWORD
from reol.catalog.lists import services
from reol.catalog.models import Item, ItemStatus
from reol.circulation.models import Hold
from reol.opac.tests.conftest import build_shelf
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
    search_index,
):
    shelf = build_shelf(world)
    page.set_viewport_size(TABLET)
    sign_in(page, "A0001", "4321")
    assert page.url.endswith("/opac/")
    box = page.get_by_label("What do you want to find?")
    box.fill("harry pot")  # the suggestions come while typing
    page.get_by_role("option", name="Harry Potter").first.wait_for()
    box.fill("harry poter")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Harry Potter og De Vises Sten").first.wait_for()
    page.get_by_role("link", name="On the shelf at Nordskolen now").click()
    page.wait_for_load_state()
    assert "available=1" in page.url
    assert page.get_by_text("Harry Potter and the Philosopher's Stone").count() == 0
    page.get_by_role("link", name="Harry Potter og De Vises Sten").first.click()
    page.get_by_role("heading", name="Harry Potter og De Vises Sten").wait_for()
    assert page.get_by_text("(your school)").is_visible()
    # A copy is on the shelf here: the page sends her to it instead of offering a hold.
    assert page.get_by_text("On the shelf at Nordskolen — shelf mark ROW").is_visible()
    assert page.get_by_role("button", name="Reserve it for me").count() == 0
    # Once that copy is lent too, she can reserve the title.
    Item.objects.filter(record_id=shelf.ids["hp1_da"], school=world.school_a).update(
        status=ItemStatus.ON_LOAN
    )
    page.reload()
    button = page.get_by_role("button", name="Reserve it for me")
    box_size = button.bounding_box()
    assert box_size and box_size["height"] >= 44  # a finger-sized target
    button.click()
    page.get_by_text("You are in the queue for").first.wait_for()
    hold = Hold.objects.get(patron=world.student_a1)
    assert hold.record_id == shelf.ids["hp1_da"] and hold.school == world.school_a
    page.get_by_role("link", name="My loans", exact=True).click()
    page.get_by_text("You are number 1 in the queue at Nordskolen.").wait_for()


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_opac_pages_pass_axe(world, page, search_index, language):
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


# --- What the new-user trial found ---------------------------------------------------------------

PHONE = {"width": 375, "height": 800}


def serious_axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def choose_nordskolen(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/opac/school/")
    page.get_by_role("button", name="Nordskolen").click()
    page.wait_for_load_state()


def test_suggestions_are_a_combobox_the_arrow_keys_move_through(
    world,
    page,
    search_index,
):
    build_shelf(world)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    choose_nordskolen(page)
    box = page.get_by_role("combobox", name="What do you want to find?")
    assert box.get_attribute("aria-expanded") == "false"
    box.fill("harry pot")
    listbox = page.get_by_role("listbox", name="Suggestions")
    listbox.wait_for()
    options = listbox.get_by_role("option")
    assert options.count() >= 3
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") is None  # nothing chosen yet
    page.get_by_role("status").filter(has_text="suggestions").wait_for(state="attached")

    def chosen() -> str | None:
        return box.get_attribute("aria-activedescendant")

    box.press("ArrowDown")
    assert chosen() == options.nth(0).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "true"
    box.press("ArrowDown")
    assert chosen() == options.nth(1).get_attribute("id")
    assert options.nth(0).get_attribute("aria-selected") == "false"
    box.press("ArrowUp")
    assert chosen() == options.nth(0).get_attribute("id")
    assert box.evaluate("b => document.activeElement === b")  # the focus stays in the box
    assert serious_axe(page) == []  # the open combobox, as a screen reader meets it
    box.press("Escape")
    assert listbox.is_hidden() and box.get_attribute("aria-expanded") == "false"
    assert chosen() is None and box.input_value() == "harry pot"  # Escape only closed it
    box.press("ArrowDown")  # opens the list again, on the first option
    assert listbox.is_visible() and chosen() == options.nth(0).get_attribute("id")
    box.press("ArrowDown")
    second = options.nth(1).inner_text().split(" · ")[0]
    with page.expect_navigation():
        box.press("Enter")
    assert "/opac/records/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == second
    # Without a chosen option, Enter searches as before.
    page.goto("/opac/")
    box.fill("dinosaurer")
    listbox.wait_for()
    with page.expect_navigation():
        box.press("Enter")
    assert "/opac/search/?q=dinosaurer" in page.url
    assert problems == []


def test_did_you_mean_in_the_suggestions_and_on_the_results(
    world,
    page,
    search_index,
):
    build_shelf(world)
    choose_nordskolen(page)
    box = page.get_by_role("combobox", name="What do you want to find?")
    box.fill("pipi lang")
    option = page.get_by_role("option", name="Did you mean pippi lang?")
    option.wait_for()
    with page.expect_navigation():
        option.click()  # a tap, as on a tablet
    assert "q=pippi+lang" in page.url
    page.get_by_role("link", name="Pippi Langstrømpe").first.wait_for()
    page.goto("/opac/search/?q=harry+poter")
    assert page.get_by_text("Did you mean harry potter?").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="harry potter", exact=True).click()
    assert "q=harry+potter" in page.url


def test_titles_facets_and_ages_read_as_words(
    world,
    page,
    search_index,
):
    from reol.catalog.models import Record
    from reol.catalog.services import queue_for_search

    build_shelf(world)
    record = Record.objects.create(
        municipality=world.municipality,
        marc={},
        title="Vulkaner",
        subtitle="ild fra jordens indre",
        languages=["ita"],
        age_min=0,
        age_max=5,
    )
    Item.objects.create(record=record, school=world.school_a, barcode="VULK1")
    queue_for_search([record.pk])
    page.goto("/opac/school/")
    root = page.url.split("/opac/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "da", "url": root}])
    choose_nordskolen(page)
    page.goto("/opac/search/?q=vulkaner&scope=all")
    page.get_by_role("link", name="Vulkaner : ild fra jordens indre").wait_for()
    facets = page.get_by_role("complementary", name="Filtre")
    assert facets.get_by_role("link", name="Italiensk").is_visible()
    assert facets.get_by_role("link", name="op til 5 år").is_visible()
    text = facets.inner_text()
    assert "ita" not in text.split() and "–5" not in text and "*" not in text
    page.get_by_role("link", name="Vulkaner : ild fra jordens indre").click()
    page.get_by_role("heading", name="Vulkaner : ild fra jordens indre").wait_for()


def test_number_and_address_fields_look_like_the_other_fields(world, page):
    from reol.catalog.models import Record

    record = Record.objects.create(municipality=world.municipality, marc={}, title="Kort")
    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/catalogue/records/{record.pk}/edit/")
    styles = page.evaluate(
        """() => Object.fromEntries(['text', 'number', 'url'].map(type => {
             const field = document.querySelector(`main input[type=${type}]`);
             const s = field && getComputedStyle(field);
             return [type, s && [s.borderTopColor, s.borderTopWidth, s.borderRadius]];
           }))"""
    )
    assert styles["number"] is not None and styles["url"] is not None
    assert styles["number"] == styles["text"] == styles["url"]


def test_staff_menu_folds_behind_a_button_on_a_phone(world, page):
    page.set_viewport_size(PHONE)
    sign_in(page, "bib-a", PASSWORD)
    menu = page.get_by_role("navigation", name="Modules")
    button = menu.get_by_role("button", name="Menu")
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    height = menu.bounding_box()["height"]
    assert height <= 60, f"the folded menu is {height}px high"
    assert not menu.get_by_role("link", name="Desk").is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert menu.get_by_role("link", name="Desk").is_visible()
    assert serious_axe(page) == []
    page.keyboard.press("Escape")  # closes it again, focus back on the button
    assert button.get_attribute("aria-expanded") == "false"
    assert button.evaluate("b => document.activeElement === b")
    button.click()
    with page.expect_navigation():
        menu.get_by_role("link", name="People").click()
    assert page.url.endswith("/staff/people/")
    assert (
        not page.get_by_role("navigation", name="Modules")
        .get_by_role("link", name="People")
        .is_visible()
    )  # folded again on the next page
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    # On a wide screen the menu is simply there, and there is no button.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not button.is_visible()
    assert (
        page.get_by_role("navigation", name="Modules").get_by_role("link", name="Desk").is_visible()
    )


def test_teachers_and_students_reach_the_catalogue_and_their_loans_from_the_menu(
    world,
    page,
    search_index,
):
    build_shelf(world)
    sign_in(page, "laerer-a", PASSWORD)
    menu = page.get_by_role("navigation", name="Modules")
    with page.expect_navigation():
        menu.get_by_role("link", name="My loans").click()
    assert page.url.endswith("/opac/me/")
    assert page.get_by_role("heading", name="What I have borrowed").is_visible()
    assert menu.get_by_role("link", name="My loans").get_attribute("aria-current") == "page"
    menu.get_by_role("link", name="Find books").click()
    page.get_by_role("combobox", name="What do you want to find?").wait_for()
    # A student: the shell pages show the few links everyone has; the catalogue its own.
    student = page.context.browser.new_context(locale="en-GB", base_url=page.url.split("/opac")[0])
    tablet = student.new_page()
    sign_in(tablet, "A0001", "4321")
    assert tablet.url.endswith("/opac/")
    assert tablet.get_by_role("navigation", name="Modules").count() == 0
    tablet.goto("/me/")
    links = tablet.get_by_role("navigation", name="Modules").get_by_role("link")
    assert links.all_inner_texts() == [
        "Find books",
        "My loans",
        "Report a problem",
        "Suggest a book",
        "Databases and news",
    ]
    student.close()


def test_dashboard_links_to_the_work_and_counts_what_is_happening(world, page):
    sign_in(page, "bib-a", PASSWORD)
    assert page.url.endswith("/staff/")
    main = page.get_by_role("main")
    assert "will appear" not in main.inner_text()
    counts = page.get_by_role("region", name="Right now")
    for label in ("loans out", "overdue", "holds ready to collect", "titles in the catalogue"):
        assert counts.get_by_text(label).is_visible(), label
    work = page.get_by_role("region", name="What you can do here")
    with page.expect_navigation():
        work.get_by_role("link", name="Desk").click()
    assert page.url.endswith("/staff/desk/")
    page.go_back()
    with page.expect_navigation():
        counts.get_by_role("link", name="holds ready to collect").click()
    assert "/staff/desk/hold" in page.url


@pytest.mark.parametrize("language", ["da", "en"])  # nb: see test_opac_pages_pass_axe
def test_every_persons_pages_have_no_csp_errors_and_pass_axe(
    world,
    page,
    search_index,
    language,
):
    """Each kind of person walks their menu and the catalogue: no console error (a blocked
    inline script or style shows there) and no serious axe finding, on a tablet and a phone."""
    shelf = build_shelf(world)
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    found: dict[str, list[str]] = {}
    problems: list[str] = []
    visited: set[str] = set()
    opac_pages = [
        "/opac/",
        "/opac/search/?q=harry+poter",
        "/opac/search/?q=&scope=all",
        f"/opac/records/{shelf.ids['hp1_da']}/",
        "/opac/me/",
    ]
    for username, secret in (("A0001", "4321"), ("laerer-a", PASSWORD), ("bib-a", PASSWORD)):
        context = page.context.browser.new_context(base_url=root)
        context.add_cookies([{"name": "django_language", "value": language, "url": root}])
        visitor = context.new_page()
        visitor.on(
            "console",
            lambda m, who=username: (
                problems.append(f"{who}: {m.text}") if m.type == "error" else None
            ),
        )
        login(visitor, username, secret)
        hrefs = visitor.evaluate(
            "() => Array.from(document.querySelectorAll('nav.sidenav a, nav.opac-nav a'))"
            ".map(a => a.getAttribute('href'))"
        )
        if username != "A0001":
            visitor.goto("/me/")
            hrefs += visitor.evaluate(
                "() => Array.from(document.querySelectorAll('nav.sidenav a'))"
                ".map(a => a.getAttribute('href'))"
            )
        for size in (TABLET, PHONE) if language == "en" else (TABLET,):
            visitor.set_viewport_size(size)
            for path in dict.fromkeys([*hrefs, *opac_pages, "/me/"]):
                if not path.startswith("/") or "logout" in path:
                    continue
                visitor.goto(path)
                visited.add(path)
                if serious := serious_axe(visitor):
                    found[f"{username} {size['width']} {path}"] = serious
        visitor.goto("/opac/")
        visitor.locator("#opac-q").fill("harry pot")
        visitor.get_by_role("listbox").wait_for()
        if serious := serious_axe(visitor):
            found[f"{username} suggestions"] = serious
        context.close()
    assert {"/staff/", "/staff/desk/", "/staff/people/", "/opac/me/", "/me/"} <= visited
    assert found == {}
    assert problems == []


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_my_loans_links_to_my_library_record(
    world,
    page,
    search_index,
    language,
):
    """From "My loans" a student reaches her own library record (loan history consent, her
    data to take away) and back; both pages pass axe with no console error."""
    build_shelf(world)
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(TABLET)
    login(page, "A0001", "4321")
    page.goto("/opac/me/")
    assert serious_axe(page) == []
    link = page.locator("main a[href='/me/library/']")
    name = link.inner_text().strip()
    assert link.count() == 1 and name
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/me/library/")
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert serious_axe(page) == []
    with page.expect_navigation():
        page.locator("main a[href='/opac/me/']").click()
    assert page.url.endswith("/opac/me/")
    assert problems == []


# --- What the second trial found (a child on a phone, a teacher on an upright tablet) ------------

UPRIGHT_TABLET = {"width": 768, "height": 1024}


def test_copies_on_a_phone_are_cards_with_whole_words(world, page, search_index):
    """Three columns of copies do not fit a phone: Danish words broke in the middle
    ("Opstilling|ssignatur", "Skønlitterat|ur"). Each copy is now a card of whole words."""
    from reol.core.models import Location

    shelf = build_shelf(world)
    shelf_name = "Skønlitteraturafdelingen"
    place = Location.objects.create(school=world.school_a, code="skon", name=shelf_name)
    Item.objects.filter(record_id=shelf.ids["hp1_da"]).update(location=place)
    page.goto("/opac/school/")
    root = page.url.split("/opac/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": "da", "url": root}])
    page.goto("/opac/school/")
    page.get_by_role("button", name="Nordskolen").click()
    page.set_viewport_size(PHONE)
    page.goto(f"/opac/records/{shelf.ids['hp1_da']}/")
    cell = page.locator("table.copies td", has_text=shelf_name).first
    lines = cell.evaluate(
        """td => { const range = document.createRange();
                   range.selectNodeContents([...td.childNodes].find(n => n.nodeType === 3));
                   const tops = [...range.getClientRects()].map(r => Math.round(r.top));
                   return new Set(tops).size; }"""
    )
    assert lines == 1  # the word is whole, on one line
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert "Hvor på biblioteket" in label  # the column's name, in the card
    table = page.locator("table.copies").first.bounding_box()
    assert table and table["x"] + table["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.set_viewport_size(TABLET)  # a table again where it fits
    assert page.locator("table.copies thead").first.is_visible()


def test_the_filters_are_at_hand_on_a_tablet_and_a_phone(world, page, search_index):
    """On an upright tablet the filters sat under twenty results; a teacher looking for "films,
    13-17 years, on the shelf" had to scroll past them all. Now they stand beside the results
    there, and a phone has a "Filters" button at the top that jumps to them."""
    build_shelf(world)
    page.goto("/opac/school/")
    page.get_by_role("button", name="Nordskolen").click()
    page.set_viewport_size(UPRIGHT_TABLET)
    page.goto("/opac/search/?q=harry&scope=all")
    facets = page.locator("#filters").bounding_box()
    hits = page.locator("ol.hits").bounding_box()
    assert facets and hits
    assert facets["x"] + facets["width"] <= hits["x"]  # beside, not under
    assert facets["y"] < UPRIGHT_TABLET["height"]  # seen without scrolling
    assert not page.get_by_role("link", name="Filters").is_visible()
    page.set_viewport_size(PHONE)
    page.reload()
    jump = page.get_by_role("link", name="Filters")
    assert jump.is_visible()
    box = jump.bounding_box()
    assert box and box["y"] < PHONE["height"] and box["height"] >= 44
    jump.click()
    page.wait_for_function("location.hash === '#filters'")
    top = page.locator("#filters").evaluate("e => e.getBoundingClientRect().top")
    assert abs(top) < 5  # scrolled to the filters
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_the_search_button_stays_beside_the_box_on_a_phone(world, page, search_index):
    build_shelf(world)
    page.goto("/opac/school/")
    page.get_by_role("button", name="Nordskolen").click()
    page.set_viewport_size(PHONE)
    page.goto("/opac/")
    box = page.get_by_label("What do you want to find?").bounding_box()
    button = page.locator("form.bigsearch button[type=submit]").bounding_box()
    assert box and button
    assert abs(button["y"] - box["y"]) < 2 and button["x"] >= box["x"] + box["width"]
    assert box["width"] >= 180  # still room to type "dinosaurer for børn"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_a_childs_whole_sentence_finds_horses_and_dinosaurs_and_the_next_in_a_series(
    world,
    page,
    search_index,
):
    build_shelf(world)
    choose_nordskolen(page)
    sentence = (
        "Hej jeg hedder Emma og jeg går i 3. klasse og jeg vil rigtig gerne låne en bog om "
        "heste og dinosaurer fordi jeg synes at de er de sejeste dyr i hele verden og min "
        "lillebror kan også godt lide dem, har I nogen bøger om heste og dinosaurer?"
    )
    assert len(sentence) > 200
    box = page.get_by_role("combobox", name="What do you want to find?")
    box.fill(sentence)
    assert box.input_value() == sentence  # not cut at 200 characters
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    titles = page.locator("ol.hits h2 a").all_inner_texts()
    assert titles, page.content()
    words = " ".join(titles[:6]).lower()
    assert "hest" in words and "dinosaur" in words, titles
    assert page.get_by_text("Did you mean").count() == 0
    # "heste og dinosaurer": horse and dinosaur books only, not every record with "og".
    page.goto("/opac/search/?q=heste+og+dinosaurer&scope=all")
    titles = page.locator("ol.hits h2 a").all_inner_texts()
    assert titles and all("hest" in t.lower() or "dinosaur" in t.lower() for t in titles[:8])
    # A book in a series leads to the next one.
    page.get_by_role("link", name="Hestene på Solgården").first.click()
    page.get_by_role("heading", name="Hestene på Solgården").wait_for()
    series = page.get_by_role("navigation", name="The series Solgården")
    assert "On the shelf here" in series.inner_text()
    series.get_by_role("link", name="Sommer på Solgården").click()
    page.get_by_role("heading", name="Sommer på Solgården").wait_for()
    page.get_by_role("navigation", name="The series Solgården").get_by_role(
        "link", name="Hestene på Solgården"
    ).wait_for()
