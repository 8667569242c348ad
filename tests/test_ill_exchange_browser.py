"""ISO 18626 between two Reols in Chromium: Nordskolen's librarian sends a request to
Hovedbiblioteket (another installation, answering at the live test server's ISO 18626
endpoint); Hovedbiblioteket's librarian sees it under "Lending to other libraries", says it
will lend it and lends it until a date; Nordskolen's request moved by itself, and the lender's
date is ready in the receive form. Nordskolen's students find their databases by grade."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.core.permissions import SYSTEM
from reol.external.models import IllRequest, PartnerRequest
from reol.external.states import IllState
from reol.external.tests.test_iso18626 import ENDPOINT, _ask, _hoved_record, _peers
from tests.test_external_browser import _as, _no_serious_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_request_travels_between_two_reols(world, live_server, browser):  # type: ignore[no-untyped-def]
    ours, _theirs, _lender = _peers(world, live_server.url + ENDPOINT)
    asked = _ask(world, ours)

    librarian = _as(browser, live_server, "bib-a")
    librarian.goto(f"/staff/external/loans/{asked.pk}/")
    librarian.get_by_text("as an ISO 18626 message").wait_for()
    librarian.get_by_role("button", name="Send the request").click()
    librarian.locator("#ill-state").get_by_text("sent to the lender").wait_for()

    lender = _as(browser, live_server, "bib-hoved")
    lender.goto("/staff/external/lending/")
    card = lender.locator(f"#partner-{PartnerRequest.objects.get().pk}")
    card.get_by_text("Vulkaner i Island").wait_for()
    _no_serious_axe(lender, "lending to other libraries")
    card.get_by_role("button", name="We will lend it").click()
    lender.get_by_text("Saved. The other library is told as soon as its system answers.").wait_for()
    due = timezone.localdate() + dt.timedelta(days=28)
    card = lender.locator(f"#partner-{PartnerRequest.objects.get().pk}")
    # Our copy goes out through circulation: the lender scans which one.
    theirs_asked = PartnerRequest.objects.get()
    catalog.add_items(SYSTEM, _hoved_record(theirs_asked), theirs_asked.school, barcodes=["HOV-1"])
    card.get_by_label("Due back").fill(due.isoformat())
    card.get_by_label("Copy's barcode").fill("HOV-1")
    card.get_by_role("button", name="Lent to them until the date").click()
    lender.get_by_text("Saved. The other library is told as soon as its system answers.").wait_for()
    lender.context.close()
    assert Item.objects.get(barcode="HOV-1").status == ItemStatus.ON_LOAN

    librarian.reload()
    librarian.locator("#ill-state").get_by_text("shipped by the lender").wait_for()
    assert librarian.get_by_label("Lender's due date").input_value() == due.isoformat()
    librarian.get_by_label("Barcode").fill("ILL-H1")
    librarian.get_by_role("button", name="Received").click()
    librarian.locator("#ill-state").get_by_text("received").wait_for()
    assert IllRequest.objects.get().lender_due == due
    assert IllRequest.objects.get().state == IllState.RECEIVED
    librarian.context.close()


def test_students_find_databases_by_grade(world, live_server, browser):  # type: ignore[no-untyped-def]
    from reol.core.permissions import SYSTEM
    from reol.external import databases

    databases.save_database(
        SYSTEM, world.school_a, name="Den Store Danske", url="https://lex.example/",
        grade_from=0, grade_to=10, subjects="Dansk", access="Log ind med UNI-Login",
    )  # fmt: skip
    databases.save_database(
        SYSTEM, world.school_a, name="Faktalink", url="https://faktalink.example/",
        grade_from=7, grade_to=10, subjects="Historie",
    )  # fmt: skip
    student = _as(browser, live_server, "elev-a1")
    student.goto("/me/")
    student.get_by_role("link", name="Databases and news").click()
    student.get_by_label("For").select_option("0-3")
    student.get_by_role("button", name="Show").click()
    student.get_by_role("link", name="Den Store Danske").wait_for()
    assert student.get_by_role("link", name="Faktalink").count() == 0
    student.get_by_text("Log ind med UNI-Login").wait_for()
    _no_serious_axe(student, "databases for students")
    student.context.close()
