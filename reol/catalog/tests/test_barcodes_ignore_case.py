"""Barcodes are unique ignoring case, in the service, the database, imports and at the desk."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from reol.catalog import services
from reol.catalog.models import Item
from reol.core.permissions import SYSTEM

from .helpers import book, iso, run_import

pytestmark = pytest.mark.django_db


def test_a_barcode_differing_only_in_case_is_refused(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["a100"])
    assert "A100" in caught.value.message_dict["barcodes"][0]
    with pytest.raises(ValidationError):  # within what was scanned, too
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["Q1", "q1"])


def test_the_database_refuses_a_barcode_differing_only_in_case(catalogue, record):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(record=record, school=catalogue.world.school_a, barcode="a101")


def test_an_import_treats_a_barcode_in_other_case_as_the_same(catalogue, record):
    data = iso(book("Tyv", control="t1", holdings=[{"p": "a100"}, {"p": "T2"}]))
    report = run_import(SYSTEM, catalogue.world.school_a, data)
    assert report.created == 1 and report.copies_created == 1 and report.copies_rejected == 1
    assert "barcode already belongs to a copy of record" in report.errors[0].reason


def test_the_desk_finds_a_copy_whatever_the_case(catalogue, record):
    from reol.circulation.selectors import item_by_barcode

    found = item_by_barcode("a100")
    assert found is not None and found.barcode == "A100"


def test_unusable_barcodes_are_refused(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["ÆØÅ1", "a b"])
    assert "ÆØÅ1" in caught.value.message_dict["barcodes"][0]
