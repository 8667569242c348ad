"""MARC import: stream a file, match, create or update records and copies, report every problem.

A record with a control number is matched on 001+003 alone (another 001+003 is another book,
even with the same ISBN: it is imported and reported as a possible duplicate); one without is
matched on any valid ISBN, then on its MARC. So a re-import updates and never duplicates.
Work goes in batches, each its own transaction; a dry run or an all-or-nothing import runs
in one transaction that is rolled back at the end (dry run) or on any rejection.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import pymarc
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.bulk import insert as _insert
from reol.core.bulk import insert_rows, maker, refresh_statistics
from reol.core.bulk import update as _update
from reol.core.models import Location, School
from reol.core.permissions import Actor, Perm, require

from . import marc as marcio
from . import signals
from .holdings import HOLDINGS_TAGS, OTHER_HOLDINGS, HoldingsSpec, date_of, items_876, price_of
from .import_checks import UNCHECKED, plainly_valid
from .import_report import ImportReport, Problem
from .import_speed import fewer_collections, larger_sqlite_cache
from .models import Item, Record, RecordIsbn
from .services import apply_marc, barcodes_taken, queue_for_search, usable_barcode

BATCH = 500

log = logging.getLogger(__name__)


class _Rollback(Exception):
    pass


def import_marc(
    actor: Actor,
    school: School,
    stream: IO[bytes],
    *,
    fmt: str = "auto",
    dry_run: bool = False,
    all_or_nothing: bool = False,
    holdings: HoldingsSpec | None = None,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    require(actor, Perm.CATALOG_EDIT, school)
    report = ImportReport(dry_run=dry_run)
    job = _Import(actor, school, holdings or HoldingsSpec(), report)
    results = marcio.read_records(stream, fmt)
    try:
        with fewer_collections(), larger_sqlite_cache():
            if dry_run or all_or_nothing:
                with transaction.atomic():
                    for batch in _batches(results):
                        job.run_batch(batch)
                        if progress:
                            progress(report)
                    if dry_run or report.rejected or report.copies_rejected:
                        raise _Rollback
                    job.audit()
            else:
                for batch in _batches(results):
                    with transaction.atomic():
                        job.run_batch(batch)
                    if progress:
                        progress(report)
                with transaction.atomic():
                    job.audit()
    except _Rollback:
        report.rolled_back = True
    if not report.rolled_back:
        written = report.created + report.updated + report.copies_created
        refresh_statistics(written, Record, RecordIsbn, Item)
    if not report.rolled_back and (report.created or report.updated):
        signals.records_added.send(import_marc, municipality_id=school.municipality_id)
    return report


def _batches(results: Iterator[marcio.RecordResult]) -> Iterator[list[marcio.RecordResult]]:
    batch: list[marcio.RecordResult] = []
    for result in results:
        batch.append(result)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Parsed:
    result: marcio.RecordResult
    record: Record
    isbn13s: list[str]
    copies: list[dict[str, Any]]


class _Import:
    def __init__(self, actor: Actor, school: School, spec: HoldingsSpec, report: ImportReport):
        self.actor, self.school, self.spec, self.report = actor, school, spec, report
        self.municipality = school.municipality
        self.locations = {loc.code.lower(): loc for loc in Location.objects.filter(school=school)}
        self.new_record = maker(Record, municipality=self.municipality)

    def audit(self) -> None:
        r = self.report
        audit.record(
            self.actor,
            "catalog.import",
            None,
            school=self.school,
            details={
                "read": r.read,
                "created": r.created,
                "updated": r.updated,
                "rejected": r.rejected,
                "skipped": r.skipped,
                "copies_created": r.copies_created,
            },
        )

    def run_batch(self, batch: list[marcio.RecordResult]) -> None:
        parsed: list[_Parsed] = []
        for result in batch:
            if result.not_marc:  # the whole file: one problem, and no record read
                self.report.not_marc = result.error
                self._problem(result, result.error, error=True)
                continue
            self.report.read += 1
            for text in result.warnings:
                self._warn(result, text)
            if result.skipped:  # no title of its own: said, counted, not a rejection
                self.report.skipped += 1
                self._warn(result, result.error)
                continue
            if result.record is None:
                self._reject(result, result.error)
                continue
            record = self.new_record()
            notes: list[str] = []
            try:
                isbn13s = apply_marc(record, result.record, notes)
                if not plainly_valid(record):
                    record.full_clean(exclude=list(UNCHECKED))
            except Exception as error:  # a value the columns cannot hold
                self._reject(result, _plain(error))
                continue
            for text in notes:  # an invalid ISBN, no title
                self._warn(result, text)
            copies = self._copies(result, result.record)
            parsed.append(_Parsed(result, record, isbn13s, copies))
        if parsed:
            self._save(parsed)

    # -- matching and saving -------------------------------------------------------------------

    def _save(self, parsed: list[_Parsed]) -> None:
        by_control = self._existing_by_control(parsed)
        by_isbn = self._existing_by_isbn(parsed)
        by_content = self._existing_by_content(parsed)
        creates: list[_Parsed] = []
        updates: list[tuple[_Parsed, Record]] = []
        # Within a batch a record is matched to an earlier one of the batch on the same keys
        # as to the database, so that it does not matter where the batches happen to end.
        seen: dict[tuple[str, ...], _Parsed] = {}
        same_isbn: list[tuple[_Parsed, Record | _Parsed]] = []
        for p in parsed:
            keys = _match_keys(p)
            numbered = bool(p.record.control_number)
            earlier = next((seen[k] for k in (keys[:1] if numbered else keys) if k in seen), None)
            if earlier is not None:  # the same record twice in one batch: the last one wins
                earlier.record, earlier.isbn13s = p.record, p.isbn13s
                earlier.copies = earlier.copies + p.copies
                seen.update(dict.fromkeys(keys, earlier))
                self.report.updated += 1
                continue
            match = _match(p, keys, by_control, by_isbn, by_content)
            if match is None:
                creates.append(p)
                other = _same_isbn(p, seen, by_isbn)
                if other is not None:
                    same_isbn.append((p, other))
            else:
                updates.append((p, match))
            for k in keys:
                seen[k] = p
        _insert([p.record for p in creates])
        now = timezone.now()  # bulk_update does not run auto_now
        for p, existing in updates:
            p.record.pk, p.record.created_at, p.record.updated_at = (
                existing.pk,
                existing.created_at,
                now,
            )
        fields = [
            f.name
            for f in Record._meta.concrete_fields
            if f.name not in ("id", "municipality", "created_at", "merged_into")
        ]
        _update([p.record for p, _e in updates], fields)
        self.report.created += len(creates)
        self.report.updated += len(updates)
        saved = creates + [p for p, _e in updates]
        self._save_isbns(saved)
        self._save_copies(saved)
        queue_for_search(p.record.pk for p in saved)
        for p, other in same_isbn:
            self._possible_duplicate(p, other.record if isinstance(other, _Parsed) else other)

    def _possible_duplicate(self, p: _Parsed, other: Record) -> None:
        """Imported as a record of its own, and said: a cataloguer may merge the two later
        (the catalogue's page of possible duplicates lists records that share an ISBN)."""
        self.report.possible_duplicates += 1
        self._warn(
            p.result,
            _(
                "possible duplicate: same ISBN as record %(n)d “%(title)s”; "
                "imported as record %(new)d"
            )
            % {"n": other.pk, "title": other.title[:80], "new": p.record.pk},
        )

    # The look-ups below are shaped so that each uses an index whatever the table's size (no
    # ordering, which made SQLite walk the (municipality, title) index; the unique index's own
    # condition spelt out; no join), else every batch reads every record and a large import
    # slows down quadratically.

    def _existing_by_control(self, parsed: list[_Parsed]) -> dict[tuple[str, str], Record]:
        by_source: dict[str, set[str]] = {}
        for p in parsed:
            if p.record.control_number:
                by_source.setdefault(p.record.control_source, set()).add(p.record.control_number)
        found: dict[tuple[str, str], Record] = {}
        for source, numbers in by_source.items():
            rows = (
                Record.objects.filter(
                    municipality=self.municipality,
                    control_source=source,
                    control_number__in=numbers,
                    merged_into__isnull=True,
                )
                .exclude(control_number="")  # the condition of record_control_number_unique
                .only("id", "created_at", "control_number", "control_source")
                .order_by()
            )
            found.update({(r.control_source, r.control_number): r for r in rows})
        return found

    def _existing_by_isbn(self, parsed: list[_Parsed]) -> dict[str, Record]:
        isbns = {i for p in parsed for i in p.isbn13s}
        if not isbns:
            return {}
        pairs = list(
            RecordIsbn.objects.filter(isbn13__in=isbns)
            .order_by()
            .values_list("isbn13", "record_id")
        )
        if not pairs:
            return {}
        records = (
            Record.objects.filter(
                pk__in={r for _i, r in pairs},
                municipality=self.municipality,
                merged_into__isnull=True,
            )
            .only("id", "created_at", "title", "control_number")
            .order_by()
            .in_bulk()
        )
        found: dict[str, Record] = {}
        for isbn13, r in pairs:  # one record an ISBN: one without a control number if any
            record = records.get(r)
            if record is not None and (isbn13 not in found or found[isbn13].control_number):
                found[isbn13] = record
        return found

    def _existing_by_content(self, parsed: list[_Parsed]) -> dict[str, Record]:
        """Records with neither 001 nor a valid ISBN, by their MARC (see _content_key)."""
        titles = {p.record.title for p in parsed if not p.record.control_number and not p.isbn13s}
        if not titles:
            return {}
        rows = (
            Record.objects.filter(
                municipality=self.municipality,
                title__in=titles,
                control_number="",
                merged_into__isnull=True,
            )
            .only("id", "created_at", "marc")
            .order_by()
        )
        return {_content_key(r.marc): r for r in rows}

    def _save_isbns(self, saved: list[_Parsed]) -> None:
        ids = [p.record.pk for p in saved]
        have = set(
            RecordIsbn.objects.filter(record_id__in=ids)
            .order_by()
            .values_list("record_id", "isbn13")
        )
        last = {p.record.pk: p for p in saved}  # a record updated twice keeps the last's ISBNs
        wanted = {(pk, i) for pk, p in last.items() for i in p.isbn13s}
        insert_rows(RecordIsbn, [{"record_id": r, "isbn13": i} for r, i in wanted - have])
        stale = have - wanted  # ISBNs no longer in an updated record's MARC
        if stale:
            gone = Q()
            for record_id, isbn13 in stale:
                gone |= Q(record_id=record_id, isbn13=isbn13)
            RecordIsbn.objects.filter(gone).delete()

    def _save_copies(self, saved: list[_Parsed]) -> None:
        barcodes = [str(c["barcode"]) for p in saved for c in p.copies]
        if not barcodes:
            return
        # by barcode ignoring case, as the unique index on LOWER(barcode) has them
        owners = {code: item.record_id for code, item in barcodes_taken(barcodes).items()}
        new: list[dict[str, Any]] = []
        school_id = self.school.pk
        for p in saved:
            for copy in p.copies:
                barcode = str(copy["barcode"])
                owner = owners.get(barcode.lower())
                if owner == p.record.pk:
                    continue  # re-import: the copy is there already
                if owner is not None:
                    self.report.copies_rejected += 1
                    self._problem(
                        p.result,
                        _("copy %(barcode)s: barcode already belongs to a copy of record %(n)d")
                        % {"barcode": barcode, "n": owner},
                        error=True,
                    )
                    continue
                owners[barcode.lower()] = p.record.pk
                new.append({"record_id": p.record.pk, "school_id": school_id, **copy})
        insert_rows(Item, new)
        self.report.copies_created += len(new)

    # -- holdings ------------------------------------------------------------------------------

    def _copies(self, result: marcio.RecordResult, record: pymarc.Record) -> list[dict[str, Any]]:
        spec, copies = self.spec, []
        fields = record.get_fields(spec.tag)
        if not fields and spec.tag == "952":
            fields, spec = record.get_fields("852"), HoldingsSpec.for_tag("852")
        if spec.tag == "852" and any(f.get("p") for f in record.get_fields("876")):
            fields = items_876(fields, record.get_fields("876"))
        self._count_unread(record, spec.tag)
        for f in fields:
            barcode = (f.get(spec.barcode) or "").strip()
            if not barcode:
                continue
            if not usable_barcode(barcode):
                self._warn(
                    result,
                    _(
                        "copy barcode “%(barcode)s” is not a usable barcode (letters A–Z, "
                        "digits, - . _, at most 64); copy skipped"
                    )
                    % {"barcode": barcode[:70]},
                )
                continue
            code = (f.get(spec.location) or "").strip().lower()
            location = self.locations.get(code)
            if code and location is None:
                unknown = self.report.unknown_locations
                if code not in unknown:  # once a location: the summary counts its copies
                    self._warn(
                        result,
                        _("copy %(barcode)s: location “%(code)s” is unknown at %(school)s")
                        % {"barcode": barcode, "code": code, "school": self.school.name},
                    )
                unknown[code] = unknown.get(code, 0) + 1
            copies.append(
                {
                    "barcode": barcode,
                    "shelf_mark": (f.get(spec.shelf_mark) or "").strip()[:100],
                    "location_id": location.pk if location is not None else None,
                    "price": price_of(f.get(spec.price)),
                    "acquired_on": date_of(f.get(spec.acquired)),
                }
            )
        return copies

    def _count_unread(self, record: pymarc.Record, read: str) -> None:
        unread = self.report.unread_holdings
        present = {f.tag for f in record.fields if f.tag in OTHER_HOLDINGS and f.tag != read}
        for tag in present:
            if any(f.get(OTHER_HOLDINGS[tag]) for f in record.get_fields(tag)):
                unread[tag] = unread.get(tag, 0) + 1

    def _reject(self, result: marcio.RecordResult, reason: str) -> None:
        self.report.rejected += 1
        self._problem(result, reason, error=True)

    def _warn(self, result: marcio.RecordResult, reason: str) -> None:
        self._problem(result, reason, error=False)

    def _problem(self, result: marcio.RecordResult, reason: str, *, error: bool) -> None:
        target = self.report.errors if error else self.report.warnings
        if len(target) < 10_000:
            target.append(Problem(result.position, result.offset, result.control_number, reason))


def _match_keys(p: _Parsed) -> list[tuple[str, ...]]:
    """What identifies a record to the importer, strongest first. A record with a control
    number is known by it alone (its ISBNs, "isbn#", only find possible duplicates); one
    without, by its ISBNs, else by its MARC."""
    if p.record.control_number:
        control = ("001", p.record.control_source, p.record.control_number)
        return [control, *(("isbn#", i) for i in p.isbn13s)]
    keys: list[tuple[str, ...]] = [("isbn", i) for i in p.isbn13s]
    return keys or [("content", _content_key(p.record.marc))]


def _match(
    p: _Parsed,
    keys: list[tuple[str, ...]],
    by_control: dict[tuple[str, str], Record],
    by_isbn: dict[str, Record],
    by_content: dict[str, Record],
) -> Record | None:
    """The existing record an incoming one updates: by 001+003 when it has a control number
    (another 001+003 is another book, whatever its ISBN: publishers reuse them, cataloguers
    mistype them); else by ISBN, a record without a control number too (updating a numbered
    one would take its 001 away); else, with no ISBN either, by its MARC."""
    if p.record.control_number:
        return by_control.get((p.record.control_source, p.record.control_number))
    found = (by_isbn.get(i) for i in p.isbn13s)
    match = next((r for r in found if r is not None and not r.control_number), None)
    if match is None and keys[0][0] == "content":
        match = by_content.get(keys[0][1])
    return match


def _same_isbn(
    p: _Parsed, seen: dict[tuple[str, ...], _Parsed], by_isbn: dict[str, Record]
) -> Record | _Parsed | None:
    """Another record, earlier in the batch or in the catalogue, with an ISBN of this new one."""
    for i in p.isbn13s:
        earlier = seen.get(("isbn", i)) or seen.get(("isbn#", i))
        if earlier is not None:
            return earlier
        if i in by_isbn:
            return by_isbn[i]
    return None


def _content_key(marc_json: dict[str, Any]) -> str:
    """A record with neither 001 nor a valid ISBN is known by its MARC: every field but 005
    and the holdings, and the leader but its computed positions, so that importing the same
    file again updates it instead of adding it once more."""
    leader = str(marc_json.get("leader", "")).ljust(24)
    fields = [f for f in marc_json.get("fields", []) if next(iter(f), "005") not in _NOT_CONTENT]
    text = json.dumps([leader[5:9] + leader[10:12] + leader[17:], fields], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


_NOT_CONTENT = HOLDINGS_TAGS | {"005"}


def _plain(error: Exception) -> str:
    """Why a record cannot be stored, in the reader's language: a ValidationError's messages
    (already translated); for anything else, not Python's English text but a general reason
    (the error itself goes to the log)."""
    if isinstance(error, ValidationError):
        return _("cannot be stored: %(e)s") % {"e": "; ".join(error.messages)}
    log.warning("import: a record could not be stored", exc_info=error)
    return _("cannot be stored: a value does not fit the catalogue's columns")
