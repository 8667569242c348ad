"""The "copies here" count is one number, however the record was found.

A trial saw the count differ between a barcode search and an ISBN search for the same record.
The count is the staff catalogue's list (``catalog.views.records``; the public catalogue shows
no count), and the cause was there, not in search: ``_find`` matched a barcode through the
copies (``filter(items__barcode__iexact=…)``) and the list then did
``annotate(copies_here=Count("items", filter=Q(items__school=school)))``; an annotate after a
filter on the same multi-valued relation reuses that join, so it counted only the copy with that
barcode (1, or 0 at another school) instead of every copy at the school. ``_find`` now finds the
record by the copy's ``record_id``, without a join. These tests pin it, and check that search
(the engine and the API) counts the same copies per school.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from conftest import PASSWORD
from reol.catalog import search, services
from reol.catalog.models import Item, ItemStatus, Record, RecordIsbn
from reol.core.permissions import SYSTEM

ISBN = "9788702173420"
OTHER_ISBN = "9788702049350"


@pytest.fixture
def shelf(world) -> Record:  # type: ignore[no-untyped-def]
    """A record with two ISBNs: three copies at school A (one on loan), one at school B."""
    w = world
    marc = services.new_marc(isbn=ISBN, author="Kim Fupz Aakeson", title="Vitello ridser en bil")
    record = services.create_record(SYSTEM, w.municipality, marc)
    RecordIsbn.objects.create(record=record, isbn13=OTHER_ISBN)  # a second ISBN (join rows)
    services.add_items(SYSTEM, record, w.school_a, barcodes=["VIT-1", "VIT-2", "VIT-3"])
    services.add_items(SYSTEM, record, w.school_b, barcodes=["VIT-9"])
    on_loan = Item.objects.get(barcode="VIT-2")
    Item.objects.filter(pk=on_loan.pk).update(status=ItemStatus.ON_LOAN)
    services.queue_for_search([record.pk])
    return record


def _copies_here(client: Client, query: str) -> list[tuple[int, int]]:
    response = client.get("/staff/catalogue/", {"q": query})
    assert response.status_code == 200
    return [(r.pk, r.copies_here) for r in response.context["page"]]


def _signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    "query", ["VIT-1", "vit-3", ISBN, OTHER_ISBN, "978-87-02-17342-0", "Vitello", "ridser bil"]
)
def test_staff_list_counts_every_copy_at_the_school(world, shelf, query) -> None:  # type: ignore[no-untyped-def]
    assert _copies_here(_signed_in(world.librarian_a), query) == [(shelf.pk, 3)]
    assert _copies_here(_signed_in(world.librarian_b), query) == [(shelf.pk, 1)]


def test_search_counts_the_same_copies(world, shelf) -> None:  # type: ignore[no-untyped-def]
    expected = {world.school_a.code: (2, 3), world.school_b.code: (1, 1)}
    for text in (ISBN, OTHER_ISBN, "978-87-02-17342-0", "vitello ridser"):
        found = search.search(
            search.SearchQuery(text=text, municipality_id=world.municipality.pk)
        ).hits
        assert [h.id for h in found] == [shelf.pk]
        counts = {a.school: (a.available, a.total) for a in found[0].availability}
        assert counts == expected, text
    body = Client().get("/api/v1/search", {"q": ISBN, "municipality": "solbjerg"}).json()
    counts = {a["school"]: (a["available"], a["total"]) for a in body["hits"][0]["availability"]}
    assert counts == expected


def test_record_page_and_api_show_the_copies_search_counts(world, shelf) -> None:  # type: ignore[no-untyped-def]
    """Lost and withdrawn copies are no copies to a student: search does not count them, and
    the record page and the record API do not list them."""
    services.add_items(SYSTEM, shelf, world.school_a, barcodes=["VIT-LOST", "VIT-GONE"])
    Item.objects.filter(barcode="VIT-LOST").update(status=ItemStatus.LOST)
    Item.objects.filter(barcode="VIT-GONE").update(status=ItemStatus.WITHDRAWN)
    services.queue_for_search([shelf.pk])
    hit = search.search(search.SearchQuery(text=ISBN, municipality_id=world.municipality.pk)).hits[
        0
    ]
    counted = {a.school: a.total for a in hit.availability}
    assert counted == {world.school_a.code: 3, world.school_b.code: 1}

    api = Client().get(f"/api/v1/records/{shelf.pk}", {"municipality": "solbjerg"}).json()
    listed: dict[str, int] = {}
    for copy in api["copies"]:
        listed[copy["school"]] = listed.get(copy["school"], 0) + 1
    assert listed == counted

    visitor = Client()
    visitor.post("/opac/school/", {"school": world.school_a.pk, "next": "/opac/"})
    page = visitor.get(f"/opac/records/{shelf.pk}/")
    assert page.status_code == 200
    shown = {g["name"]: len(g["copies"]) for g in page.context["schools"]}
    assert shown == {world.school_a.name: 3, world.school_b.name: 1}
    assert "VIT-LOST" not in page.content.decode()
