"""Issue 14's "Done when", in Chromium: a teacher plans weeks 41–43 and, from the plan, books a
class set and the media workshop for the same weeks. Every form shows the dates and year the
weeks mean before saving, the autumn holiday inside is flagged, both bookings land in the plan's
dated weeks (2027, not a year later), and the coordination calendar shows them together."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from reol.bookings.models import Booking
from reol.planning.models import PlanEntry
from reol.planning.tests.conftest import YEAR
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-42"
TODAY = dt.date(2027, 9, 1)  # a Wednesday of 2027/28, before the weeks planned
BOOK_LINK = "Book a room, equipment or a class set for weeks 41–43"
MEANING = "weeks 41–43: 11 Oct – 29 Oct 2027"


def test_plan_and_book_weeks_41_to_43_land_in_the_same_dated_weeks(plans, page):
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        sign_in(page, "laerer-a", PASSWORD)
        page.goto(f"/staff/planning/plans/{plans.class_b.pk}/")
        page.get_by_label("Title").fill("Vikingerne")
        page.get_by_label("Weeks").fill("41–43")
        preview = page.locator(".weeks-preview")
        preview.get_by_text(MEANING).wait_for()  # the year, before saving
        assert "Efterårsferie" in preview.inner_text()  # the holiday inside
        page.get_by_role("button", name="Add to the plan").click()
        page.wait_for_load_state()
        page.get_by_text("Holiday inside weeks 41–43: Efterårsferie").first.wait_for()
        entry = PlanEntry.objects.get(group=plans.class_b)
        assert (entry.starts, entry.ends) == (dt.date(2027, 10, 11), dt.date(2027, 10, 29))

        # From the plan: the media workshop for the same weeks.
        page.get_by_role("link", name=BOOK_LINK).click()
        page.wait_for_load_state()
        assert page.get_by_label("School year").input_value() == YEAR
        page.locator(".weeks-preview").get_by_text(MEANING).wait_for()
        page.get_by_label("Room or equipment").select_option(label="Medieværkstedet")
        page.get_by_role("button", name="Book", exact=True).click()
        page.wait_for_load_state()
        page.get_by_text("Holiday inside weeks 41–43").first.wait_for()

        # And a class set of the novel, again from the plan.
        page.goto(f"/staff/planning/topics/{entry.pk}/")
        page.get_by_role("link", name=BOOK_LINK).click()
        page.wait_for_load_state()
        page.get_by_label("Find a title for a class set").fill("Skjoldungernes")
        page.get_by_role("button", name="Search", exact=True).click()
        page.wait_for_load_state()
        assert "30 free then" in page.content()  # counted for the plan's weeks
        page.get_by_label("Skjoldungernes saga", exact=False).first.check()
        page.get_by_label("How many").fill("28")
        page.locator(".weeks-preview").get_by_text(MEANING).wait_for()
        page.get_by_role("button", name="Book", exact=True).click()
        page.wait_for_load_state()
        page.get_by_text("Booked:").wait_for()

        booked = Booking.objects.filter(group=plans.class_b)
        assert {(b.starts, b.ends) for b in booked} == {(entry.starts, entry.ends)}
        assert booked.count() == 2

        # The plan page lists both; the coordination calendar shows them beside the plan.
        page.goto(f"/staff/planning/topics/{entry.pk}/")
        assert page.locator("#rooms li").count() == 2
        page.goto("/staff/planning/")
        assert page.get_by_label("School year").locator("option", has_text="2028/29").count() == 1
        week_41 = page.locator("tr#w2027-41")
        assert week_41.get_by_role("link", name="Vikingerne").count() == 1
        assert week_41.locator("span.booking").count() == 2
        assert not week_41.locator("td.clash").count()
