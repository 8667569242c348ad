"""Every write to records and copies. Each is one transaction that checks permission, enforces
the rules, audits, and adds the changed records to the search outbox in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pymarc
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pymarc import Field, Indicators, Subfield

from reol.core import audit, bulk
from reol.core.models import Location, Municipality, School
from reol.core.permissions import Actor, Perm, require, schools_with

from . import marc as marcio
from . import signals
from .barcodes import barcodes_taken as barcodes_taken  # re-exported: callers use services.…
from .barcodes import check_scanned
from .barcodes import next_barcodes as next_barcodes
from .barcodes import set_barcode_format as set_barcode_format
from .barcodes import usable_barcode as usable_barcode
from .extract import extract
from .models import (
    CirculationType,
    Item,
    ItemStatus,
    Record,
    RecordIsbn,
    SearchOutbox,
)
from .states import can_change


def require_cataloguer(actor: Actor, municipality: Municipality) -> None:
    """Records are shared: anyone who catalogues at a school of the municipality may edit them."""
    if not schools_with(actor, Perm.CATALOG_EDIT).filter(municipality=municipality).exists():
        raise PermissionDenied(_("You may not catalogue in %(m)s.") % {"m": municipality.name})


def touch_records(record_ids: Iterable[int]) -> None:
    """Give records a new "last changed" time when what they publish changes though their MARC
    did not (a copy added or withdrawn): harvesters (OAI-PMH) fetch records changed since."""
    Record.objects.filter(pk__in=list(record_ids)).update(updated_at=timezone.now())


def queue_for_search(record_ids: Iterable[int]) -> None:
    """Add the records to the search outbox (in the caller's transaction), each once.

    Through ``bulk.insert_rows``: an import queues 500 records a batch, and bulk_create's query
    compiler cost more than the rows themselves (on PostgreSQL the rows go by COPY)."""
    bulk.insert_rows(SearchOutbox, [{"record_id": pk} for pk in dict.fromkeys(record_ids)])


def apply_marc(
    record: Record, marc_record: pymarc.Record, warnings: list[str] | None = None
) -> list[str]:
    """Set a Record's MARC and the columns derived from it (not saved). Returns ISBN-13s;
    what was odd (an invalid ISBN, no title) is added to ``warnings`` if given."""
    found = extract(marc_record)
    record.marc = marcio.to_json(marc_record)
    for name, value in found.columns.items():
        setattr(record, name, value)
    if warnings is not None:
        warnings.extend(found.warnings)
    return found.isbn13s


def _save_isbns(record: Record, isbn13s: list[str]) -> None:
    RecordIsbn.objects.filter(record=record).exclude(isbn13__in=isbn13s).delete()
    have = set(RecordIsbn.objects.filter(record=record).values_list("isbn13", flat=True))
    RecordIsbn.objects.bulk_create(
        [RecordIsbn(record=record, isbn13=i) for i in isbn13s if i not in have]
    )


class DuplicateIsbn(ValidationError):
    """The new record's ISBN is already in the catalogue; ``records`` are the ones that have it.

    Refused unless the cataloguer confirms (``allow_duplicate_isbn``): usually the book is
    there and wants another copy, not another record."""

    def __init__(self, isbn13: str, records: list[Record]) -> None:
        self.isbn13, self.records = isbn13, records
        titles = "; ".join(
            _("“%(title)s” (record %(n)d)") % {"title": r.title, "n": r.pk} for r in records
        )
        super().__init__(
            {
                "isbn": ngettext(
                    "The ISBN %(isbn)s is already in the catalogue: %(records)s. Add copies to "
                    "that record, or confirm that this is a different record with the same ISBN.",
                    "The ISBN %(isbn)s is already in the catalogue: %(records)s. Add copies to "
                    "one of those records, or confirm that this is a different record with the "
                    "same ISBN.",
                    len(records),
                )
                % {"isbn": isbn13, "records": titles}
            },
        )


def records_with_isbn(municipality: Municipality, isbn13s: Iterable[str]) -> list[Record]:
    """The municipality's current (not merged) records that have any of these ISBN-13s."""
    return list(
        Record.objects.filter(
            municipality=municipality, merged_into__isnull=True, isbns__isbn13__in=list(isbn13s)
        )
        .distinct()
        .order_by("pk")[:10]
    )


@transaction.atomic
def create_record(
    actor: Actor,
    municipality: Municipality,
    marc_record: pymarc.Record,
    *,
    allow_duplicate_isbn: bool = False,
) -> Record:
    """A new record. DuplicateIsbn if another record has one of its ISBNs, unless allowed."""
    require_cataloguer(actor, municipality)
    record = Record(municipality=municipality)
    isbn13s = apply_marc(record, marc_record)
    if isbn13s and not allow_duplicate_isbn:
        existing = records_with_isbn(municipality, isbn13s)
        if existing:
            have = set(
                RecordIsbn.objects.filter(record__in=existing).values_list("isbn13", flat=True)
            )
            raise DuplicateIsbn(next(i for i in isbn13s if i in have), existing)
    record.full_clean(exclude=["marc"])
    record.save()
    _save_isbns(record, isbn13s)
    queue_for_search([record.pk])
    audit.record(actor, "record.create", record, municipality=municipality)
    transaction.on_commit(
        lambda: signals.records_added.send(create_record, municipality_id=municipality.pk)
    )
    return record


LOCAL_FIELDS = frozenset(
    {
        "reading_level",
        "age_min",
        "age_max",
        "cover_url",
        "licence_terms",
        "material_type",
    }
)


def new_marc(*, isbn: str = "", author: str = "", **values: Any) -> pymarc.Record:
    """A minimal MARC21 record for a book catalogued by hand (the friendly form's fields)."""
    today = timezone.localdate()
    year = str(values.get("year") or "    ")
    marc_record = pymarc.Record(to_unicode=True, force_utf8=True, leader="     nam a22     4i 4500")
    marc_record.add_field(
        Field(tag="008", data=f"{today:%y%m%d}s{year:4}    dk            000 0 dan d")
    )
    if isbn:
        marc_record.add_ordered_field(
            Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", isbn)])
        )
    if author:  # the role as its relator code, shown in each reader's language (relators.py)
        marc_record.add_ordered_field(
            Field(
                tag="100",
                indicators=Indicators("1", " "),
                subfields=[Subfield("a", author), Subfield("4", "aut")],
            )
        )
    for name, value in values.items():
        tag, code, indicators = FORM_FIELDS[name]
        set_subfield(marc_record, tag, code, "" if value is None else str(value), indicators)
    return marc_record


@transaction.atomic
def create_record_from_form(
    actor: Actor, municipality: Municipality, *, allow_duplicate_isbn: bool = False, **values: Any
) -> Record:
    """The blank form's save: MARC built from the common fields, local columns set after."""
    local = {k: values.pop(k) for k in list(values) if k in LOCAL_FIELDS}
    record = create_record(
        actor, municipality, new_marc(**values), allow_duplicate_isbn=allow_duplicate_isbn
    )
    for name, value in local.items():
        if value not in (None, ""):
            setattr(record, name, value)
    record.full_clean(exclude=["marc"])
    record.save()
    return record


@transaction.atomic
def replace_marc(actor: Actor, record: Record, marc_record: pymarc.Record) -> Record:
    """The MARC editor's save: the whole record replaced, columns derived again."""
    require_cataloguer(actor, record.municipality)
    isbn13s = apply_marc(record, marc_record)
    record.full_clean(exclude=["marc"])
    record.save()
    _save_isbns(record, isbn13s)
    queue_for_search([record.pk])
    audit.record(actor, "record.update", record, municipality=record.municipality)
    return record


# The friendly form's fields and where each lives in MARC: (tag, subfield, indicators).
FORM_FIELDS: dict[str, tuple[str, str, str]] = {
    "title": ("245", "a", "00"),
    "subtitle": ("245", "b", "00"),
    "responsibility": ("245", "c", "00"),
    "edition": ("250", "a", "  "),
    "publisher": ("264", "b", " 1"),
    "year": ("264", "c", " 1"),
    "series": ("490", "a", "0 "),
    "summary": ("520", "a", "  "),
    "ddc": ("082", "a", "04"),
    "shelf_mark": ("090", "a", "  "),
    "url": ("856", "u", "40"),
}


def set_subfield(
    marc_record: pymarc.Record, tag: str, code: str, value: str, indicators: str
) -> None:
    """Set the first ``tag $code`` to ``value`` (adding the field if needed, removing if empty)."""
    current = marc_record.get(tag)
    if current is None:
        if not value:
            return
        marc_record.add_ordered_field(
            Field(
                tag=tag,
                indicators=Indicators(indicators[0], indicators[1]),
                subfields=[Subfield(code=code, value=value)],
            )
        )
        return
    if current.get(code) is not None:
        if value:
            current[code] = value
        else:
            current.delete_subfield(code)
            if not current.subfields:
                marc_record.remove_field(current)
    elif value:
        current.add_subfield(code, value)


@transaction.atomic
def update_record(actor: Actor, record: Record, **values: Any) -> Record:
    """The friendly form's save: each value written into its MARC field, then re-extracted."""
    require_cataloguer(actor, record.municipality)
    marc_record = marcio.from_json(record.marc)
    local = {k: values.pop(k) for k in list(values) if k in LOCAL_FIELDS}
    for name, value in values.items():
        if name not in FORM_FIELDS:
            raise ValueError(f"not a form field: {name}")
        tag, code, indicators = FORM_FIELDS[name]
        set_subfield(marc_record, tag, code, "" if value is None else str(value), indicators)
    isbn13s = apply_marc(record, marc_record)
    for name, value in local.items():
        setattr(record, name, value)
    record.full_clean(exclude=["marc"])
    record.save()
    _save_isbns(record, isbn13s)
    queue_for_search([record.pk])
    audit.record(
        actor,
        "record.update",
        record,
        municipality=record.municipality,
        details={"fields": sorted([*values, *local])},
    )
    return record


@transaction.atomic
def merge_records(actor: Actor, keep: Record, duplicate: Record) -> Record:
    """Move the duplicate's copies to ``keep``; the duplicate remains only as a pointer."""
    require_cataloguer(actor, keep.municipality)
    if keep.pk == duplicate.pk or keep.municipality_id != duplicate.municipality_id:
        raise ValidationError(_("Choose two different records of the same municipality."))
    moved = Item.objects.filter(record=duplicate).update(record=keep)
    have = set(RecordIsbn.objects.filter(record=keep).values_list("isbn13", flat=True))
    for isbn13 in RecordIsbn.objects.filter(record=duplicate).values_list("isbn13", flat=True):
        if isbn13 not in have:
            RecordIsbn.objects.create(record=keep, isbn13=isbn13)
    RecordIsbn.objects.filter(record=duplicate).delete()
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into"])
    queue_for_search([keep.pk, duplicate.pk])
    audit.record(
        actor,
        "record.merge",
        keep,
        municipality=keep.municipality,
        details={
            "merged": duplicate.pk,
            "merged_title": duplicate.title,
            "kept_title": keep.title,
            "copies_moved": moved,
        },
    )
    return keep


# --- Copies -----------------------------------------------------------------------------------


@transaction.atomic
def add_items(
    actor: Actor,
    record: Record,
    school: School,
    *,
    count: int | None = None,
    barcodes: list[str] | None = None,
    location: Location | None = None,
    shelf_mark: str = "",
    circulation_type: str = "normal",
    price: Decimal | None = None,
    acquired_on: dt.date | None = None,
    notes: str = "",
    temporary_until: dt.date | None = None,
) -> list[Item]:
    """Add copies at a school: one per barcode given, or ``count`` (default 1) with generated
    barcodes. With barcodes, a ``count`` given must be their number (it is not a second order).
    Barcodes are unique ignoring case: "abc1" is refused when "ABC1" exists."""
    require(actor, Perm.CATALOG_EDIT, school)
    if record.municipality_id != school.municipality_id:
        raise ValidationError(_("The record belongs to another municipality."))
    if location is not None and location.school_id != school.pk:
        raise ValidationError({"location": _("The location belongs to another school.")})
    barcodes = [b.strip() for b in barcodes or [] if b.strip()]
    if barcodes:
        check_scanned(barcodes, count)
    else:
        count = 1 if count is None else count
        if not 1 <= count <= 500:
            raise ValidationError({"count": _("Add between 1 and 500 copies at a time.")})
        barcodes = next_barcodes(school.municipality, count, school)
    items = [
        Item(
            record=record,
            school=school,
            barcode=b,
            location=location,
            shelf_mark=shelf_mark,
            circulation_type=circulation_type,
            price=price,
            acquired_on=acquired_on or timezone.localdate(),
            notes=notes,
            temporary_until=temporary_until,
        )
        for b in barcodes
    ]
    for item in items:
        item.full_clean(exclude=["record", "school", "barcode"])
    Item.objects.bulk_create(items)
    touch_records([record.pk])
    queue_for_search([record.pk])
    audit.record(actor, "item.add", record, school=school, details={"barcodes": barcodes})
    return list(Item.objects.filter(barcode__in=barcodes))


@transaction.atomic
def change_item_status(actor: Actor, item: Item, new_status: str, *, note: str = "") -> Item:
    """Move a copy to another status, if the state machine allows it."""
    require(actor, Perm.CATALOG_EDIT, item.school)
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if not can_change(locked.status, new_status):
        raise ValidationError(
            _("A copy that is %(current)s cannot become %(new)s.")
            % {
                "current": ItemStatus(locked.status).label,
                "new": ItemStatus(new_status).label,
            }
        )
    old = locked.status
    locked.status = new_status
    locked.save(update_fields=["status", "updated_at"])
    if ItemStatus.WITHDRAWN in (old, new_status):
        touch_records([locked.record_id])
    queue_for_search([locked.record_id])
    audit.record(
        actor,
        "item.status",
        locked,
        school=locked.school,
        details={"from": old, "to": new_status, "note": note},
    )
    item.status = new_status
    return locked


def withdraw_item(actor: Actor, item: Item, *, note: str = "") -> Item:
    return change_item_status(actor, item, ItemStatus.WITHDRAWN, note=note)


_UNCHANGED: Any = object()


@transaction.atomic
def update_items(
    actor: Actor,
    items: Iterable[Item],
    *,
    circulation_type: str | None = None,
    location: Location | None = _UNCHANGED,
    shelf_mark: str | None = None,
    price: Decimal | None = _UNCHANGED,
) -> list[Item]:
    """Change what a cataloguer keeps on copies (circulation type, location, shelf mark,
    price), for copies of one school; what is not given stays. Not their status: that is
    ``change_item_status`` and circulation's. One audit event per copy changed."""
    wanted: dict[str, Any] = {}
    if circulation_type is not None:
        if circulation_type not in CirculationType.values:
            raise ValidationError({"circulation_type": _("Choose a circulation type.")})
        wanted["circulation_type"] = circulation_type
    if location is not _UNCHANGED:
        wanted["location"] = location
    if shelf_mark is not None:
        wanted["shelf_mark"] = shelf_mark.strip()[:100]
    if price is not _UNCHANGED:
        wanted["price"] = price
    locked = list(Item.objects.select_for_update().filter(pk__in=[i.pk for i in items]))
    for item in sorted(locked, key=lambda i: i.pk):
        require(actor, Perm.CATALOG_EDIT, item.school)
        if isinstance(location, Location) and location.school_id != item.school_id:
            raise ValidationError({"location": _("The location belongs to another school.")})
        before = {k: str(getattr(item, f"{k}_id" if k == "location" else k)) for k in wanted}
        for name, value in wanted.items():
            setattr(item, name, value)
        after = {k: str(getattr(item, f"{k}_id" if k == "location" else k)) for k in wanted}
        if before == after:
            continue
        item.save(update_fields=[*wanted, "updated_at"])
        audit.record(
            actor, "item.update", item, school=item.school, details={"from": before, "to": after}
        )
    queue_for_search({i.record_id for i in locked})
    return locked
