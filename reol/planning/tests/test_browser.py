"""The issue's "Done when", in Chromium: a teacher plans "Vikingerne" (weeks 41–43) for 5.B,
builds a resource list of 28 copies of a novel and a film, books the media workshop for two
afternoons, sees it all in the coordination calendar beside 5.A's (on a desk and on a phone),
and gets calendar addresses that serve the events without signing in; on the first day the
librarian checks the booking out in one action."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from icalendar import Calendar

from reol.bookings.models import Booking
from reol.circulation.models import Loan
from reol.planning import services
from reol.planning.models import ResourceLine
from reol.planning.tests.conftest import YEAR
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Correct-Horse-42"
PHONE = {"width": 390, "height": 844}


def add_to_list(page, query: str, title: str, copies: int) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Search", exact=True).fill(query)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label(f"Copies of {title}").fill(str(copies))
    page.get_by_role("button", name=f"Add {title}").click()
    page.wait_for_load_state()
    page.get_by_text(f"{copies} × “{title}” is on the list.").wait_for()


def book_afternoon(page, day: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Room or equipment").select_option(label="Medieværkstedet")
    page.get_by_label("Day", exact=True).fill(day)
    page.get_by_label("From", exact=True).fill("12:30")
    page.get_by_label("To", exact=True).fill("15:00")
    page.get_by_role("button", name="Book", exact=True).click()
    page.wait_for_load_state()
    page.get_by_text("Medieværkstedet is booked on").wait_for()


def test_a_teacher_plans_vikingerne_and_subscribes(plans, page, browser):
    # 5.A has planned the same project, with 2 copies of the novel reserved.
    theirs = services.create_entry(
        plans.teacher_5a, plans.class_a, title="Vikingerne", weeks_text="41-43"
    )
    services.add_resource(plans.teacher_5a, theirs, plans.novel, 2)
    services.reserve_resources(plans.teacher_5a, theirs)

    sign_in(page, "laerer-a", PASSWORD)
    page.goto(f"/staff/planning/plans/?year={YEAR}")
    page.get_by_role("link", name="5.B").click()
    page.get_by_role("heading", name="Annual plan of 5.B").wait_for()
    page.get_by_label("Kind").select_option("project")
    page.get_by_label("Title").fill("Vikingerne")
    page.get_by_label("Subject").fill("Historie")
    page.get_by_label("Weeks").fill("41–43")
    page.get_by_label("Goals").fill("Vikingernes hverdag og togter")
    page.get_by_role("button", name="Add to the plan").click()
    page.wait_for_load_state()
    page.get_by_text("“Vikingerne” is in 5.B's plan, weeks 41–43.").wait_for()
    assert page.get_by_role("heading", name="Vikingerne").is_visible()

    add_to_list(page, "skjoldungernes saga", "Skjoldungernes saga", 28)
    add_to_list(page, "vikingerne kommer", "Vikingerne kommer", 1)
    page.get_by_role("button", name="Reserve for weeks 41–43").click()
    page.wait_for_load_state()
    page.get_by_text("Reserved for weeks 41–43").wait_for()
    lines = ResourceLine.objects.filter(resource_list__entry__group=plans.class_b)
    assert sorted((line.record.title, line.quantity) for line in lines) == [
        ("Skjoldungernes saga", 28),
        ("Vikingerne kommer", 1),
    ]
    assert all(line.booking_id for line in lines)

    book_afternoon(page, "2027-10-12")
    book_afternoon(page, "2027-10-14")
    assert Booking.objects.filter(group=plans.class_b, lines__resource=plans.workshop).count() == 2

    # The coordination calendar: 5.B's project and bookings beside 5.A's; 28 + 2 of the 30
    # copies is no clash (the school has them all).
    page.goto(f"/staff/planning/?year={YEAR}")
    week_41 = page.locator("tr#w2027-41")
    assert week_41.get_by_role("link", name="Vikingerne").count() == 2
    assert week_41.locator("td.clash").count() == 0
    assert week_41.get_by_text("Vikingerne 12 Oct 12:30").is_visible()
    assert page.locator("tr#w2027-42").get_by_text("Efterårsferie").is_visible()
    # On a phone the same weeks are a list.
    page.set_viewport_size(PHONE)
    page.reload()
    assert not page.locator("table.coordination").is_visible()
    card = page.locator("#list-w2027-41")
    assert card.get_by_role("link", name="Vikingerne").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.emulate_media(media="print")
    assert page.locator("table.coordination").is_visible()
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Subscribe: the coordination calendar and my bookings, at secret addresses.
    page.goto("/staff/planning/feeds/")
    for kind in ("coordination", "teacher_bookings"):
        page.get_by_label("Calendar", exact=True).select_option(kind)
        page.get_by_role("button", name="Make address").click()
        page.wait_for_load_state()
    urls = [u.input_value() for u in page.locator("input.feed-url").all()]
    assert len(urls) == 2 and all("/feeds/" in u and u.endswith(".ics") for u in urls)
    outsider = browser.new_context()  # no sign-in, no cookies
    try:
        fetched = {}
        for url in urls:
            response = outsider.request.get(url)
            assert response.status == 200
            assert response.headers["content-type"].startswith("text/calendar")
            fetched[url] = Calendar.from_ical(response.body())
        mine = fetched[urls[0]]  # newest first: my bookings
        starts = sorted(str(e["DTSTART"].to_ical().decode()) for e in mine.walk("VEVENT"))
        assert starts == ["20271011", "20271012T123000", "20271014T123000"]
        coordination = fetched[urls[1]]
        summaries = {str(e["SUMMARY"]) for e in coordination.walk("VEVENT")}
        assert {"5.A: Vikingerne", "5.B: Vikingerne"} <= summaries
        plan = next(
            e for e in coordination.walk("VEVENT") if str(e["SUMMARY"]) == "5.B: Vikingerne"
        )
        assert plan["DTSTART"].dt == dt.date(2027, 10, 11)
        # Revoked: the address shows nothing any more.
        page.get_by_role("button", name="Revoke").first.click()
        page.wait_for_load_state()
        assert outsider.request.get(urls[0]).status == 404
    finally:
        outsider.close()

    # On the first day (Monday of week 41) the librarian checks the class sets out in one
    # action, to the teacher (the bookings app's page and service).
    reserved = lines.first().booking
    librarian = browser.new_context(locale="en-GB", base_url=page.url.split("/staff")[0])
    try:
        desk = librarian.new_page()
        with mock.patch("django.utils.timezone.localdate", return_value=reserved.starts):
            sign_in(desk, "bib-a", PASSWORD)
            desk.goto(f"/staff/bookings/{reserved.pk}/")
            desk.get_by_role("button", name="Check out").click()
            desk.wait_for_load_state()
            desk.get_by_text("Lent 29 copies to").wait_for()
    finally:
        librarian.close()
    assert Loan.objects.filter(patron=plans.world.teacher_a, returned_at__isnull=True).count() == 29


@pytest.mark.parametrize("language", ["da", "nb", "en"])
def test_planning_pages_pass_axe_without_console_errors(plans, page, language):
    from axe_playwright_python.sync_playwright import Axe

    entry = services.create_entry(
        plans.world.librarian_a, plans.class_b, title="Vikingerne", weeks_text="41-43"
    )
    services.add_resource(plans.world.librarian_a, entry, plans.novel, 28)
    other = services.create_entry(
        plans.teacher_5a, plans.class_a, title="Vikingerne", weeks_text="41-43"
    )
    services.add_resource(plans.teacher_5a, other, plans.novel, 2)
    services.create_feed(plans.world.librarian_a, plans.school, "coordination")
    services.save_goal(plans.world.librarian_a, plans.school, school_year=YEAR, title="Læselyst")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    sign_in(page, "bib-a", PASSWORD)
    root = page.url.split("/staff")[0].split("/opac")[0].rstrip("/") + "/"
    page.context.add_cookies([{"name": "django_language", "value": language, "url": root}])
    axe = Axe()
    found: dict[str, list[str]] = {}
    for path in (
        f"/staff/planning/?year={YEAR}",
        f"/staff/planning/?year={YEAR}&view=list",
        f"/staff/planning/plans/?year={YEAR}",
        f"/staff/planning/plans/{plans.class_b.pk}/",
        f"/staff/planning/topics/{entry.pk}/?q=saga",
        f"/staff/planning/collaborations/?year={YEAR}",
        f"/staff/planning/team/?year={YEAR}",
        "/staff/planning/feeds/",
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        violations = axe.run(page).response["violations"]
        serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    assert found == {}
    assert problems == []


def test_deleting_a_collaboration_asks_first_and_looks_dangerous(plans, page):
    """What cannot be undone is red and asks first: dismissing the question keeps it."""
    from reol.planning.models import Collaboration

    course = services.create_collaboration(
        plans.world.librarian_a,
        plans.school,
        kind="course",
        title="Kildekritik",
        group=plans.class_b,
        starts=dt.date(2027, 10, 12),
        ends=dt.date(2027, 10, 12),
    )
    sign_in(page, "bib-a", PASSWORD)
    page.goto(f"/staff/planning/collaborations/{course.pk}/")
    delete = page.get_by_role("button", name="Delete", exact=True)
    red = delete.evaluate("b => getComputedStyle(b).backgroundColor")
    assert red == "rgb(164, 22, 26)"  # --bad
    questions: list[str] = []

    def answer(dialog, accept: bool) -> None:  # type: ignore[no-untyped-def]
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    delete.click()
    page.wait_for_timeout(300)
    assert questions == ["Delete the collaboration “Kildekritik” for good?"]
    assert Collaboration.objects.filter(pk=course.pk).exists()
    page.once("dialog", lambda d: answer(d, True))
    delete.click()
    page.get_by_text("The collaboration is deleted.").wait_for()
    assert not Collaboration.objects.filter(pk=course.pk).exists()
