"""The staff pages on an upright tablet (768 × 1024) and a phone, as a new user's trial found
them: no blank band under the folded menu, no word broken in the middle (the desk's loans, the
overview's tiles) in Danish, Norwegian or English, no inline style blocked by the CSP when the
desk scans, and 44 px targets in the header (and the student's own links) on a touch screen.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Record
from reol.catalog.tests.helpers import book
from reol.circulation.actions import loans as loan_actions
from reol.circulation.models import Loan
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 768, "height": 1024}
PHONE = {"width": 375, "height": 812}
LANGUAGES = ["da", "nb", "en"]
TITLE = "Rejsen til Saturn"
BARCODE = "NORD000001"

# The words (split at spaces, hyphens and slashes) that the layout split over two lines. This
# Chromium has no hyphenation dictionaries, so a word on two lines was broken in the middle.
BROKEN_WORDS = r"""root => {
  const broken = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const words = /[^\s\u00AD\-–—\/]+/g;
    let m;
    while ((m = words.exec(node.data))) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""


def _in_language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])


def _login(page, username: str, secret: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in whatever the page's language (by the fields' ids, not their labels)."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(secret)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()


def _copy(world) -> Record:  # type: ignore[no-untyped-def]
    record = catalog.create_record(SYSTEM, world.municipality, book(TITLE))
    catalog.add_items(SYSTEM, record, world.school_a, barcodes=[BARCODE])
    return record


def _scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#scan").fill(code)
    page.locator("#scan").press("Enter")


def _overdue_loan(world) -> None:  # type: ignore[no-untyped-def]
    """A month overdue, as in the trial: "overdue" beside the date widens that column."""
    item = _copy(world).items.get()
    loan = loan_actions.checkout(SYSTEM, world.school_a, world.student_a1, item).loan
    lent = timezone.localdate() - dt.timedelta(days=60)
    Loan.objects.filter(pk=loan.pk).update(loan_date=lent, due_date=lent + dt.timedelta(days=30))


def _broken(page, selector: str = "main") -> list[str]:  # type: ignore[no-untyped-def]
    return page.locator(selector).evaluate(BROKEN_WORDS)


def _page_width(page) -> int:  # type: ignore[no-untyped-def]
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    ("username", "path"), [("laerer-a", "/staff/"), ("bib-a", "/staff/desk/"), ("bib-a", "/me/")]
)
def test_the_folded_menu_is_as_high_as_its_button_on_a_short_page(world, page, username, path):
    """The page grid gave a short page's spare height to the menu's row: an 80 px blank band
    under the 44 px "Menu" button."""
    page.set_viewport_size(TABLET)
    sign_in(page, username, PASSWORD)
    page.goto(path)
    menu = page.get_by_role("navigation", name="Modules")
    button = menu.get_by_role("button", name="Menu")
    assert button.is_visible()
    nav, knob = menu.bounding_box(), button.bounding_box()
    assert nav and knob
    assert nav["height"] <= knob["height"] + 2, f"the folded menu is {nav['height']}px high"
    main = page.locator("main").bounding_box()
    assert main and abs(main["y"] - (nav["y"] + nav["height"])) <= 1  # the page follows at once
    button.click()  # opened, the menu is as high as its links
    first = "Desk" if username == "bib-a" else "Catalogue"
    assert menu.get_by_role("link", name=first).is_visible()
    assert menu.bounding_box()["height"] > knob["height"] + 44


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_desks_loans_keep_their_words_whole_on_a_tablet_and_a_phone(world, page, language):
    """The loans table split "NORD00000|1", "Afleveringsda|to", "Fornyelse|r" and the "Forny"
    button (overflow-wrap: anywhere let the columns shrink below a word)."""
    _overdue_loan(world)
    _in_language(page, language)
    page.set_viewport_size(TABLET)
    _login(page, "bib-a", PASSWORD)
    page.goto("/staff/desk/")
    _scan(page, "A0001")
    page.locator("#desk-panel table td", has_text=BARCODE).wait_for()
    assert page.locator("html").get_attribute("lang") == language
    assert _broken(page) == []
    wrapper = page.locator("#desk-panel .table-wrap")
    assert wrapper.evaluate("w => w.scrollWidth <= w.clientWidth")  # it fits a tablet whole
    code = page.locator("#desk-panel td", has_text=BARCODE)
    assert code.evaluate("td => getComputedStyle(td).whiteSpace") == "nowrap"
    renew = page.locator("#desk-panel td button[type=submit]")
    assert renew.evaluate("b => getComputedStyle(b).whiteSpace") == "nowrap"
    # On a phone the table scrolls in its wrapper; the page itself does not get wider.
    page.set_viewport_size(PHONE)
    assert _broken(page) == []
    assert _page_width(page) <= PHONE["width"]
    lines = code.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    assert lines == 1  # the barcode on one line


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_overview_tiles_keep_their_words_whole(world, page, language):
    """The overview's tiles split "Koordineringskalen|der" and "Kalenderabonneme|nter"."""
    _in_language(page, language)
    for username in ("bib-a", "laerer-a"):
        _login(page, username, PASSWORD)
        for size in (TABLET, PHONE):
            page.set_viewport_size(size)
            page.goto("/staff/")
            assert page.locator("html").get_attribute("lang") == language
            assert _broken(page) == [], f"{username} at {size['width']} px"
            assert _page_width(page) <= size["width"]
            label = page.locator(".actions .action-label").first
            assert label.evaluate("e => getComputedStyle(e).hyphens") == "auto"
        page.context.clear_cookies()
        _in_language(page, language)


def test_scanning_at_the_desk_applies_no_inline_style(world, page):
    """htmx copied a `style` attribute while settling a swapped element, which the CSP blocked
    on every scan once anything (here a screenshot, as in the trial) had left a style="" on
    the old one. htmx is told to settle no style attribute (and to inject no <style>)."""
    _copy(world)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.set_viewport_size(TABLET)
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/desk/")
    page.wait_for_function("window.htmx !== undefined")
    page.screenshot(full_page=True)
    _scan(page, "A0001")
    page.locator("#patron-name").wait_for()
    page.screenshot(full_page=True)
    _scan(page, BARCODE)
    page.locator("#desk-panel table td", has_text=BARCODE).wait_for()
    page.get_by_role("button", name=f"Renew {TITLE}").click()
    page.locator("#desk-message").get_by_role("alert").wait_for()  # same day: no later date
    page.keyboard.press("Escape")  # the first Esc acknowledges the refusal ...
    page.keyboard.press("Escape")  # ... the second finishes the patron
    page.locator("#desk-panel .desk-mode").wait_for()
    assert page.locator("style").count() == 0
    assert problems == []
    config = page.evaluate(
        "[htmx.config.includeIndicatorStyles, htmx.config.attributesToSettle.includes('style')]"
    )
    assert config == [False, False]


def _touch_page(browser, live_server, size=TABLET):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="en-GB", base_url=live_server.url, viewport=size, has_touch=True
    )
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _small_targets(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """selector => [...document.querySelectorAll(selector)]
             .filter(e => e.getClientRects().length)
             .map(e => [e, e.getBoundingClientRect()])
             .filter(([e, r]) => r.height < 44 || r.width < 44)
             .map(([e, r]) => `${(e.innerText || e.name || e.tagName).trim().split('\\n')[0]}`
                              + ` ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        selector,
    )


HEADER_CONTROLS = ".topbar a, .topbar button, .topbar select, .topbar input:not([type=hidden])"


def test_the_header_is_44_px_targets_on_a_touch_screen_and_compact_with_a_mouse(
    world, page, browser, live_server
):
    """The sign-out button and the name were 24 px high; the language select and "Change" 30."""
    context, tablet = _touch_page(browser, live_server)
    try:
        assert tablet.evaluate("matchMedia('(pointer: coarse)').matches")
        sign_in(tablet, "bib-a", PASSWORD)
        for path in ("/staff/", "/staff/desk/", "/me/"):
            tablet.goto(path)
            assert _small_targets(tablet, HEADER_CONTROLS) == [], path
        sign_out = tablet.get_by_role("button", name="Sign out").bounding_box()
        header = tablet.locator(".topbar").bounding_box()
        assert sign_out and header and header["height"] < 2 * 44 + 24  # still one row
    finally:
        context.close()
    # With a mouse the header keeps its compact size.
    page.set_viewport_size(TABLET)
    sign_in(page, "bib-a", PASSWORD)
    assert not page.evaluate("matchMedia('(pointer: coarse)').matches")
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box and box["height"] < 44


def test_a_students_own_links_are_44_px_targets_on_a_touch_screen(
    world,
    browser,
    live_server,
    search_index,
):
    """The titles on "My loans", "My library record" and "Open it online" were one line of
    text high."""
    record = _copy(world)
    Record.objects.filter(pk=record.pk).update(url="https://example.org/saturn")
    item = record.items.get()
    loan_actions.checkout(SYSTEM, world.school_a, world.student_a1, item)
    context, tablet = _touch_page(browser, live_server)
    try:
        sign_in(tablet, "A0001", "4321")
        tablet.goto("/opac/me/")
        title = tablet.get_by_role("link", name=TITLE)
        record_link = tablet.get_by_role("link", name="My library record")
        for link in (title, record_link):
            box = link.bounding_box()
            assert box and box["height"] >= 44, link
        with tablet.expect_navigation():
            title.click()
        online = tablet.get_by_role("link", name="Open it online")
        box = online.bounding_box()
        assert box and box["height"] >= 44
        assert _page_width(tablet) <= TABLET["width"]
    finally:
        context.close()
