"""What the second new-user trial (a child on a tablet, a teacher, a librarian) found, as
specifications: a page past the end of the results goes to the last page instead of saying "we
found 47 things" over an empty list; the search box takes no more than the server can read; a
search with nothing at my school offers all schools; and the librarian's "Add titles" search
survives each title added, marking those already on the list; and a title my school does not
have offers no hold that would only be refused."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reol.catalog.lists import services
from reol.catalog.models import Item, ItemStatus
from reol.opac.views import MAX_QUERY

from .test_pages import signed_in, visitor

pytestmark = pytest.mark.django_db


def test_a_page_past_the_end_goes_to_the_last_page(shelf):
    client = visitor(shelf)
    first = client.get(reverse("opac-search"), {"q": "harry", "scope": "all"})
    total = int(re.search(r"We found (\d+) thing", first.content.decode()).group(1))
    assert 0 < total <= 20  # one page
    response = client.get(reverse("opac-search"), {"q": "harry", "scope": "all", "page": "10000"})
    assert response.status_code == 302
    assert "page=" not in response.url and "q=harry" in response.url
    page = client.get(response.url).content.decode()
    assert "We found nothing" not in page and "Harry Potter" in page
    # With nothing found at all, page 5 is simply page 1 of nothing.
    response = client.get(reverse("opac-search"), {"q": "zzxxqqvv", "page": "5"})
    assert response.status_code == 302 and "page=" not in response.url


def test_the_search_box_holds_no_more_than_the_server_reads(shelf):
    client = visitor(shelf)
    for url in (reverse("opac-home"), reverse("opac-search") + "?q=harry"):
        page = client.get(url).content.decode()
        box = re.search(r'<input type="search" id="opac-q"[^>]*>', page)
        # A child's whole sentence fits (it is searched for its content words), and no more
        # than the server reads.
        assert box and f'maxlength="{MAX_QUERY}"' in box.group(0), url


def test_nothing_at_my_school_offers_all_schools(shelf):
    client = visitor(shelf)
    page = client.get(reverse("opac-search"), {"q": "zzxxqqvv"}).content.decode()
    assert "We found nothing." in page
    assert "We found 0" not in page  # said once, not "0 things" over "nothing"
    offer = re.search(r'<a class="button" href="([^"]+)">Look at all schools</a>', page)
    assert offer and "scope=all" in offer.group(1) and "q=zzxxqqvv" in offer.group(1)
    everywhere = client.get(reverse("opac-search"), {"q": "zzxxqqvv", "scope": "all"})
    assert "Look at all schools" not in everywhere.content.decode()


def test_adding_titles_keeps_the_search_and_marks_what_is_on_the_list(shelf):
    world = shelf.world
    reading_list = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Troldmænd"
    )
    url = reverse("opac-staff-list", args=[reading_list.pk])
    client = signed_in(world.librarian_a)
    page = client.get(url, {"q": "harry potter"}).content.decode()
    assert 'name="q" value="harry potter"' in page  # each add form carries the search
    adds = page.count('value="add"')
    assert adds >= 2
    record = shelf.ids["hp1_da"]
    response = client.post(url, {"action": "add", "record": record, "q": "harry potter"})
    assert response.status_code == 302 and response.url == f"{url}?q=harry+potter"
    page = client.get(response.url).content.decode()
    assert page.count('value="add"') == adds - 1
    assert "On the list" in page
    # Adding it again (an old tab) still comes back to the same search, with the reason.
    response = client.post(url, {"action": "add", "record": record, "q": "harry potter"})
    assert response.url == f"{url}?q=harry+potter"
    assert "already on the list" in client.get(response.url).content.decode()


def test_no_reserve_button_for_a_title_my_school_does_not_have(shelf):
    """A student at Nordskolen pressed "Reserve it for me" on a title only Søskolen has, and got
    "Nordskolen has no copies … to hold": the page now says to ask at the desk instead."""
    world = shelf.world
    only_elsewhere = shelf.ids["hp1_en"]  # Søskolen's copy only
    student = signed_in(world.student_a1)
    page = student.get(reverse("opac-record", args=[only_elsewhere])).content.decode()
    assert "Reserve it for me" not in page
    assert "Ask at the library desk to reserve this." in page
    visiting = visitor(shelf).get(reverse("opac-record", args=[only_elsewhere])).content.decode()
    assert "Sign in to reserve it" not in visiting
    assert "Ask at the library desk to reserve this." in visiting
    # A title Nordskolen has (all its copies out) still offers the hold.
    Item.objects.filter(record_id=shelf.ids["hp1_da"]).update(status=ItemStatus.ON_LOAN)
    page = student.get(reverse("opac-record", args=[shelf.ids["hp1_da"]])).content.decode()
    assert "Reserve it for me" in page


def test_deleting_a_reading_list_takes_a_second_deliberate_tap(shelf):
    world = shelf.world
    reading_list = services.create_reading_list(
        world.librarian_a, world.municipality, school=world.school_a, title="Troldmænd"
    )
    url = reverse("opac-staff-list", args=[reading_list.pk])
    page = signed_in(world.librarian_a).get(url).content.decode()
    folded = re.search(r"<details class=\"delete-list\">(.*?)</details>", page, re.S)
    assert folded and "<summary>Delete the list</summary>" in folded.group(1)
    assert 'value="delete"' in folded.group(1) and "Yes, delete “Troldmænd”" in folded.group(1)
    assert page.count('value="delete"') == 1  # no button outside the fold
