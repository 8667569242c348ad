"""The judged test catalogue of the search tests, in the shared ``world``'s municipality."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pytest

from reol.catalog.models import Item, ItemStatus, Record, RecordIsbn
from reol.catalog.search.tests.catalogue import RECORDS, isbn13
from reol.catalog.services import queue_for_search
from reol.core.models import Municipality

_LANG = {"dan": "dan", "nob": "nob", "eng": "eng"}
STRANGER_TITLE = "Harry Potter og Fremmedkommunens Hemmelighed"


@dataclass
class Shelf:
    world: object
    ids: dict[str, int]
    stranger: Record


def build_shelf(world) -> Shelf:  # type: ignore[no-untyped-def]
    barcodes = count(1)
    ids: dict[str, int] = {}
    for r in RECORDS:
        record = Record.objects.create(
            municipality=world.municipality,
            marc={},
            title=r.title,
            subtitle=r.subtitle,
            contributors=[{"name": name, "role": "author"} for name in r.authors],
            year=r.year,
            languages=[_LANG[r.lang]],
            material_type=r.type,
            age_min=r.ages[0],
            age_max=r.ages[1],
            reading_level=r.lix,
            subjects=r.subjects,
            summary=r.summary,
            series=r.series,
            shelf_mark=(r.authors[0][:3].upper() if r.authors else "UDS"),
        )
        if r.isbn:
            RecordIsbn.objects.create(record=record, isbn13=isbn13(r.isbn))
        for school, available in r.copies:
            Item.objects.create(
                record=record,
                school=world.school_a if school == "a" else world.school_b,
                barcode=f"T{next(barcodes):06d}",
                status=ItemStatus.AVAILABLE if available else ItemStatus.ON_LOAN,
            )
        ids[r.key] = record.pk
    # Another municipality's record that must never show (it matches "harry potter").
    other = Municipality.objects.get(code="fjordby")
    stranger = Record.objects.create(
        municipality=other, marc={}, title=STRANGER_TITLE, languages=["dan"]
    )
    queue_for_search([*ids.values(), stranger.pk])
    return Shelf(world, ids, stranger)


@pytest.fixture
def shelf(world, search_index) -> Shelf:  # type: ignore[no-untyped-def]
    return build_shelf(world)
