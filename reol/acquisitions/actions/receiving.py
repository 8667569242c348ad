"""Receiving: copies arrive for order lines, by a scan (``receive``) or in the vendor's
shelf-ready MARC file with copy barcodes in 949 (``receive_marc_file``, through the catalogue's
importer). Each arrival is one transaction with one batch id, so its labels print exactly what
came; suggestions of the lines become "arrived" and the suggester's hold is placed through
circulation's actions."""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog import importer
from reol.catalog import marc as marcio
from reol.catalog import services as catalog
from reol.catalog.extract import normalize_isbn
from reol.catalog.models import Item, Record, RecordIsbn
from reol.circulation.actions.holds import place_hold
from reol.circulation.errors import CirculationError
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from ..errors import AcquisitionError
from ..models import Order, OrderLine, OrderState, Receipt, SuggestionState


@dataclass
class Arrival:
    batch: str
    items: list[Item] = field(default_factory=list)
    holds: list[str] = field(default_factory=list)  # what happened to each suggester's hold
    problems: list[str] = field(default_factory=list)


def _record_for(actor: Actor, line: OrderLine) -> Record:
    """The line's record: its own, one with its ISBN, or a brief one made from the line."""
    if line.record is not None:
        return line.record
    school = line.order.school
    if line.isbn:
        found = catalog.records_with_isbn(school.municipality, [line.isbn])
        if found:
            return found[0]
    return catalog.create_record_from_form(
        actor, school.municipality, title=line.title, isbn=line.isbn
    )


def _arrived(actor: Actor, line: OrderLine, items: list[Item], arrival: Arrival) -> None:
    """Book ``items`` against ``line`` and tell its suggesters (holds placed if they asked)."""
    if not items:
        return
    if len(items) > line.outstanding:
        raise AcquisitionError(
            "too_many",
            _("“%(title)s”: %(n)d copies arrived but only %(left)d are still to come.")
            % {"title": line.title, "n": len(items), "left": line.outstanding},
            status=422,
        )
    record = items[0].record
    Receipt.objects.bulk_create(Receipt(line=line, item=i, batch=arrival.batch) for i in items)
    line.received += len(items)
    if line.record_id is None:
        line.record = record
    line.save(update_fields=["received", "record"])
    arrival.items.extend(items)
    school = line.order.school
    for suggestion in line.suggestions.filter(state=SuggestionState.ORDERED).select_related(
        "suggester"
    ):
        suggestion.state = SuggestionState.ARRIVED
        if suggestion.want_hold:
            try:
                place_hold(actor, school, suggestion.suggester, record=record)
                suggestion.hold_note = _("A hold was placed for you.")
            except CirculationError as refused:
                suggestion.hold_note = str(refused)
            arrival.holds.append(f"{suggestion.suggester}: {suggestion.hold_note}")
        suggestion.save(update_fields=["state", "hold_note", "updated_at"])
    _close_if_done(line.order)


def _close_if_done(order: Order) -> None:
    if all(line.outstanding == 0 for line in order.lines.all()):
        order.state = OrderState.CLOSED
        order.save(update_fields=["state"])


def _audit(actor: Actor, school: School, arrival: Arrival, how: str) -> None:
    audit.record(
        actor,
        "order.receive",
        school=school,
        details={
            "batch": arrival.batch,
            "via": how,
            "barcodes": [i.barcode for i in arrival.items],
        },
    )


@transaction.atomic
def receive(actor: Actor, line: OrderLine, barcodes: list[str]) -> Arrival:
    """Copies of ``line`` scanned in: one per barcode (or one generated barcode per empty one)."""
    school = line.order.school
    require(actor, Perm.ACQUISITIONS, school)
    line = OrderLine.objects.select_for_update().select_related("order__school").get(pk=line.pk)
    if line.order.state == OrderState.DRAFT:
        raise AcquisitionError("not_sent", _("The order has not been sent yet."))
    wanted = [b.strip() for b in barcodes if b.strip()]
    count = len(wanted) or 1
    record = _record_for(actor, line)
    items = catalog.add_items(
        actor,
        record,
        school,
        count=None if wanted else count,
        barcodes=wanted or None,
        location=line.location,
        circulation_type=line.circulation_type,
        price=line.unit_price,
        acquired_on=timezone.localdate(),
    )
    arrival = Arrival(batch=uuid.uuid4().hex)
    _arrived(actor, line, items, arrival)
    _audit(actor, school, arrival, "scan")
    return arrival


def open_lines_for_isbn(school: School, isbn: str) -> list[OrderLine]:
    """The school's sent lines still waiting for copies of this ISBN (or of its record)."""
    isbn13 = normalize_isbn(isbn) or isbn
    by_record = RecordIsbn.objects.filter(isbn13=isbn13).values("record_id")
    lines = OrderLine.objects.filter(order__school=school, order__state=OrderState.SENT)
    return [
        line
        for line in lines.filter(isbn=isbn13) | lines.filter(record_id__in=by_record)
        if line.outstanding > 0
    ]


def _barcodes_by_record(data: bytes) -> tuple[list[tuple[set[str], list[str]]], int]:
    """(ISBN-13s, 949 $i barcodes) of each record in the file, and the count of unreadable."""
    wanted: list[tuple[set[str], list[str]]] = []
    bad = 0
    for result in marcio.read_records(io.BytesIO(data), "auto"):
        if result.record is None:
            bad += 1
            continue
        isbns = {
            i
            for f in result.record.get_fields("020")
            for v in f.get_subfields("a")
            if (i := normalize_isbn(v))
        }
        codes = [c.strip() for f in result.record.get_fields("949") for c in f.get_subfields("i")]
        wanted.append((isbns, [c for c in codes if c]))
    return wanted, bad


@transaction.atomic
def receive_marc_file(actor: Actor, order: Order, stream: IO[bytes]) -> Arrival:
    """The vendor's shelf-ready file for ``order``: records and copies go in through the
    catalogue's importer (holdings in 949: $i barcode, $a shelf mark, $l location, $p price),
    all or nothing, and each record's copies are matched to the order's line with its ISBN or
    record. A copy no line waits for undoes the whole file, with the reason."""
    school = order.school
    require(actor, Perm.ACQUISITIONS, school)
    data = stream.read()
    per_record, unreadable = _barcodes_by_record(data)
    report = importer.import_marc(
        actor,
        school,
        io.BytesIO(data),
        all_or_nothing=True,
        holdings=importer.HoldingsSpec.for_tag("949"),
    )
    if report.rolled_back or report.failed or unreadable:
        problems = [str(p) for p in report.errors] or [
            report.not_marc or _("The file was refused.")
        ]
        raise AcquisitionError("bad_file", " ".join(problems), status=422)
    arrival = Arrival(batch=uuid.uuid4().hex)
    lines = list(order.lines.select_for_update().order_by("pk"))
    found: dict[int, list[Item]] = defaultdict(list)
    for isbns, codes in per_record:
        taken = [i.pk for i in catalog.barcodes_taken(codes).values()]
        # a copy received before (the same file twice) is not received again
        items = list(
            Item.objects.filter(pk__in=taken, receipt__isnull=True).select_related("record")
        )
        if not items:
            continue
        line = _line_for(lines, items[0].record, isbns)
        if line is None:
            raise AcquisitionError(
                "no_line",
                _("No line of order %(n)d waits for “%(title)s” (copies %(codes)s).")
                % {"n": order.pk, "title": items[0].record.title, "codes": ", ".join(codes)},
                status=422,
            )
        found[line.pk].extend(items)
    for line in lines:
        items = sorted(found.get(line.pk, []), key=lambda i: i.barcode)
        _arrived(actor, line, _as_ordered(actor, line, items), arrival)
    if not arrival.items:
        raise AcquisitionError("no_copies", _("The file holds no copies in 949 $i."), status=422)
    _audit(actor, school, arrival, "marc")
    return arrival


def _as_ordered(actor: Actor, line: OrderLine, items: list[Item]) -> list[Item]:
    """The vendor's copies made what the line ordered: its circulation type, and its location
    when it names one (the importer gave them its defaults and the file's 949 $l)."""
    if not items:
        return items
    changes: dict[str, Any] = {"circulation_type": line.circulation_type}
    if line.location_id is not None:
        changes["location"] = line.location
    catalog.update_items(actor, items, **changes)
    changed = Item.objects.filter(pk__in=[i.pk for i in items]).select_related("record")
    return list(changed.order_by("barcode"))


def _line_for(lines: list[OrderLine], record: Record, isbns: set[str]) -> OrderLine | None:
    for line in lines:
        if line.outstanding > 0 and (
            line.record_id == record.pk or (line.isbn and line.isbn in isbns)
        ):
            return line
    return None


def arrival_summary(arrival: Arrival) -> str:
    return ngettext("%(n)d copy received.", "%(n)d copies received.", len(arrival.items)) % {
        "n": len(arrival.items)
    }
