"""The external collections' "done when" path in Chromium: a teacher finds a title the school
lacks at the public library (a real SRU server: Reol's own endpoint of another installation,
under the live test server) and asks for it for week 45; the librarian sends the request,
receives the book, lends it at the desk until the lender's date, takes it back and sends it
back (the copy leaves the collection); a student opens a licensed film, the librarian is
warned a month ahead, and after the licence's end the link is gone."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import Item, ItemStatus
from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.external import licences
from reol.external.models import IllRequest, Licence, LicenceUse
from reol.external.tests.conftest import add_target, build_public_library
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    sign_in(page, username, PASSWORD)
    return page


def _no_serious_axe(page, where: str) -> None:  # type: ignore[no-untyped-def]
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, (
        where,
        [
            (v["id"], [n["html"][:200] for n in v["nodes"]])
            for v in violations
            if v["impact"] in ("serious", "critical")
        ],
    )


def _scan(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_teacher_asks_librarian_borrows_lends_and_sends_back(world, live_server, browser):
    public_library = build_public_library(world)
    add_target(world, live_server.url + public_library.path)
    teacher = _as(browser, live_server, "laerer-a")
    teacher.goto("/opac/search/?q=vulkaner+island")
    beyond = teacher.locator("section.beyond")
    beyond.get_by_role("heading", name="At Fjordby Bibliotek: 1").wait_for()
    _no_serious_axe(teacher, "opac results with other libraries")
    hit = beyond.locator("li.hit", has_text="Vulkaner i Island")
    hit.get_by_role("button", name="Ask to borrow").click()
    teacher.get_by_label("For week").fill("45")
    teacher.get_by_label("Note for the librarian").fill("Til 7.b's vulkanforløb")
    teacher.get_by_role("button", name="Send to the library").click()
    teacher.get_by_text("Thank you. The library will borrow it for you.").wait_for()
    asked = IllRequest.objects.get()
    assert (asked.title, asked.week, asked.requester) == ("Vulkaner i Island", 45, world.teacher_a)
    teacher.context.close()

    librarian = _as(browser, live_server, "bib-a")
    librarian.goto("/staff/external/loans/")
    librarian.get_by_role("link", name="Vulkaner i Island").click()
    _no_serious_axe(librarian, "request to approve")
    librarian.get_by_role("button", name="Approve").click()
    out = librarian.get_by_role("region", name="What the lender is sent")
    out.get_by_text("Vulkaner i Island").wait_for()
    _no_serious_axe(librarian, "request to send")
    assert out.get_by_text("Laerer-A").count() == 0  # who asked stays here
    librarian.get_by_role("button", name="Send the request").click()
    librarian.locator("#ill-state").get_by_text("sent to the lender").wait_for()
    assert mail.outbox[-1].to == ["fjernlaan@fjordby.example"]
    librarian.get_by_role("button", name="Accepted").click()
    librarian.locator("#ill-state").get_by_text("accepted by the lender").wait_for()
    lender_due = timezone.localdate() + dt.timedelta(days=12)
    librarian.get_by_label("Lender's due date").fill(lender_due.isoformat())
    librarian.get_by_label("Barcode").fill("ILL-1")
    librarian.get_by_role("button", name="Received").click()
    librarian.locator("#ill-state").get_by_text("received").wait_for()

    librarian.goto("/staff/desk/")
    _scan(librarian, "laerer-a")
    librarian.locator("#desk-message").get_by_text("Lending to").wait_for()
    _scan(librarian, "ILL-1")
    librarian.get_by_role("heading", name="1 loan").wait_for()
    loan = Loan.objects.get(item__barcode="ILL-1")
    assert loan.due_date == lender_due and loan.patron == world.teacher_a
    librarian.keyboard.press("Escape")
    librarian.locator("#desk-message").get_by_text("Ready for the next patron.").wait_for()
    _scan(librarian, "ILL-1")
    librarian.locator("#desk-message").get_by_text("Returned “Vulkaner i Island”.").wait_for()

    librarian.goto(f"/staff/external/loans/{asked.pk}/")
    librarian.locator("#ill-state").get_by_text("returned by the borrower").wait_for()
    librarian.get_by_role("button", name="Send it back").click()
    librarian.locator("#ill-state").get_by_text("sent back").wait_for()
    assert Item.objects.get(barcode="ILL-1").status == ItemStatus.WITHDRAWN
    librarian.goto(f"/opac/records/{Item.objects.get(barcode='ILL-1').record_id}/")
    assert librarian.get_by_text("ILL-1").count() == 0  # not among the copies any more
    librarian.context.close()


def test_student_opens_a_licensed_film_until_the_licence_ends(world, live_server, browser):
    world.school_a.email = "bibliotek@nord.example"
    world.school_a.save()
    film = catalog.create_record(
        SYSTEM, world.municipality, catalog.new_marc(title="Vulkanernes hemmeligheder")
    )
    today = timezone.localdate()
    licence = licences.save_licence(
        SYSTEM, film, world.school_a, provider="Filmcentralen",
        url="https://film.example/vulkaner", starts=today - dt.timedelta(days=60),
        ends=today + dt.timedelta(days=25), audience="signed_in", cost=0,
    )  # fmt: skip
    student = _as(browser, live_server, "elev-a1")
    student.route(
        "https://film.example/**",
        lambda route: route.fulfill(body="<h1>Filmen</h1>", content_type="text/html"),
    )
    student.goto(f"/opac/records/{film.pk}/")
    student.get_by_role("link", name="Open at Filmcentralen").click()
    student.get_by_role("heading", name="Filmen").wait_for()
    assert LicenceUse.objects.get(licence=licence).count == 1

    # The daily job warns the librarian a month ahead; the dashboard counts it too.
    assert licences.warn_expiring() == 1
    assert AuditEvent.objects.filter(action="licence.expiry_warned").count() == 1
    librarian = _as(browser, live_server, "bib-a")
    librarian.goto("/staff/")
    librarian.get_by_text("Licences ending within a month").wait_for()

    # The end date passes: the link is gone.
    Licence.objects.filter(pk=licence.pk).update(
        starts=today - dt.timedelta(days=90), ends=today - dt.timedelta(days=1)
    )
    student.goto(f"/opac/records/{film.pk}/")
    student.get_by_role("heading", name="Vulkanernes hemmeligheder").wait_for()
    assert student.get_by_role("link", name="Open at Filmcentralen").count() == 0
    assert (
        student.request.get(f"/external/licences/{licence.pk}/open/", max_redirects=0).status == 403
    )
    student.context.close()
    librarian.context.close()
