"""In Chromium: a librarian books the media workshop for two afternoons and a class set of 28
copies for a teacher, sees a conflict with alternatives when booking again, and checks the
class set out in one action; the booking pages pass axe-core in da, nb and en and fit a phone.
"""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.bookings import services
from reol.bookings.models import Booking, BookingState
from reol.bookings.services import BookingRequest as R
from reol.circulation.models import Loan
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

from .conftest import make_centre

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_librarian_books_and_checks_out_a_class_set(world, page):
    c = make_centre(world, calendar=False)
    today = timezone.localdate()
    sign_in(page, "bib-a", PASSWORD)
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Bookings").click()
    page.get_by_role("link", name="Book a room, equipment or a class set").click()

    # The media workshop, two afternoons next week, for the teacher and 5.B.
    starts = today + dt.timedelta(days=7)
    page.get_by_label("What for").fill("Vikingerne – film")
    page.get_by_label("Room or equipment").select_option(label="Medieværkstedet")
    page.get_by_label("From", exact=True).fill(starts.isoformat())
    page.get_by_label("To", exact=True).fill((starts + dt.timedelta(days=1)).isoformat())
    page.get_by_label("From time").fill("12:00")
    page.get_by_label("To time").fill("14:30")
    page.get_by_label("Class or group").select_option(label="5.B")
    page.get_by_label("Teacher").select_option(label="Laerer-A Test")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("heading", name="Vikingerne – film")).to_be_visible()
    expect(page.get_by_text("Booked: Vikingerne – film.")).to_be_visible()

    # A class set of 28 copies from today, found by searching the catalogue.
    page.goto("/staff/bookings/new/")
    page.get_by_label("Find a title for a class set").fill("vikingernes")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Vikingernes saga", exact=False).check()
    page.get_by_label("How many").fill("28")
    page.get_by_label("From", exact=True).fill(today.isoformat())
    page.get_by_label("To", exact=True).fill((today + dt.timedelta(days=11)).isoformat())
    page.get_by_label("Teacher").select_option(label="Laerer-A Test")
    page.get_by_label("What for").fill("Læsekreds")
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("heading", name="Læsekreds")).to_be_visible()
    class_set_url = page.url

    # Booking again: the conflict names the holder and offers what is free.
    page.goto("/staff/bookings/new/")
    page.get_by_label("Find a title for a class set").fill("vikingernes")
    page.get_by_role("button", name="Search").click()
    page.get_by_label("Vikingernes saga", exact=False).check()
    page.get_by_label("How many").fill("10")
    page.get_by_label("From", exact=True).fill(today.isoformat())
    page.get_by_label("Teacher").select_option(label="Bente Lærer")
    page.get_by_role("button", name="Book", exact=True).click()
    conflict = page.get_by_role("alert").filter(has_text="This cannot be booked")
    expect(conflict).to_contain_text("Only 2 of the 30 copies")
    expect(conflict).to_contain_text("Laerer-A Test")
    expect(
        conflict.get_by_role("link", name="2 copies of “Vikingernes saga” on the same days")
    ).to_be_visible()
    later = conflict.get_by_role("link").filter(has_text="10 copies from")
    expect(later.first).to_be_visible()
    later.first.click()  # the form again, with the free week filled in
    page.get_by_label("Vikingernes saga", exact=False).check()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Booked:")).to_be_visible()
    assert Booking.objects.count() == 3

    # The first day: one action lends all 28 copies to the teacher.
    page.goto(class_set_url)
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_text("Lent 28 copies to Laerer-A Test.")).to_be_visible()
    expect(page.locator("#booking-state")).to_have_text("checked out")
    expect(page.get_by_text("0 of 28 copies are back.")).to_be_visible()
    assert Loan.objects.filter(patron=c.world.teacher_a, returned_at__isnull=True).count() == 28
    assert Booking.objects.get(title="Læsekreds").state == BookingState.CHECKED_OUT


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_booking_pages_pass_axe_and_fit_a_phone(world, page, language):
    c = make_centre(world, calendar=False)
    today = timezone.localdate()
    booking = services.book(
        SYSTEM,
        c.school,
        starts=today + dt.timedelta(days=1),
        ends=today + dt.timedelta(days=2),
        lines=[R(record=c.novel, quantity=3), R(resource=c.workshop)],
        teacher=c.world.teacher_a,
        group=c.group,
        title="Vikingerne",
    )
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto("/accounts/login/")
    root = page.url.split("/accounts/")[0] + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    page.locator("#id_username").fill("bib-a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    found: dict[str, list[str]] = {}
    for url in [
        "/staff/bookings/",
        "/staff/bookings/new/?q=vikinger",
        f"/staff/bookings/{booking.pk}/",
        "/staff/bookings/pick-list/",
        "/staff/bookings/resources/",
        f"/staff/bookings/resources/{c.workshop.pk}/",
    ]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == language
        violations = Axe().run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[url] = serious
        # Nothing wider than the phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, (url, width)
    assert not found, found
