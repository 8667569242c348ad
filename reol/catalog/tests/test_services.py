"""The catalogue's write services: each checks who may, audits, and queues the search index in
the same transaction; copies are added, merged and numbered by the rules."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.catalog import services, sru_targets
from reol.catalog.models import BarcodeSequence, Item, Record, RecordIsbn, SearchOutbox, SruTarget
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_B, ISBN_C, book, iso, run_import

pytestmark = pytest.mark.django_db


def _other(catalogue, title="Den anden", isbn=ISBN_B, control="r2"):
    return services.create_record(
        SYSTEM, catalogue.world.municipality, book(title, isbn=isbn, control=control)
    )


def _target(catalogue):
    return sru_targets.save_sru_target(
        SYSTEM, catalogue.world.municipality, name="DBC", base_url="http://sru.example/sru"
    )


# (what to do, does it change what search shows)
WRITES = {
    "create_record": (
        lambda c, r, x: services.create_record(
            c.world.librarian_a, c.world.municipality, book("Ny bog", isbn=ISBN_C)
        ),
        True,
    ),
    "create_record_from_form": (
        lambda c, r, x: services.create_record_from_form(
            c.world.librarian_a, c.world.municipality, title="Fra formularen", author="Bo, Ib"
        ),
        True,
    ),
    "replace_marc": (
        lambda c, r, x: services.replace_marc(c.world.librarian_a, r, book("Ny titel")),
        True,
    ),
    "update_record": (
        lambda c, r, x: services.update_record(c.world.librarian_a, r, title="Rettet"),
        True,
    ),
    "merge_records": (
        lambda c, r, x: services.merge_records(c.world.librarian_a, r, x),
        True,
    ),
    "add_items": (
        lambda c, r, x: services.add_items(c.world.librarian_a, r, c.world.school_a, count=2),
        True,
    ),
    "change_item_status": (
        lambda c, r, x: services.change_item_status(
            c.world.librarian_a, Item.objects.get(barcode="A100"), "missing"
        ),
        True,
    ),
    "withdraw_item": (
        lambda c, r, x: services.withdraw_item(
            c.world.librarian_a, Item.objects.get(barcode="A101")
        ),
        True,
    ),
    "save_sru_target": (
        lambda c, r, x: sru_targets.save_sru_target(
            c.world.librarian_a, c.world.municipality, name="BS", base_url="http://x.example/"
        ),
        False,
    ),
    "remove_sru_target": (
        lambda c, r, x: sru_targets.remove_sru_target(c.world.librarian_a, x),
        False,
    ),
    "import_marc": (
        lambda c, r, x: run_import(
            c.world.librarian_a, c.world.school_a, iso(book("Importeret", control="i9"))
        ),
        True,
    ),
}


PREPARE = {"merge_records": _other, "remove_sru_target": _target}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_audits_once_and_queues_the_search_index(catalogue, record, name):
    write, searchable = WRITES[name]
    extra = PREPARE[name](catalogue) if name in PREPARE else None
    AuditEvent.objects.all().delete()
    SearchOutbox.objects.all().delete()

    write(catalogue, record, extra)

    event = AuditEvent.objects.get()
    assert event.actor == catalogue.world.librarian_a
    assert event.municipality == catalogue.world.municipality or event.school is not None
    assert SearchOutbox.objects.exists() == searchable


def test_a_failed_write_leaves_nothing_behind(catalogue, record):
    events, outbox = AuditEvent.objects.count(), SearchOutbox.objects.count()
    with pytest.raises(ValidationError):
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["NEW1", "A100"])
    assert not Item.objects.filter(barcode="NEW1").exists()
    assert (AuditEvent.objects.count(), SearchOutbox.objects.count()) == (events, outbox)


# --- who may ----------------------------------------------------------------------------------


def test_librarian_of_another_municipality_can_neither_edit_nor_merge(catalogue, record):
    far = catalogue.far_librarian
    other = _other(catalogue)
    before = Record.objects.get(pk=record.pk).marc
    for attempt in (
        lambda: services.update_record(far, record, title="Kapret"),
        lambda: services.replace_marc(far, record, book("Kapret")),
        lambda: services.merge_records(far, record, other),
        lambda: services.create_record(far, catalogue.world.municipality, book("Snydt")),
        lambda: services.add_items(far, record, catalogue.world.school_a, count=1),
        lambda: services.change_item_status(far, Item.objects.get(barcode="A100"), "lost"),
        lambda: sru_targets.save_sru_target(
            far, catalogue.world.municipality, name="X", base_url="http://x.example/"
        ),
        lambda: run_import(far, catalogue.world.school_a, iso(book("Snydt", control="z"))),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert Record.objects.get(pk=record.pk).marc == before
    assert Record.objects.get(pk=other.pk).merged_into is None
    assert not Record.objects.filter(title="Snydt").exists()


def test_librarian_cannot_add_copies_where_they_have_no_role(catalogue, record):
    with pytest.raises(PermissionDenied):
        services.add_items(catalogue.world.librarian_b, record, catalogue.world.school_a, count=1)
    with pytest.raises(PermissionDenied):
        services.change_item_status(
            catalogue.world.librarian_b, Item.objects.get(barcode="A100"), "missing"
        )
    assert Item.objects.filter(record=record, school=catalogue.world.school_a).count() == 2


def test_records_are_shared_by_the_municipalitys_cataloguers(catalogue, record):
    services.update_record(catalogue.world.librarian_b, record, title="Rettet på Sydskolen")
    assert Record.objects.get(pk=record.pk).title == "Rettet på Sydskolen"


@pytest.mark.parametrize("who", ["teacher_a", "volunteer_a", "student_a1", "consultant"])
def test_people_who_do_not_catalogue_cannot(catalogue, record, who):
    person = getattr(catalogue.world, who)
    attempts = [
        lambda: services.create_record(person, catalogue.world.municipality, book("Nej")),
        lambda: services.update_record(person, record, title="Nej"),
        lambda: services.add_items(person, record, catalogue.world.school_a, count=1),
        lambda: services.change_item_status(person, Item.objects.get(barcode="A100"), "lost"),
        lambda: run_import(person, catalogue.world.school_a, iso(book("Nej", control="n"))),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert not Record.objects.filter(title="Nej").exists()
    assert Item.objects.get(barcode="A100").status == "available"


# --- copies -----------------------------------------------------------------------------------


def test_add_items_refuses_a_barcode_in_use(catalogue, record):
    other = _other(catalogue)
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, other, catalogue.world.school_b, barcodes=["B100"])
    assert "B100" in str(caught.value.message_dict["barcodes"])
    assert Item.objects.get(barcode="B100").record == record


def test_add_items_refuses_the_same_barcode_twice(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["N1", " N1 "])
    assert "N1" in str(caught.value.message_dict["barcodes"])
    assert not Item.objects.filter(barcode="N1").exists()


def test_add_items_refuses_another_schools_location(catalogue, record):
    with pytest.raises(ValidationError) as caught:
        services.add_items(
            SYSTEM, record, catalogue.world.school_a, count=1, location=catalogue.skon_b
        )
    assert "location" in caught.value.message_dict
    assert Item.objects.filter(record=record).count() == 3


def test_add_items_refuses_a_school_of_another_municipality(catalogue, record):
    with pytest.raises(ValidationError):
        services.add_items(SYSTEM, record, catalogue.far_school, count=1)


@pytest.mark.parametrize("count", [0, 501])
def test_add_items_refuses_silly_counts(catalogue, record, count):
    with pytest.raises(ValidationError):
        services.add_items(SYSTEM, record, catalogue.world.school_a, count=count)


def test_generated_barcodes_are_new_and_never_reused(catalogue, record):
    services.add_items(SYSTEM, record, catalogue.world.school_a, barcodes=["R00000002"])

    first = services.add_items(SYSTEM, record, catalogue.world.school_a, count=2)
    second = services.add_items(SYSTEM, record, catalogue.world.school_b, count=1)

    codes = [i.barcode for i in first + second]
    assert len(set(codes)) == 3 and "R00000002" not in codes
    assert all(c.startswith("R") and len(c) == 9 for c in codes)
    assert BarcodeSequence.objects.get(municipality=catalogue.world.municipality).next_value > 3
    assert {i.school for i in second} == {catalogue.world.school_b}


def test_add_items_sets_what_was_given(catalogue, record):
    (item,) = services.add_items(
        SYSTEM,
        record,
        catalogue.world.school_a,
        barcodes=["K1"],
        location=catalogue.fag,
        shelf_mark="59 Kla",
        circulation_type="class_set",
        notes="Klassesæt",
    )
    assert (item.location, item.shelf_mark, item.circulation_type, item.status) == (
        catalogue.fag,
        "59 Kla",
        "class_set",
        "available",
    )
    assert item.acquired_on is not None


# --- merging ----------------------------------------------------------------------------------


def test_merge_moves_copies_and_isbns_and_retires_the_duplicate(catalogue, record):
    duplicate = _other(catalogue)
    services.add_items(SYSTEM, duplicate, catalogue.world.school_b, barcodes=["D1", "D2"])

    services.merge_records(catalogue.world.librarian_a, record, duplicate)

    duplicate.refresh_from_db()
    assert duplicate.merged_into == record
    assert set(Item.objects.filter(record=record).values_list("barcode", flat=True)) == {
        "A100",
        "A101",
        "B100",
        "D1",
        "D2",
    }
    assert set(RecordIsbn.objects.filter(record=record).values_list("isbn13", flat=True)) == {
        ISBN_A,
        ISBN_B,
    }
    assert not RecordIsbn.objects.filter(record=duplicate).exists()
    event = AuditEvent.objects.get(action="record.merge")
    assert event.details == {
        "merged": duplicate.pk,
        "merged_title": duplicate.title,
        "kept_title": record.title,
        "copies_moved": 2,
    }


def test_merge_refuses_the_same_record_or_another_municipalitys(catalogue, record):
    far = services.create_record(SYSTEM, catalogue.far_municipality, book("Fjern"))
    with pytest.raises(ValidationError):
        services.merge_records(SYSTEM, record, record)
    with pytest.raises(ValidationError):
        services.merge_records(SYSTEM, record, far)
    assert Record.objects.get(pk=far.pk).merged_into is None


def test_import_matches_the_record_kept_not_the_merged_one(catalogue, record):
    duplicate = _other(catalogue, control="dup")
    services.merge_records(SYSTEM, record, duplicate)

    report = run_import(SYSTEM, catalogue.world.school_a, iso(book("Igen", control="dup")))

    assert report.created == 1  # the retired record is no longer matched on its 001
    assert Record.objects.get(pk=duplicate.pk).title == "Den anden"


# --- SRU targets ------------------------------------------------------------------------------


def test_sru_targets_are_added_changed_by_name_and_removed(catalogue):
    m = catalogue.world.municipality
    first = sru_targets.save_sru_target(SYSTEM, m, name="DBC", base_url="http://a.example/sru")
    sru_targets.save_sru_target(
        SYSTEM, m, name="DBC", base_url="http://b.example/sru", version="2.0"
    )
    second = sru_targets.save_sru_target(SYSTEM, m, name="LOC", base_url="http://loc.example/")
    first.refresh_from_db()
    assert (first.base_url, first.version, first.position) == ("http://b.example/sru", "2.0", 0)
    assert second.position == 1
    with pytest.raises(ValidationError):
        sru_targets.save_sru_target(SYSTEM, m, name="Bad", base_url="not a url")
    sru_targets.remove_sru_target(SYSTEM, first)
    assert list(SruTarget.objects.values_list("name", flat=True)) == ["LOC"]
