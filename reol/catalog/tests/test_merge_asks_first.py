"""A merge of two records is confirmed after a look at both, warns when they differ, and a record
is never merged into itself."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reol.catalog import services
from reol.catalog.models import Item
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_C, book, signed_in

pytestmark = pytest.mark.django_db


def _duplicate(catalogue, title="Rejsen til Saturn", isbn=ISBN_A, barcodes=("D1",)):
    duplicate = services.create_record(
        SYSTEM,
        catalogue.world.municipality,
        book(title, isbn=isbn, year="2019"),
        allow_duplicate_isbn=True,
    )
    services.add_items(SYSTEM, duplicate, catalogue.world.school_b, barcodes=list(barcodes))
    return duplicate


def test_merge_shows_both_records_and_merges_only_when_confirmed(catalogue, record):
    duplicate = _duplicate(catalogue, title="Rejsen til Saturn.", barcodes=("D1", "D2"))
    client = signed_in(catalogue.world.librarian_a)
    url = reverse("catalog-record-merge", args=[record.pk])

    response = client.post(url, {"duplicate": duplicate.pk})

    assert response.status_code == 200  # a page that asks, not the merge
    assert Item.objects.filter(record=duplicate).count() == 2
    assert not AuditEvent.objects.filter(action="record.merge").exists()
    page = response.content.decode()
    comparison = response.context["comparison"]
    rows = {row.label: row for row in comparison.rows}
    assert rows["Copies per school"].keep == "Nordskolen: 2; Sydskolen: 1"
    assert rows["Copies per school"].duplicate == "Sydskolen: 2"
    assert rows["Year"].differs and not rows["Title"].differs and not rows["ISBN"].differs
    assert comparison.warnings == []  # the same book: same ISBN, same title
    assert "Merging cannot be undone" in page and "2 copies move to record" in page
    assert f'name="duplicate" value="{duplicate.pk}"' in page and 'name="confirm"' in page

    response = client.post(url, {"duplicate": duplicate.pk, "confirm": "yes"})

    assert response.status_code == 302
    assert Item.objects.filter(record=duplicate).count() == 0
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == record.pk
    event = AuditEvent.objects.get(action="record.merge")
    assert event.details["merged"] == duplicate.pk and event.details["copies_moved"] == 2


def test_merge_warns_when_isbns_and_titles_differ(catalogue, record):
    other = _duplicate(catalogue, title="Månen", isbn=ISBN_C)
    client = signed_in(catalogue.world.librarian_a)

    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]), {"duplicate": other.pk}
    )

    page = response.content.decode()
    assert 'id="merge-warning"' in page and "These may not be the same book." in page
    assert "The ISBNs differ" in page and "The titles differ." in page
    rows = {row.label: row for row in response.context["comparison"].rows}
    assert rows["ISBN"].differs and rows["Title"].differs
    assert (rows["ISBN"].keep, rows["ISBN"].duplicate) == (ISBN_A, ISBN_C)
    assert page.count('class="differs"') >= 2
    assert Item.objects.get(barcode="D1").record == other  # nothing merged yet


def test_merge_of_a_record_into_itself_is_refused_before_asking(catalogue, record):
    client = signed_in(catalogue.world.librarian_a)
    response = client.post(
        reverse("catalog-record-merge", args=[record.pk]),
        {"duplicate": record.pk, "confirm": "yes"},
        follow=True,
    )
    assert "That is this record&#x27;s own number" in response.content.decode()
    assert not AuditEvent.objects.filter(action="record.merge").exists()
