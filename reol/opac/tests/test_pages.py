"""The public pages: they render for anyone, search works from a child's typing, the copies show
where they are (never who has them), and another municipality's records never show."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog.models import Item, ItemStatus
from reol.opac.selectors import SESSION_SCHOOL

from .conftest import STRANGER_TITLE

pytestmark = pytest.mark.django_db


def visitor(shelf) -> Client:  # type: ignore[no-untyped-def]
    """An anonymous visitor who chose Nordskolen."""
    client = Client()
    response = client.post(
        reverse("opac-choose-school"), {"school": shelf.world.school_a.pk, "next": "/opac/"}
    )
    assert response.status_code == 302 and response.url == "/opac/"
    return client


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_root_sends_visitors_and_students_to_the_catalogue_and_staff_to_their_desk(world):
    assert Client().get("/").url == reverse("opac-home")
    assert signed_in(world.student_a1).get("/").url == reverse("opac-home")
    assert signed_in(world.librarian_a).get("/").url == reverse("staff-dashboard")


def test_a_visitor_with_two_municipalities_to_pick_from_chooses_a_school_first(shelf):
    response = Client().get(reverse("opac-search") + "?q=harry")
    assert response.status_code == 302 and response.url.startswith(reverse("opac-choose-school"))
    page = Client().get(response.url).content.decode()
    assert "Nordskolen" in page and "Solbjerg Kommune" in page


def test_home_shows_new_arrivals_reading_lists_and_the_search_box(shelf):
    page = visitor(shelf).get(reverse("opac-home")).content.decode()
    assert 'type="search"' in page and "hx-get" in page
    assert (
        "New at the library" in page and page.count('class="tile with-cover"') == 8
    )  # each with its cover
    assert "new.atom" in page


def test_harry_poter_finds_the_book_with_availability_icons_and_age_badges(shelf):
    client = visitor(shelf)
    page = client.get(reverse("opac-search"), {"q": "harry poter"}).content.decode()
    assert "Harry Potter og De Vises Sten" in page
    assert "On the shelf at Nordskolen" in page
    assert "9–14 years" in page
    assert "#mt-book" in page and "Book" in page
    assert STRANGER_TITLE not in page


def test_available_at_my_school_and_scope_filter(shelf):
    client = visitor(shelf)
    mine = client.get(reverse("opac-search"), {"q": "harry potter", "available": "1"})
    assert "Harry Potter and the Philosopher" not in mine.content.decode()  # only at Sydskolen
    everywhere = client.get(reverse("opac-search"), {"q": "harry potter", "scope": "all"})
    assert "Harry Potter and the Philosopher" in everywhere.content.decode()


def test_facets_are_links_that_filter(shelf):
    client = visitor(shelf)
    page = client.get(
        reverse("opac-search"), {"q": "harry potter", "scope": "all", "language": "eng"}
    ).content.decode()
    assert "Harry Potter and the Philosopher" in page
    assert "Harry Potter og De Vises Sten" not in page
    assert 'class="on"' in page and "(chosen)" in page


def test_did_you_mean(shelf):
    page = visitor(shelf).get(reverse("opac-search"), {"q": "dinosaurr"}).content.decode()
    if "Did you mean" in page:  # the engine suggests only from words it has
        assert "?q=" in page


def test_suggestions_fragment(shelf):
    response = visitor(shelf).get(reverse("opac-suggest"), {"q": "harry pot"})
    assert response.status_code == 200
    assert "Harry Potter" in response.content.decode()
    assert STRANGER_TITLE not in response.content.decode()


def test_record_page_shows_copies_per_school_never_the_borrower(shelf):
    client = visitor(shelf)
    pk = shelf.ids["hp1_da"]
    page = client.get(reverse("opac-record", args=[pk])).content.decode()
    assert "Harry Potter og De Vises Sten" in page
    assert "Nordskolen" in page and "Sydskolen" in page
    assert "Borrowed" in page and "On the shelf" in page
    assert "Sign in to reserve it" not in page  # a copy is on the shelf at Nordskolen
    Item.objects.filter(record_id=pk, school=shelf.world.school_a).update(status="on_loan")
    page = client.get(reverse("opac-record", args=[pk])).content.decode()
    assert "Sign in to reserve it" in page
    assert "More like this" in page
    assert "elev-" not in page and "T00000" not in page  # no borrower, no barcodes


def test_another_municipality_record_is_a_404(shelf):
    client = visitor(shelf)
    assert client.get(reverse("opac-record", args=[shelf.stranger.pk])).status_code == 404
    page = client.get(reverse("opac-search"), {"q": "Fremmedkommunens", "scope": "all"})
    assert STRANGER_TITLE not in page.content.decode()
    assert (
        signed_in(shelf.world.student_a1)
        .get(reverse("opac-record", args=[shelf.stranger.pk]))
        .status_code
        == 404
    )


def test_student_places_a_hold_and_sees_it_on_my_page_then_cancels(shelf):
    student = signed_in(shelf.world.student_a1)
    pk = shelf.ids["hp1_da"]
    # Only a title with no copy on the shelf here is reserved (see test_trial).
    Item.objects.filter(record_id=pk, school=shelf.world.school_a).update(status="on_loan")
    response = student.post(reverse("opac-hold", args=[pk]), follow=True)
    page = response.content.decode()
    assert "You are in the queue" in page
    mine = student.get(reverse("opac-me")).content.decode()
    assert "Harry Potter og De Vises Sten" in mine and "waiting for" in mine
    from reol.circulation.models import Hold

    hold = Hold.objects.get(patron=shelf.world.student_a1)
    # Once a copy waits for her on the hold shelf, the record page says so, as "My loans" does.
    Hold.objects.filter(pk=hold.pk).update(
        state="ready",
        pickup_by=dt.date(2027, 12, 7),
        ready_at=timezone.now(),
        item=Item.objects.filter(record_id=pk)[0],
    )
    record_page = student.get(reverse("opac-record", args=[pk])).content.decode()
    assert "It is ready for you at Nordskolen. Pick it up by" in record_page
    assert "You are in the queue" not in record_page
    Hold.objects.filter(pk=hold.pk).update(
        state="waiting", pickup_by=None, ready_at=None, item=None
    )
    # Another student cannot cancel it.
    other = signed_in(shelf.world.student_a2)
    assert other.post(reverse("opac-cancel-hold", args=[hold.pk])).status_code == 404
    student.post(reverse("opac-cancel-hold", args=[hold.pk]))
    hold.refresh_from_db()
    assert hold.state == "cancelled"


def test_student_renews_own_loan_only(shelf):
    from reol.circulation.actions import loans as loan_actions
    from reol.core.permissions import SYSTEM

    world = shelf.world
    item = Item.objects.filter(school=world.school_a, status=ItemStatus.AVAILABLE).first()
    loan = loan_actions.checkout(SYSTEM, world.school_a, world.student_a1, item).loan
    assert loan is not None
    page = signed_in(world.student_a1).get(reverse("opac-me")).content.decode()
    assert item.record.title in page and "Bring it back by" in page
    assert (
        signed_in(world.student_a2).post(reverse("opac-renew", args=[loan.pk])).status_code == 404
    )
    response = signed_in(world.student_a1).post(reverse("opac-renew", args=[loan.pk]), follow=True)
    assert response.status_code == 200


def test_my_page_needs_a_sign_in(world):
    response = Client().get(reverse("opac-me"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_new_arrivals_page_and_atom_feed(shelf):
    # A new copy of an old title makes it new at this school.
    Item.objects.create(record_id=shelf.ids["hp1_da"], school=shelf.world.school_a, barcode="NEW1")
    page = Client().get(reverse("opac-new-arrivals", args=["nord"]))
    assert page.status_code == 200 and "New at Nordskolen" in page.content.decode()
    feed = Client().get(reverse("opac-new-arrivals-feed", args=["nord"]))
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("application/atom+xml")
    body = feed.content.decode()
    assert "<feed" in body
    assert body.index("Harry Potter og De Vises Sten") < body.index(
        "<entry>", body.index("<entry>") + 1
    )
    assert STRANGER_TITLE not in body
    assert Client().get(reverse("opac-new-arrivals-feed", args=["nope"])).status_code == 404


def test_pages_render_in_every_language(shelf):
    client = visitor(shelf)
    for language in ("da", "nb", "en"):
        client.cookies["django_language"] = language
        for url in (
            reverse("opac-home"),
            reverse("opac-search") + "?q=harry",
            reverse("opac-record", args=[shelf.ids["hp1_da"]]),
            reverse("opac-choose-school"),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()


def test_results_and_record_pages_are_cheap(shelf, django_assert_max_num_queries):
    client = visitor(shelf)
    client.get(reverse("opac-search"), {"q": "harry"})  # warm the index
    with django_assert_max_num_queries(12):
        client.get(reverse("opac-search"), {"q": "harry", "scope": "all"})
    # 14 before reading promotion, which adds the stored cover and why each "more like this"
    # is alike (external's licences are one query for both the links and "under licence").
    with django_assert_max_num_queries(15):
        client.get(reverse("opac-record", args=[shelf.ids["hp1_da"]]))


def test_session_school_from_a_deleted_school_falls_back(shelf):
    client = Client()
    session = client.session
    session[SESSION_SCHOOL] = 999_999
    session.save()
    assert client.get(reverse("opac-home")).status_code == 302
