"""The issue's "Done when" in Chromium: a county coordinator sets up a network of two
municipalities and a county library and publishes a competence survey; three staff members
answer; the needs analysis names the weakest area; a three-session course on it with an online
arena; staff register (the one waiting moves up when another cancels), attend, write a
reflection and get certificates; a job-shadowing placement is offered, requested, matched and
reported; a school librarian records a workshop with the Danish subject committee and a
follow-up task."""

from __future__ import annotations

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from conftest import PASSWORD
from reol.competence import access
from reol.competence.models import Network, Registration, Survey
from reol.competence.services import mapping, networks
from reol.core.permissions import SYSTEM
from tests.conftest import sign_in

from .conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _form(page, action: str):  # type: ignore[no-untyped-def]
    return page.locator(f"form:has(input[name=action][value={action}])")


CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "") + " " + (e.sample || ""));
});
"""


def _checked(page) -> None:  # type: ignore[no-untyped-def]
    """No serious or critical axe-core finding, and nothing the CSP refused."""
    violations = Axe().run(page).response["violations"]
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.evaluate("window.__csp || []") == []


def _as(page, username: str, path: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    sign_in(page, username, PASSWORD)
    page.goto(path)


def _set_up_network(page, network: Network) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    sign_in(page, "koord", PASSWORD)  # lands on the competence page: no school, a network
    page.get_by_role("link", name="Coordinate the network").click()
    for name in ("Solbjerg Kommune", "Fjordby Kommune"):
        _form(page, "municipality").get_by_label("Municipality").select_option(label=name)
        page.get_by_role("button", name="Add municipality").click()
    library = _form(page, "library")
    library.get_by_label("Library").fill("Amtsbiblioteket")
    library.get_by_label("Kind").select_option(label="county library")
    page.get_by_role("button", name="Add library").click()
    expect(page.get_by_text("Amtsbiblioteket (county library)")).to_be_visible()
    for username in ("amt-1", "amt-2"):
        staff = _form(page, "staff")
        staff.get_by_label("Username").fill(username)
        staff.get_by_label("Library", exact=True).select_option(label="Amtsbiblioteket")
        page.get_by_role("button", name="Add staff member").click()
    expect(
        page.get_by_text("Amtsbiblioteket (county library): Amt-1 Test, Amt-2 Test")
    ).to_be_visible()
    _checked(page)
    _form(page, "survey").get_by_label("Title of the survey").fill("Kortlægning 2027")
    page.get_by_role("button", name="Create survey").click()
    page.get_by_role("button", name="Publish Kortlægning 2027").click()
    expect(page.get_by_text("open for answers")).to_be_visible()


def _answer(page, username: str) -> None:  # type: ignore[no-untyped-def]
    _as(page, username, "/staff/competence/")
    page.get_by_role("link", name="Kortlægning 2027").click()
    for area in ("Cooperation and partnerships", "Reading promotion"):
        page.get_by_label(f"{area}: my level now").select_option("3")
        page.get_by_label(f"{area}: the level my work needs").select_option("3")
    page.get_by_label("Digital tools: my level now").select_option("1")
    page.get_by_label("Digital tools: the level my work needs").select_option("5")
    page.get_by_label("Digital tools: I want a course").check()
    if username == "bib-a":
        _checked(page)
    page.get_by_label("What would you like to learn?").fill("Digitale værktøjer i undervisningen")
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_text("your answers are saved")).to_be_visible()


def _course(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="Amtets netværk").click()
    course = _form(page, "course")
    course.get_by_label("Title", exact=True).fill("Digitale værktøjer")
    course.get_by_label("Competence area").select_option(label="Digital tools")
    course.get_by_label("Places").fill("2")
    page.get_by_role("button", name="Create course").click()
    page.get_by_role("link", name="Digitale værktøjer").click()
    today = timezone.localdate()
    for n, (day, place, link) in enumerate(
        [
            (-14, "Amtsbiblioteket", ""),
            (-7, "", "https://meet.example.org/dv"),
            (-1, "Amtsbiblioteket", ""),
        ],
        start=1,
    ):
        session = _form(page, "session")
        session.get_by_label("Title", exact=True).fill(f"Samling {n}")
        when = (today + dt.timedelta(days=day)).isoformat()
        session.get_by_label("Starts").fill(f"{when}T09:00")
        session.get_by_label("Ends").fill(f"{when}T12:00")
        session.get_by_label("Place").fill(place)
        session.get_by_label("Online link").fill(link)
        page.get_by_role("button", name="Add session").click()
        expect(page.get_by_role("heading", name=f"{n}. Samling {n}")).to_be_visible()
    _form(page, "material").get_by_label("Title", exact=True).fill("Værktøjskassen")
    _form(page, "material").get_by_label("Link").fill("https://example.org/kasse")
    page.get_by_role("button", name="Add material").click()
    _form(page, "task").get_by_label("Task", exact=True).fill("Prøv et værktøj med en klasse")
    page.get_by_role("button", name="Add task").click()
    expect(page.get_by_role("link", name="Værktøjskassen")).to_be_visible()


def test_done_when(world, page):
    page.add_init_script(CSP_WATCH)
    network = networks.create_network(SYSTEM, code="amt", name="Amtets netværk")
    networks.appoint_coordinator(SYSTEM, network, make_user("koord"))
    staff = [make_user(f"amt-{n}") for n in range(1, 5)]
    _set_up_network(page, network)

    county = network.libraries.get()
    for person in staff[2:]:
        networks.add_library_staff(SYSTEM, county, person)
    survey = Survey.objects.get()
    for person in staff[2:]:  # two answers given earlier, so the network is no small group
        answers = {a.pk: mapping.Answer(3, 4) for a in network.areas.all()}
        mapping.answer_survey(person, survey, access.Workplace(library=county), answers)
    for username in ("bib-a", "amt-1", "amt-2"):
        _answer(page, username)

    _as(page, "koord", f"/staff/competence/surveys/{survey.pk}/analysis/")
    expect(page.locator("#weakest")).to_contain_text("Digital tools")
    expect(page.locator("#ranking tbody tr").first).to_contain_text("large gap")
    expect(page.get_by_role("row", name="Nordskolen")).to_contain_text("fewer than 5")
    _checked(page)
    _course(page)
    course_url = page.url

    for username in ("amt-1", "amt-2", "bib-a"):
        _as(page, username, course_url)
        page.get_by_role("button", name="Register").click()
    expect(page.locator("#my-status")).to_have_text("You are on the waiting list, number 1.")
    _as(page, "amt-2", course_url)
    page.get_by_role("button", name="Cancel my registration").click()
    _as(page, "bib-a", course_url)
    expect(page.locator("#my-status")).to_have_text("You have a place on this course.")

    _as(page, "koord", course_url)
    for n in (1, 2, 3):
        group = page.get_by_role("group", name=f"Present at session {n}")
        group.get_by_label("Bib-A Test").check()
        group.get_by_label("Amt-1 Test").check()
        page.get_by_role("button", name=f"Save attendance {n}").click()
        expect(page.get_by_text("Attendance saved.")).to_be_visible()
    _checked(page)

    _as(page, "bib-a", course_url)
    page.get_by_label("My reflection").first.fill("Padlet virkede godt i 5.b.")
    page.get_by_role("button", name="Submit my reflection").first.click()
    expect(page.get_by_text("Your reflection is submitted.")).to_be_visible()
    _form(page, "feedback").first.get_by_label("5").check()
    page.get_by_role("button", name="Send feedback Samling 1").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my certificate (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert set(
        Registration.objects.filter(status="registered").values_list("user__username", flat=True)
    ) == {"amt-1", "bib-a"}

    _shadowing(page, network)
    _workshop(page)


def _shadowing(page, network: Network) -> None:  # type: ignore[no-untyped-def]
    url = f"/staff/competence/networks/{network.pk}/shadowing/"
    _as(page, "amt-1", url)
    offer = _form(page, "offer")
    offer.get_by_label("Title").fill("Arrangementer for voksne")
    offer.get_by_label("What one can learn here").fill("Forfatteraftener fra idé til afvikling")
    offer.get_by_label("Available from").fill("2027-03-01")
    offer.get_by_label("Available to").fill("2027-03-31")
    page.get_by_role("button", name="Offer placement").click()
    _as(page, "bib-a", url)
    page.get_by_label("My goals for the visit").fill("Lære at planlægge arrangementer")
    page.get_by_role("button", name="Ask for this placement").click()
    _as(page, "koord", url)
    page.get_by_label("From", exact=True).fill("2027-03-08")
    page.get_by_label("To", exact=True).fill("2027-03-09")
    page.get_by_role("button", name="Match and schedule").click()
    expect(page.get_by_text("Bib-A Test · matched and scheduled")).to_be_visible()
    _as(page, "bib-a", url)
    page.get_by_label("My reflection afterwards").fill("Ideerne virker også på skolen.")
    page.get_by_label("Share my reflection with the network").check()
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_role("region", name="Reflections shared with the network")).to_contain_text(
        "Ideerne virker også på skolen."
    )
    _checked(page)


def _workshop(page) -> None:  # type: ignore[no-untyped-def]
    _as(page, "bib-a", "/staff/")
    page.get_by_role("navigation", name="Modules").get_by_role("link", name="Workshops").click()
    form = _form(page, "workshop")
    form.get_by_label("Title").fill("Læsning på tværs af fag")
    form.get_by_label("Subject committee or team").fill("Dansk")
    form.get_by_label("Held on").fill("2027-02-02")
    form.get_by_label("Minutes").fill("Vi drøftede læseforståelse i 4.–6. klasse.")
    page.get_by_role("button", name="Save workshop").click()
    page.get_by_text("Add a follow-up task").click()
    page.get_by_label("Follow-up task").fill("Booktalks til 5. klasse")
    page.get_by_label("Who").select_option(label="Laerer-A Test")
    page.get_by_role("button", name="Add task Læsning på tværs af fag").click()
    expect(page.get_by_role("region", name="Læsning på tværs af fag")).to_contain_text(
        "Booktalks til 5. klasse · Laerer-A Test"
    )
    _checked(page)
