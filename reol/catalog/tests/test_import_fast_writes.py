"""The importer's writes without model objects (``bulk.insert_rows`` for its copies, ISBNs
and search outbox rows; ``bulk.maker`` for its records) store what the objects would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict

from reol.catalog.models import Item, Record
from reol.core import bulk
from reol.core.models import Location

pytestmark = pytest.mark.django_db


def test_insert_rows_without_objects_writes_what_the_objects_would(world):
    """Copies as the importer writes them: dicts straight to rows (no Item objects), with a
    price, a date, a location and the defaults, the same as bulk_create of Item(**row)."""
    record = Record.objects.create(municipality=world.municipality, marc={}, title="Bog")
    location = Location.objects.create(school=world.school_a, code="SK", name="Skønlitteratur")

    def copies(prefix: str) -> list[dict]:
        return [
            {"record_id": record.pk, "school_id": world.school_a.pk, "barcode": f"{prefix}1",
             "location_id": location.pk, "shelf_mark": "sk Ols", "price": Decimal("99.95"),
             "acquired_on": dt.date(2024, 1, 2)},
            {"record_id": record.pk, "school_id": world.school_a.pk, "barcode": f"{prefix}2"},
        ]  # fmt: skip

    ids = bulk.insert_rows(Item, copies("F"))
    Item.objects.bulk_create([Item(**row) for row in copies("S")])
    ours = [model_to_dict(i) for i in Item.objects.filter(pk__in=ids).order_by("pk")]
    theirs = [model_to_dict(i) for i in Item.objects.filter(barcode__startswith="S").order_by("pk")]
    assert [{**r, "id": 0, "barcode": r["barcode"][1:]} for r in ours] == [
        {**r, "id": 0, "barcode": r["barcode"][1:]} for r in theirs
    ]
    assert all(i.created_at is not None for i in Item.objects.filter(pk__in=ids))


def test_maker_makes_what_the_model_makes(world):
    make = bulk.maker(Record, municipality=world.municipality)
    a, b, plain = make(), make(), Record(municipality=world.municipality)

    def state(obj: Record) -> dict:
        return {k: v for k, v in obj.__dict__.items() if k != "_state"}

    assert state(a) == state(plain) and list(state(a)) == list(state(plain))
    assert a.municipality is world.municipality and a._state.adding and a._state.db is None
    assert a.contributors == [] and a.contributors is not b.contributors  # default=list
    a.title, b.title, a.marc, b.marc = "A", "B", {}, {}
    bulk.insert([a, b])
    assert list(Record.objects.filter(pk__in=[a.pk, b.pk]).values_list("title", flat=True)) == [
        "A",
        "B",
    ]
