"""How an import recognises a record it has seen: by 001+003 when it has them (never by ISBN
then), by ISBN only when it has no control number, else by its MARC; within a batch exactly as
across batches."""

from __future__ import annotations

import pytest

from reol.catalog import importer
from reol.catalog import marc as marcio
from reol.catalog.models import Item, Record, RecordIsbn
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_B, ISBN_C, book, iso, marcxml, run_import

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[object, ...]]:
    return sorted(
        (
            r.title,
            r.control_number,
            tuple(sorted(r.isbns.values_list("isbn13", flat=True))),
            tuple(sorted(r.items.values_list("barcode", flat=True))),
        )
        for r in Record.objects.all()
    )


FILE = [
    book("Første udgave", control="a1", isbn=ISBN_A, holdings=[{"p": "X1"}]),
    book("Uden numre", author="Ukendt", holdings=[{"p": "X2"}]),
    book("Anden udgave", control="a1", isbn=ISBN_A, holdings=[{"p": "X3"}]),  # a1 again
    book("Samme ISBN, andet 001", control="b7", isbn=[ISBN_A, ISBN_C]),
    book("Uden numre", author="Ukendt", holdings=[{"p": "X4"}]),  # the same, no ids at all
    book("Helt ny", control="c1", isbn=ISBN_B),
]


@pytest.mark.parametrize("batch", [1, 2, 500])
def test_the_result_does_not_depend_on_where_batches_end(catalogue, monkeypatch, batch):
    monkeypatch.setattr(importer, "BATCH", batch)

    report = run_import(SYSTEM, catalogue.world.school_a, iso(*FILE))

    assert (report.read, report.created, report.updated, report.rejected) == (6, 4, 2, 0)
    assert report.possible_duplicates == 1
    assert _state() == [
        ("Anden udgave", "a1", (ISBN_A,), ("X1", "X3")),
        ("Helt ny", "c1", (ISBN_B,), ()),
        ("Samme ISBN, andet 001", "b7", (ISBN_A, ISBN_C), ()),
        ("Uden numre", "", (), ("X2", "X4")),
    ]


@pytest.mark.parametrize("fmt", [iso, marcxml])
def test_importing_the_same_file_again_changes_nothing(catalogue, fmt):
    run_import(SYSTEM, catalogue.world.school_a, fmt(*FILE))
    first = _state()

    again = run_import(SYSTEM, catalogue.world.school_a, fmt(*FILE))

    assert (again.created, again.copies_created, again.rejected) == (0, 0, 0)
    assert _state() == first


def test_a_record_without_numbers_is_matched_on_its_marc_not_its_title(catalogue):
    run_import(SYSTEM, catalogue.world.school_a, iso(book("Digte", author="A")))
    report = run_import(SYSTEM, catalogue.world.school_a, iso(book("Digte", author="B")))
    assert report.created == 1  # same title, another book
    report = run_import(SYSTEM, catalogue.world.school_a, iso(book("Digte", author="A")))
    assert report.created == 0 and Record.objects.count() == 2


def test_an_updated_record_keeps_only_the_isbns_of_its_marc(catalogue):
    run_import(SYSTEM, catalogue.world.school_a, iso(book("Bog", control="i1", isbn=ISBN_A)))
    run_import(SYSTEM, catalogue.world.school_a, iso(book("Bog", control="i1", isbn=ISBN_B)))
    assert list(RecordIsbn.objects.values_list("isbn13", flat=True)) == [ISBN_B]


def test_the_columns_follow_the_last_of_two_copies_of_a_record_in_a_file(catalogue):
    old = book("Gammel titel", control="t1", isbn=ISBN_A)
    new = book("Ny titel", control="t1", isbn=ISBN_B)

    run_import(SYSTEM, catalogue.world.school_a, iso(old, new))

    (record,) = Record.objects.all()
    assert record.title == "Ny titel" == marcio.from_json(record.marc)["245"]["a"]
    assert list(record.isbns.values_list("isbn13", flat=True)) == [ISBN_B]


def test_a_record_with_no_title_is_kept_with_a_warning(catalogue):
    untitled = book("x", control="n1")
    untitled.remove_field(untitled["245"])

    report = run_import(SYSTEM, catalogue.world.school_a, iso(untitled))

    assert report.created == 1
    assert any("no title (245 $a)" in p.reason for p in report.warnings)
    assert Record.objects.get().title == "[no title]"


def test_a_copy_moved_to_another_record_in_the_source_is_reported(catalogue):
    school = catalogue.world.school_a
    run_import(SYSTEM, school, iso(book("A", control="m1", holdings=[{"p": "M"}])))
    report = run_import(SYSTEM, school, iso(book("B", control="m2", holdings=[{"p": "M"}])))
    (problem,) = report.errors
    assert "copy M: barcode already belongs to a copy of record" in problem.reason
    assert Item.objects.get(barcode="M").record.control_number == "m1"


def test_another_control_number_with_the_same_isbn_is_another_book(catalogue):
    """The fault of the field trial: "The super-duper seed surprise" overwritten by another
    book with its ISBN. Both are kept; the second is reported as a possible duplicate."""
    school = catalogue.world.school_a
    run_import(
        SYSTEM, school, iso(book("The super-duper seed surprise", control="s1", isbn=ISBN_A))
    )

    report = run_import(
        SYSTEM, school, iso(book("Cooks, cakes, and chocolate shakes", control="s2", isbn=ISBN_A))
    )

    assert (report.created, report.updated, report.possible_duplicates) == (1, 0, 1)
    first = Record.objects.get(control_number="s1")
    assert first.title == "The super-duper seed surprise"
    (warning,) = [w for w in report.warnings if "possible duplicate" in w.reason]
    assert f"same ISBN as record {first.pk} “The super-duper seed surprise”" in warning.reason
    assert warning.control_number == "s2"
    assert "possible duplicate" in report.summary()


def test_a_record_without_a_control_number_is_matched_on_its_isbn(catalogue):
    school = catalogue.world.school_a
    run_import(SYSTEM, school, iso(book("Uden numre", isbn=ISBN_A)))

    report = run_import(SYSTEM, school, iso(book("Uden numre, rettet", isbn=ISBN_A)))

    assert (report.created, report.updated, report.possible_duplicates) == (0, 1, 0)
    assert Record.objects.get().title == "Uden numre, rettet"


def test_a_record_without_a_control_number_never_takes_a_numbered_records_place(catalogue):
    """It would take the numbered record's 001 away (and the next import of that record
    would then not find it): it is a record of its own, reported as a possible duplicate."""
    school = catalogue.world.school_a
    data = iso(book("Med numre", control="s1", isbn=ISBN_A), book("Uden numre", isbn=ISBN_A))

    first = run_import(SYSTEM, school, data)
    again = run_import(SYSTEM, school, data)

    assert (first.created, first.possible_duplicates) == (2, 1)
    assert (again.created, again.updated) == (0, 2)
    assert sorted(Record.objects.values_list("control_number", "title")) == [
        ("", "Uden numre"),
        ("s1", "Med numre"),
    ]
