"""The test catalogue in a fresh municipality, and a search index in a temporary directory."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count

import pytest

from reol.catalog.models import Item, ItemStatus, Record, RecordIsbn
from reol.catalog.services import queue_for_search

from .catalogue import RECORDS, isbn13

_LANG = {"dan": "dan", "nob": "nob", "eng": "eng"}


@dataclass
class Catalogue:
    municipality: object
    school_a: object
    school_b: object
    other_municipality: object
    ids: dict[str, int]
    keys: dict[int, str]


@pytest.fixture
def catalogue(db, search_index) -> Catalogue:  # type: ignore[no-untyped-def]
    from reol.core import services
    from reol.core.permissions import SYSTEM

    m = services.create_municipality(SYSTEM, code="solbjerg", name="Solbjerg Kommune")
    other = services.create_municipality(SYSTEM, code="fjordby", name="Fjordby Kommune")
    a = services.create_school(SYSTEM, municipality=m, code="nord", name="Nordskolen")
    b = services.create_school(SYSTEM, municipality=m, code="syd", name="Sydskolen")
    barcodes = count(1)
    ids: dict[str, int] = {}
    for r in RECORDS:
        record = Record.objects.create(
            municipality=m,
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
                school=a if school == "a" else b,
                barcode=f"T{next(barcodes):06d}",
                status=ItemStatus.AVAILABLE if available else ItemStatus.ON_LOAN,
            )
        ids[r.key] = record.pk
    # A record of another municipality that must never show.
    stranger = Record.objects.create(
        municipality=other, marc={}, title="Harry Potter og De Vises Sten", languages=["dan"]
    )
    queue_for_search([*ids.values(), stranger.pk])
    return Catalogue(m, a, b, other, ids, {v: k for k, v in ids.items()})
