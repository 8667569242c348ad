"""The workshop's path in Chromium: a teacher books a kit (through the bookings' own form) and
a guidance session; a student asks for one; the teacher agrees; the librarian sees both and
confirms; a student searches the guides in Danish and reads one in Danish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.bookings.models import Booking
from reol.workshop import services
from reol.workshop.models import GuidanceSession, Guide
from tests.conftest import sign_in

from .conftest import TEXTS, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_kits_sessions_and_guides(workshop: Workshop, page, browser, live_server):  # type: ignore[no-untyped-def]
    w = workshop.world
    day = workshop.day.isoformat()
    services.save_guide(w.librarian_a, w.school_a, kind=Guide.Kind.EQUIPMENT, texts=TEXTS)
    services.save_guide(
        w.librarian_a,
        w.school_a,
        kind=Guide.Kind.PLATFORM,
        texts={"da": ("Aflever en opgave", "Åbn forløbet og vælg Aflever.")},
    )

    sign_in(page, "laerer-a", PASSWORD)
    page.goto(f"/staff/workshop/teacher/?day={day}")
    expect(page.locator("#kits")).to_contain_text("2 of 2 free")
    page.locator("#kits").get_by_role("link", name="Book").click()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.locator("body")).to_contain_text("Booked")
    assert Booking.objects.filter(
        teacher=w.teacher_a, lines__resource=workshop.kit.resource
    ).exists()

    page.goto("/staff/workshop/teacher/")
    page.get_by_label("Topic").fill("Green screen")
    page.get_by_label("Day").fill(day)
    page.get_by_label("Class or group").select_option(label="7.A")
    page.get_by_role("button", name="Book guidance").click()
    expect(page.locator("#my-sessions")).to_contain_text("Green screen")

    w.student_a1.preferred_language = "da"  # signing in sets the language cookie
    w.student_a1.save(update_fields=["preferred_language"])
    student_context = browser.new_context(locale="en-GB", base_url=live_server.url)
    student_context.set_default_timeout(15_000)
    student = student_context.new_page()
    sign_in(student, "elev-a1", PASSWORD)
    student.goto("/me/workshop/")
    student.locator("#id_topic").fill("Stop motion")
    student.locator("#id_day").fill(day)
    student.locator("#request-form button[type=submit]").click()
    expect(student.locator("#my-requests")).to_contain_text("Stop motion")
    asked = GuidanceSession.objects.get(topic="Stop motion")
    assert asked.state == "requested" and asked.teacher == w.teacher_a

    page.goto("/staff/workshop/teacher/")
    request = page.locator("#requests li", has_text="Stop motion")
    request.get_by_role("button", name="Agree").click()
    expect(page.locator("#requests")).not_to_contain_text("Stop motion")

    library_context = browser.new_context(locale="en-GB", base_url=live_server.url)
    library_context.set_default_timeout(15_000)
    library = library_context.new_page()
    sign_in(library, "bib-a", PASSWORD)
    library.goto("/staff/workshop/")
    expect(library.locator("#to-confirm")).to_contain_text("Green screen")
    row = library.locator("#to-confirm li", has_text="Stop motion")
    expect(row).to_contain_text("Elev-A1")
    row.get_by_role("button", name="Confirm").click()
    expect(library.locator("#confirmed")).to_contain_text("Stop motion")
    library_context.close()
    asked.refresh_from_db()
    assert asked.state == "confirmed"

    student.goto("/me/workshop/guides/")
    student.locator("#id_q").fill("stativet")
    student.locator("#id_q").press("Enter")
    expect(student.locator("#guides li")).to_have_count(1)
    expect(student.locator("#guides")).to_contain_text("Sådan filmer du med kameraet")
    student.locator("#guides a").click()
    expect(student.locator("article h1")).to_have_text("Sådan filmer du med kameraet")
    student_context.close()
    assert timezone.localdate() < workshop.day <= timezone.localdate() + dt.timedelta(days=7)


def test_the_librarian_edits_a_guide_at_320_px(workshop: Workshop, page):  # type: ignore[no-untyped-def]
    """The edit page of an existing guide (it once crashed: the site's language list overwrote
    the page's), in Chromium at 320 px: it reflows, its fields are named, and a change saves."""
    from pathlib import Path

    w = workshop.world
    guide = services.save_guide(w.librarian_a, w.school_a, kind=Guide.Kind.EQUIPMENT, texts=TEXTS)
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/workshop/guides/{guide.pk}/edit/")
    expect(page.locator("#id_title_en")).to_have_value(TEXTS["en"][0])
    checks = (Path(__file__).resolve().parents[3] / "tests" / "a11y_checks.js").read_text()
    page.keyboard.press("Tab")
    result = page.evaluate(checks)
    assert result["scrollWidth"] <= 320
    assert not [result[k] for k in ("offscreen", "duplicates", "unlabelled", "rings") if result[k]]
    page.locator("#id_title_en").fill("How to film with the tablet")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("body")).to_contain_text("The guide is saved.")
    assert guide.texts.get(language="en").title == "How to film with the tablet"
