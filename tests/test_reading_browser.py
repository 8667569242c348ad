"""Reading promotion in Chromium on a tablet: covers in the results, the level in words, a title
read aloud from the keyboard, and a review that shows once the librarian approves it."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from reol.catalog.models import Item, Record
from reol.circulation.actions import loans
from reol.opac.tests.conftest import build_shelf
from reol.patrons.models import Patron
from reol.reading import campaigns, doors, services
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}

# The page's speech is recorded instead of spoken (a headless browser has no voices).
SPEECH_SPY = """
window.__said = [];
const synth = window.speechSynthesis || {};
synth.speak = (u) => window.__said.push({text: u.text, lang: u.lang});
synth.cancel = () => {};
if (!window.speechSynthesis) {
  Object.defineProperty(window, "speechSynthesis", {value: synth});
}
"""


def test_a_student_sees_covers_and_levels_hears_a_title_and_reviews_it(world, page, search_index):  # type: ignore[no-untyped-def]
    shelf = build_shelf(world)
    Patron.objects.create(user=world.student_a1, school=world.school_a, category="student", grade=4)
    record = Record.objects.get(pk=shelf.ids["hp1_da"])
    copy = Item.objects.filter(record=record, school=world.school_a, status="available").first()
    assert copy is not None
    loans.checkout(world.librarian_a, world.school_a, world.student_a1, copy)
    page.add_init_script(SPEECH_SPY)
    page.set_viewport_size(TABLET)
    doors.create_door(
        world.librarian_a,
        world.school_a,
        doors.DoorSpec(label_en="Wizards", words="harry potter", symbol="🏰"),
    )
    sign_in(page, "A0001", "4321")
    page.get_by_role("link", name="Wizards").click()  # a picture door on the front page
    page.wait_for_url("**/opac/search/**")
    # A fourth-grader's own filters say how hard in words, not LIX numbers.
    assert page.get_by_role("link", name="Easy for me").is_visible()
    page.goto("/opac/search/?q=harry+potter&scope=all")
    covers = page.locator("li.hit img.cover")
    covers.first.wait_for()
    assert covers.count() >= 3
    # The covers in view really are images the browser can draw (the rest load lazily).
    page.wait_for_function(
        "() => [...document.querySelectorAll('li.hit img.cover')].slice(0, 3)"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator(".badge.level").count() >= 1
    page.goto(f"/opac/records/{record.pk}/")  # the Danish edition she borrowed
    page.get_by_role("heading", name="Harry Potter og De Vises Sten").wait_for()
    assert page.get_by_role("img", name="Cover of Harry Potter og De Vises Sten").is_visible()
    # Read aloud from the keyboard alone: focus the button, press Enter.
    button = page.get_by_role("button", name="Read aloud: Harry Potter og De Vises Sten")
    button.focus()
    page.keyboard.press("Enter")
    said = page.evaluate("window.__said")
    assert said and "Harry Potter og De Vises Sten" in said[0]["text"]
    assert said[0]["lang"] == "en-GB"  # the page's language (English in this browser)
    assert button.get_attribute("aria-pressed") == "true"
    # On a phone each star's radio stays beside its own label (the 4's radio ended one line and
    # "4 stars" began the next, where a child would tap the 5).
    page.set_viewport_size({"width": 320, "height": 640})
    for n in range(1, 6):
        radio = page.locator(f"#stars-{n}").bounding_box()
        label = page.locator(f"label[for=stars-{n}]").bounding_box()
        assert radio and label, n
        assert abs((radio["y"] + radio["height"] / 2) - (label["y"] + label["height"] / 2)) < 8, n
        assert 0 <= label["x"] - (radio["x"] + radio["width"]) < 16, (n, radio, label)
    page.set_viewport_size(TABLET)
    # She has it on loan: she may review it; it waits for the librarian.
    page.get_by_text("5 stars", exact=True).click()
    page.get_by_label("What did you think?").fill("Magisk!")
    page.get_by_role("button", name="Send my review").click()
    page.get_by_text("Your review is waiting for the librarian.").wait_for()
    review = record.reviews.get()
    services.decide_review(world.librarian_a, review, approve=True)
    page.reload()
    page.locator(".reviews").get_by_text("Magisk!").wait_for()
    assert page.get_by_text("Your review is shown.").is_visible()
    # She logs it in the class's summer-reading campaign; its bar moves.
    today = timezone.localdate()
    campaign = campaigns.create_campaign(
        world.librarian_a,
        world.school_a,
        title="Sommerlæsning",
        starts_on=today,
        ends_on=today + dt.timedelta(days=60),
        goal=5,
    )
    page.get_by_role("link", name="Reading challenges").click()
    page.get_by_role("button", name="Join").click()
    bar = page.get_by_role("progressbar")
    before = int(bar.get_attribute("aria-valuenow") or "0")  # her open loan counts already
    page.goto(f"/opac/records/{record.pk}/")
    # Her loan of it counted by itself (she chose "count the books I borrow").
    assert page.get_by_text("Logged in Sommerlæsning.").is_visible()
    page.get_by_role("link", name="Reading challenges").click()
    assert int(page.get_by_role("progressbar").get_attribute("aria-valuenow") or "0") == before
    page.get_by_label("I read (the title)").fill("Bogen fra mormor")
    page.get_by_role("button", name="Log it", exact=True).click()
    page.get_by_text("Logged! Your bar moved.").wait_for()
    after = int(page.get_by_role("progressbar").get_attribute("aria-valuenow") or "0")
    assert after == before + 1
    assert campaign.participants.get().logs.count() == after
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    page.goto(f"/opac/records/{record.pk}/")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
