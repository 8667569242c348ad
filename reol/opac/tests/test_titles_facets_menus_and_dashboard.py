"""What the new-user trial found in the public catalogue and the staff shell, as specifications:
titles read "Title : Subtitle", facets name their values in words (no "*–1", no "dan", no
"–5"), the search box suggests "did you mean", a title on the shelf at your own school is
fetched rather than reserved, everyone's menu leads to the catalogue and their loans, and the
dashboard shows what the person can do and live counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search.labels import language_name
from reol.catalog.services import queue_for_search
from reol.circulation.models import Hold, Loan
from reol.core import navigation
from reol.opac.templatetags.opac import age_text, full_title

from .test_pages import signed_in, visitor

pytestmark = pytest.mark.django_db


def _record(world, **columns) -> Record:  # type: ignore[no-untyped-def]
    record = Record.objects.create(municipality=world.municipality, marc={}, **columns)
    queue_for_search([record.pk])
    return record


def _text(html: str) -> str:
    """The page's words without tags, spaces collapsed (as a reader sees them)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Titles ------------------------------------------------------------------------------------


def test_full_title_uses_the_isbd_colon_once():
    assert full_title("Dinosaurer", "") == "Dinosaurer"
    assert full_title("Dinosaurer", "kæmper fra fortiden") == "Dinosaurer : kæmper fra fortiden"
    assert full_title("Dinosaurer :", "kæmper fra fortiden") == "Dinosaurer : kæmper fra fortiden"
    assert full_title("Hvem er du?", "en bog om venner") == "Hvem er du? : en bog om venner"


def test_title_and_subtitle_are_punctuated_on_every_page(shelf):
    world = shelf.world
    record = _record(
        world, title="Vulkaner", subtitle="ild fra jordens indre", languages=["dan"], year=2021
    )
    Item.objects.create(record=record, school=world.school_a, barcode="SUB1")
    queue_for_search([record.pk])
    client = visitor(shelf)
    results = client.get(reverse("opac-search"), {"q": "vulkaner"}).content.decode()
    assert "Vulkaner : ild fra jordens indre" in results
    assert "Vulkaner ild fra" not in _text(results)
    page = client.get(reverse("opac-record", args=[record.pk])).content.decode()
    assert "<h1>Vulkaner : ild fra jordens indre</h1>" in page
    assert "<title>Vulkaner : ild fra jordens indre · Reol</title>" in page
    home = client.get(reverse("opac-home")).content.decode()  # the new arrivals' tiles
    assert "Vulkaner : ild fra jordens indre" in home
    options = client.get(reverse("opac-suggest"), {"q": "vulka"}).content.decode()
    assert "Vulkaner : ild fra jordens indre" in options


# --- Facets ------------------------------------------------------------------------------------


def test_year_facet_has_no_open_star_bucket_and_names_its_open_ends(shelf):
    _record(shelf.world, title="Uden årstal", year=None, languages=["dan"])
    page = visitor(shelf).get(reverse("opac-search"), {"scope": "all"}).content.decode()
    years = page[page.index('id="facet-year"') : page.index('id="facet-subject"')]
    assert "*" not in years and "–1<" not in years
    assert "before 1980" in years and "2020 and later" in years and "2010–2019" in years


@pytest.mark.parametrize(
    ("language", "danish", "italian"),
    [("en", "Danish", "Italian"), ("da", "Dansk", "Italiensk"), ("nb", "Dansk", "Italiensk")],
)
def test_language_facet_names_languages_in_the_readers_language(shelf, language, danish, italian):
    _record(shelf.world, title="Pinocchio", languages=["ita"], year=1883)
    client = visitor(shelf)
    client.cookies["django_language"] = language
    page = client.get(reverse("opac-search"), {"scope": "all"}).content.decode()
    languages = page[page.index('id="facet-language"') : page.index('id="facet-school"')]
    assert f"<span>{danish}</span>" in languages and f"<span>{italian}</span>" in languages
    assert ">dan<" not in languages and ">ita<" not in languages
    chosen = client.get(reverse("opac-search"), {"scope": "all", "language": "ita"})
    pill = re.search(r"<li><a [^>]*>([^<]*) ✕</a>", chosen.content.decode())  # "remove …"
    assert pill and italian in pill.group(1)


def test_unknown_language_codes_show_as_codes():
    assert language_name("xyz") == "XYZ"
    assert language_name("GER") == "German"


def test_age_words_never_leave_a_dangling_dash():
    assert age_text(0, 5) == "up to 5 years"
    assert age_text(None, 5) == "up to 5 years"
    assert age_text(18, None) == "18 years and up"
    assert age_text(6, 8) == "6–8 years"
    assert age_text(None, None) == ""


def test_age_facet_reads_up_to_and_and_up_in_danish(shelf):
    client = visitor(shelf)
    client.cookies["django_language"] = "da"
    page = client.get(reverse("opac-search"), {"scope": "all"}).content.decode()
    ages = page[page.index('id="facet-age"') : page.index('id="facet-reading_level"')]
    assert "<span>op til 5 år (før skolestart)</span>" in ages
    assert "<span>18 år og op (voksne)</span>" in ages
    assert "<span>9–12 år (3.–6. klasse)</span>" in ages  # a teacher thinks in grades
    assert "–5" not in ages and "0–5" not in ages


# --- "Did you mean" ------------------------------------------------------------------------


def test_results_page_offers_the_correction_as_a_link(shelf):
    page = visitor(shelf).get(reverse("opac-search"), {"q": "harry poter"}).content.decode()
    assert re.search(
        r'Did you mean <a href="/opac/search/\?q=harry\+potter[^"]*">harry potter</a>', page
    )


def test_suggestions_are_listbox_options_with_did_you_mean(shelf):
    client = visitor(shelf)
    html = client.get(reverse("opac-suggest"), {"q": "pipi lang"}).content.decode()
    assert 'role="option"' in html and "<a " not in html  # options, not links in a listbox
    assert re.search(r"Did you mean <strong>pippi lang</strong>\?", html)
    assert 'data-href="/opac/search/?q=pippi+lang"' in html
    assert 'id="opac-suggestions-status" hx-swap-oob="innerHTML"' in html
    # The word still being typed is not "corrected" ("harry pot" is unfinished, not wrong).
    unfinished = client.get(reverse("opac-suggest"), {"q": "harry pot"}).content.decode()
    assert "Did you mean" not in unfinished and "Harry Potter" in unfinished
    # A word nothing starts with is corrected as a whole.
    assert (
        "<strong>harry</strong>"
        in client.get(reverse("opac-suggest"), {"q": "hary"}).content.decode()
    )


def test_search_box_is_a_combobox(shelf):
    page = visitor(shelf).get(reverse("opac-home")).content.decode()
    assert 'role="combobox"' in page and 'aria-controls="opac-suggestions"' in page
    assert 'aria-expanded="false"' in page and 'role="listbox"' in page
    assert "opac/opac.js" in page


# --- On the shelf here: fetch it, do not reserve it ---------------------------------------------


def test_a_copy_on_the_shelf_at_my_school_is_shown_with_its_shelf_mark_not_offered_for_hold(shelf):
    world = shelf.world
    pk = shelf.ids["hp1_da"]  # one copy on the shelf at Nordskolen, one borrowed
    student = signed_in(world.student_a1)
    page = _text(student.get(reverse("opac-record", args=[pk])).content.decode())
    assert "On the shelf at Nordskolen — shelf mark ROW" in page
    assert "Reserve it for me" not in page
    response = student.post(reverse("opac-hold", args=[pk]), follow=True)
    assert "It is on the shelf at Nordskolen — shelf mark ROW" in response.content.decode()
    assert not Hold.objects.filter(patron=world.student_a1).exists()
    # Once nothing is on the shelf here, the hold is offered (and copies elsewhere don't count).
    Item.objects.filter(record_id=pk, school=world.school_a).update(status=ItemStatus.ON_LOAN)
    page = _text(student.get(reverse("opac-record", args=[pk])).content.decode())
    assert "Reserve it for me" in page and "shelf mark ROW" not in page
    student.post(reverse("opac-hold", args=[pk]))
    assert Hold.objects.get(patron=world.student_a1).record_id == pk


def test_a_visitor_is_sent_to_the_shelf_too(shelf):
    page = _text(
        visitor(shelf).get(reverse("opac-record", args=[shelf.ids["hp1_da"]])).content.decode()
    )
    assert "On the shelf at Nordskolen — shelf mark ROW" in page
    assert "Sign in to reserve it" not in page


# --- The menu: everyone reaches the catalogue and their loans ----------------------------------


def _menu(html: str) -> list[str]:
    found = re.search(r'<nav class="sidenav".*?</nav>', html, re.S)
    return re.findall(r"<a href=[^>]*>([^<]+)</a>", found.group(0)) if found else []


def test_teachers_menu_leads_to_the_catalogue_and_my_loans(world):
    menu = _menu(signed_in(world.teacher_a).get(reverse("staff-dashboard")).content.decode())
    assert "Find books" in menu and "My loans" in menu
    assert "Desk" not in menu  # only what they may do


def test_students_menu_on_shell_pages_but_not_twice_on_the_catalogue(shelf):
    student = signed_in(shelf.world.student_a1)
    assert _menu(student.get(reverse("me")).content.decode()) == [
        "Find books",
        "My loans",
        "Report a problem",
        "Suggest a book",
        "Databases and news",
    ]
    assert _menu(student.get(reverse("opac-home")).content.decode()) == []  # its own nav
    assert _menu(student.get(reverse("opac-me")).content.decode()) == []


def test_menu_marks_my_loans_as_current_on_its_page(world):
    shown = [e for e in navigation.entries() if e.url_name == "staff-dashboard"]
    links = navigation.links(shown, "/opac/me/")
    assert [(link.label, link.current) for link in links][-5:] == [
        ("Find books", False),
        ("My loans", True),
        ("Report a problem", False),
        ("Suggest a book", False),
        ("Databases and news", False),
    ]
    assert not links.everyone_only
    assert navigation.links([], "/me/").everyone_only


# --- The dashboard ---------------------------------------------------------------------------


def test_librarians_dashboard_shows_live_counts_and_what_they_can_do(shelf):
    from reol.circulation.actions import loans as loan_actions
    from reol.core.permissions import SYSTEM

    world = shelf.world
    copies = list(Item.objects.filter(school=world.school_a, status=ItemStatus.AVAILABLE)[:3])
    for item in copies:
        loan_actions.checkout(SYSTEM, world.school_a, world.student_a1, item)
    today = timezone.localdate()
    Loan.objects.filter(item=copies[0]).update(
        loan_date=today - dt.timedelta(days=20), due_date=today - dt.timedelta(days=3)
    )
    page = signed_in(world.librarian_a).get(reverse("staff-dashboard")).content.decode()
    text = _text(page)
    assert "will appear" not in text and "appear in the menu" not in text
    assert "3 loans out" in text and "1 overdue" in text and "0 holds ready to collect" in text
    records = Record.objects.filter(municipality=world.municipality).count()
    assert f"{records} titles in the catalogue" in text
    assert 'href="/staff/desk/hold-shelf/"' in page or "hold-shelf" in page
    actions = page[page.index('id="do-heading"') :]
    for label in ("Desk", "Catalogue", "Import MARC", "Loan rules", "Reading lists", "My loans"):
        assert f'<span class="action-label">{label}</span>' in actions


def test_teachers_dashboard_counts_only_what_they_may_see(shelf):
    page = signed_in(shelf.world.teacher_a).get(reverse("staff-dashboard")).content.decode()
    counts = _text(page[page.index('class="stats"') : page.index('id="do-heading"')])
    assert "titles in the catalogue" in counts
    assert "loans out" not in counts and "overdue" not in counts and "students" not in counts


def test_dashboard_counts_are_cheap(shelf, django_assert_max_num_queries):
    client = signed_in(shelf.world.librarian_a)
    client.get(reverse("staff-dashboard"))
    with django_assert_max_num_queries(16):
        client.get(reverse("staff-dashboard"))


def test_students_still_have_no_dashboard(world):
    response = Client()
    assert response.login(username=world.student_a1.username, password=PASSWORD)
    assert response.get(reverse("staff-dashboard")).status_code == 403
