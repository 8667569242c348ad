"""Forms in a real browser, as a keyboard and screen-reader user meets them: after a refused
submit the focus is on a summary of what went wrong at the top, each line links to its field,
the field shows its own error and keeps what was typed; Enter in the booking form books; the
focus ring is dark on white and white on the blue top bar."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item
from reol.catalog.tests.helpers import book
from reol.core.models import Location
from reol.core.permissions import SYSTEM
from reol.patrons.models import Block
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def focused(page) -> dict:  # type: ignore[no-untyped-def]
    return page.evaluate(
        "() => ({cls: document.activeElement.className, id: document.activeElement.id})"
    )


def test_refused_copies_keep_what_was_typed_and_the_summary_takes_the_focus(world, page):
    Location.objects.create(school=world.school_a, code="skon", name="Skønlitteratur")
    record = catalog.create_record(SYSTEM, world.municipality, book("Rejsen til Saturn"))
    sign_in(page, "bib-a", PASSWORD)
    page.goto(record.get_absolute_url())
    page.get_by_label("Barcodes").fill("GOOD-1\nno good!")
    page.get_by_label("Location").select_option(label="Skønlitteratur")
    page.get_by_label("Shelf mark for these copies").fill("99.4 Lin")
    page.locator("#add-copies").get_by_role("button", name="Add copies").click()
    page.wait_for_load_state()
    assert focused(page)["cls"] == "error-summary"
    summary = page.locator(".error-summary")
    assert "Barcodes: A barcode may have letters" in summary.inner_text()
    # The typed values are still there, and the error is at its field.
    assert page.get_by_label("Barcodes").input_value() == "GOOD-1\nno good!"
    assert page.get_by_label("Shelf mark for these copies").input_value() == "99.4 Lin"
    field = page.locator("#add-copies .field", has=page.get_by_label("Barcodes"))
    assert "these cannot be used: no good!" in field.inner_text()
    assert not Item.objects.filter(record=record).exists()
    summary.get_by_role("link").first.click()
    assert focused(page)["id"] == "id_barcodes"


def test_a_refused_status_change_and_block_show_the_error_at_the_field(world, page):
    record = catalog.create_record(SYSTEM, world.municipality, book("Atlas"))
    catalog.add_items(SYSTEM, record, world.school_a, barcodes=["AT1"])
    item = Item.objects.get(barcode="AT1")
    sign_in(page, "bib-a", PASSWORD)
    page.goto(record.get_absolute_url())
    # The browser's own check is off, as with an old browser or a script: the server answers.
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
    page.get_by_role("button", name="Change", exact=True).last.click()
    page.wait_for_load_state()
    assert focused(page)["cls"] == "error-summary"
    assert f"New status for {item.barcode}" in page.locator(".error-summary").inner_text()
    assert page.locator(f"#status-{item.pk}").get_attribute("aria-invalid") == "true"
    assert "This field is required." in page.locator(f"#status-{item.pk}-error").inner_text()

    from reol.patrons import services as patrons

    patron = patrons.create_patron(
        SYSTEM, world.school_a, category="student", user=world.student_a1
    )
    page.goto(f"/staff/patrons/{patron.pk}/")
    page.evaluate("document.querySelectorAll('[required]').forEach(e => e.required = false)")
    page.get_by_label("Note").fill("Three books lost since August")
    page.get_by_role("button", name="Block borrowing").click()
    page.wait_for_load_state()
    assert focused(page)["cls"] == "error-summary"
    assert page.get_by_label("Note").input_value() == "Three books lost since August"
    reason = page.locator(".field", has=page.get_by_label("Reason"))
    assert "This field is required." in reason.inner_text()
    assert not Block.objects.exists()


def test_required_fields_are_marked_and_aria_required(world, page):
    sign_in(page, "bib-a", PASSWORD)
    page.goto("/staff/patrons/new/")
    username = page.get_by_label("Username")
    assert username.get_attribute("aria-required") == "true"
    label = page.locator(f"label[for='{username.get_attribute('id')}']")
    mark = label.evaluate("l => getComputedStyle(l, '::after').content")
    assert "*" in mark
    assert "Fields marked * must be filled in." in page.content()


def test_enter_in_the_booking_form_books_and_in_the_search_field_searches(world, page):
    from reol.bookings import services as bookings

    room = bookings.create_resource(world.librarian_a, world.school_a, name="Lab", kind="room")
    sign_in(page, "laerer-a", PASSWORD)
    page.goto(f"/staff/bookings/new/?resource={room.pk}")
    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday() + 7)
    page.get_by_label("Find a title for a class set").fill("atlas")
    page.get_by_label("Find a title for a class set").press("Enter")
    page.wait_for_load_state()
    assert "No title with copies here matches." in page.content()  # it searched
    page.get_by_label("What for").fill("Forsøg")
    page.get_by_label("From", exact=True).fill(monday.isoformat())
    page.get_by_label("To", exact=True).fill(monday.isoformat())
    page.get_by_label("What for").press("Enter")
    page.wait_for_load_state()
    from reol.bookings.models import Booking

    assert Booking.objects.filter(title="Forsøg").count() == 1


def test_the_focus_ring_is_dark_on_the_page_and_white_on_the_top_bar(world, page):
    sign_in(page, "bib-a", PASSWORD)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # "Reol", in the blue top bar
    colour = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert colour == "rgb(255, 255, 255)"
    page.get_by_role("link", name="People").focus()
    colour = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
    assert colour == "rgb(29, 35, 48)"  # 15:1 on white; the old #ffbf47 was 1.6:1
