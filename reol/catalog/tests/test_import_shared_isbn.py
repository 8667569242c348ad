"""Real catalogue files hold distinct records that share an ISBN. Each stays a record of its
own, and an export gives back every input record field for field (the field trial's import
overwrote 40 of 20,000 books with another of the same ISBN)."""

from __future__ import annotations

import io
from collections import Counter

import pymarc
import pytest
from pymarc import Field, Indicators, Subfield

from reol.catalog import exporter
from reol.catalog.models import Record, RecordIsbn
from reol.core.permissions import SYSTEM

from .helpers import comparable, iso, read, require_shared_data, run_import

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.filterwarnings("ignore::pymarc.exceptions.BadSubfieldCodeWarning"),
]

# marc4j's test file: eight records, seven of the Library of Virginia (001 tes96000002…8,
# 003 ViArRB) with the ISBN 84-7223-657-X
SEVEN_ONE_ISBN = "marc4j/test/resources/brkrtest_UTF8.mrc"
# Evergreen's acquisitions order: ten books, each with 001, 003 and its own ISBN
ACQ_ORDER = "evergreen/sample_acq_order.mrc"


def _exported() -> list[pymarc.Record]:
    out = io.BytesIO()
    exporter.export_marc(Record.objects.all(), out, "iso2709")
    return [r.record for r in read(out.getvalue())]


def _import_and_compare(catalogue, data: bytes) -> list[pymarc.Record]:
    originals = [r.record for r in read(data) if r.record is not None]

    report = run_import(SYSTEM, catalogue.world.school_a, data)

    assert report.rejected == 0
    assert (report.created, report.updated) == (len(originals), 0)
    assert Counter(comparable(r) for r in _exported()) == Counter(comparable(r) for r in originals)
    return originals


def test_seven_records_with_one_isbn_stay_seven_records(catalogue):
    data = (require_shared_data() / SEVEN_ONE_ISBN).read_bytes()

    originals = _import_and_compare(catalogue, data)

    assert len(originals) == 8  # and one without an ISBN
    assert RecordIsbn.objects.filter(isbn13="9788472236578").count() == 7
    # importing the file again updates each by its 001+003, merging none
    again = run_import(SYSTEM, catalogue.world.school_a, data)
    assert (again.created, again.updated) == (0, 8)
    assert Record.objects.count() == 8


def test_two_real_books_given_one_isbn_are_two_records_on_either_import(catalogue):
    """Two records of a real file, one given the other's ISBN as a cataloguer's typo would;
    imported in one file, and the second again in a later import."""
    data = (require_shared_data() / ACQ_ORDER).read_bytes()
    first, second, *_rest = (r.record for r in read(data) if r.record is not None)
    assert first["020"]["a"] != second["020"]["a"] and first["001"].data != second["001"].data
    for f in second.get_fields("020"):
        second.remove_field(f)
    second.add_ordered_field(
        Field(
            tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", first["020"]["a"])]
        )
    )

    _import_and_compare(catalogue, iso(first, second))
    later = run_import(SYSTEM, catalogue.world.school_a, iso(second))

    assert (later.created, later.updated, later.possible_duplicates) == (0, 1, 0)
    assert Record.objects.count() == 2
    assert Record.objects.get(control_number=first["001"].data).title == first.title.rstrip(" /")
