"""MARC import: stream a file, match, create or update records and copies, report every problem.

Records are matched on 001+003, then on any valid ISBN, so a re-import updates and never
duplicates. Work goes in batches, each its own transaction; a dry run or an all-or-nothing
import runs in one transaction that is rolled back at the end (dry run) or on any rejection.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pymarc
from django.db import transaction
from django.utils import timezone

from reol.core import audit
from reol.core.models import Location, School
from reol.core.permissions import Actor, Perm, require

from . import marc as marcio
from .models import Item, Record, RecordIsbn
from .services import apply_marc, queue_for_search

BATCH = 500


@dataclass(frozen=True)
class HoldingsSpec:
    """Where copies are in the MARC: Koha's 952 by default; 852 (+876) also understood."""

    tag: str = "952"
    barcode: str = "p"
    shelf_mark: str = "o"
    location: str = "c"
    price: str = "g"
    acquired: str = "d"

    @classmethod
    def for_tag(cls, tag: str) -> HoldingsSpec:
        if tag == "852":
            return cls(
                tag="852", barcode="p", shelf_mark="h", location="b", price="9", acquired="x"
            )
        return cls(tag=tag)


@dataclass
class Problem:
    position: int
    where: str
    control_number: str
    reason: str

    def __str__(self) -> str:
        ident = f" (001 {self.control_number})" if self.control_number else ""
        return f"record {self.position}{ident}, {self.where}: {self.reason}"


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    copies_created: int = 0
    copies_rejected: int = 0
    dry_run: bool = False
    rolled_back: bool = False
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        state = " (dry run: nothing saved)" if self.dry_run else ""
        if self.rolled_back and not self.dry_run:
            state = " (all-or-nothing: rejections found, nothing saved)"
        return (
            f"read {self.read}, created {self.created}, updated {self.updated}, "
            f"rejected {self.rejected}, copies created {self.copies_created}"
            + (f", copies rejected {self.copies_rejected}" if self.copies_rejected else "")
            + state
        )


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
                "copies_created": r.copies_created,
            },
        )

    def run_batch(self, batch: list[marcio.RecordResult]) -> None:
        parsed: list[_Parsed] = []
        for result in batch:
            self.report.read += 1
            for text in result.warnings:
                self._warn(result, text)
            if result.record is None:
                self._reject(result, result.error)
                continue
            record = Record(municipality=self.municipality)
            try:
                isbn13s = apply_marc(record, result.record)
                record.full_clean(exclude=["marc", "municipality"])
            except Exception as error:  # a value the columns cannot hold
                self._reject(result, f"cannot be stored: {error}")
                continue
            copies = self._copies(result, result.record)
            parsed.append(_Parsed(result, record, isbn13s, copies))
        if parsed:
            self._save(parsed)

    # -- matching and saving -------------------------------------------------------------------

    def _save(self, parsed: list[_Parsed]) -> None:
        by_control = self._existing_by_control(parsed)
        by_isbn = self._existing_by_isbn(parsed)
        creates: list[_Parsed] = []
        updates: list[tuple[_Parsed, Record]] = []
        seen_in_batch: dict[tuple[str, str], _Parsed] = {}
        for p in parsed:
            key = (p.record.control_source, p.record.control_number)
            match = by_control.get(key) if p.record.control_number else None
            if match is None:
                match = next((by_isbn[i] for i in p.isbn13s if i in by_isbn), None)
            if match is None and p.record.control_number and key in seen_in_batch:
                earlier = seen_in_batch[key]  # the same record twice in one batch: last one wins
                earlier.record.marc, earlier.copies = p.record.marc, earlier.copies + p.copies
                self.report.updated += 1
                continue
            if match is None:
                creates.append(p)
                if p.record.control_number:
                    seen_in_batch[key] = p
            else:
                updates.append((p, match))
        Record.objects.bulk_create([p.record for p in creates])
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
        Record.objects.bulk_update([p.record for p, _e in updates], fields)
        self.report.created += len(creates)
        self.report.updated += len(updates)
        saved = creates + [p for p, _e in updates]
        self._save_isbns(saved)
        self._save_copies(saved)
        queue_for_search(p.record.pk for p in saved)

    def _existing_by_control(self, parsed: list[_Parsed]) -> dict[tuple[str, str], Record]:
        numbers = {p.record.control_number for p in parsed if p.record.control_number}
        if not numbers:
            return {}
        rows = Record.objects.filter(
            municipality=self.municipality, control_number__in=numbers, merged_into__isnull=True
        ).only("id", "created_at", "control_number", "control_source")
        return {(r.control_source, r.control_number): r for r in rows}

    def _existing_by_isbn(self, parsed: list[_Parsed]) -> dict[str, Record]:
        isbns = {i for p in parsed for i in p.isbn13s}
        if not isbns:
            return {}
        rows = (
            RecordIsbn.objects.filter(
                isbn13__in=isbns,
                record__municipality=self.municipality,
                record__merged_into__isnull=True,
            )
            .select_related("record")
            .only("isbn13", "record__id", "record__created_at")
        )
        return {r.isbn13: r.record for r in rows}

    def _save_isbns(self, saved: list[_Parsed]) -> None:
        ids = [p.record.pk for p in saved]
        have = set(RecordIsbn.objects.filter(record_id__in=ids).values_list("record_id", "isbn13"))
        wanted = {(p.record.pk, i) for p in saved for i in p.isbn13s}
        RecordIsbn.objects.bulk_create(
            [RecordIsbn(record_id=r, isbn13=i) for r, i in wanted - have]
        )

    def _save_copies(self, saved: list[_Parsed]) -> None:
        barcodes = [str(c["barcode"]) for p in saved for c in p.copies]
        if not barcodes:
            return
        owners = dict(Item.objects.filter(barcode__in=barcodes).values_list("barcode", "record_id"))
        new: list[Item] = []
        for p in saved:
            for copy in p.copies:
                barcode = str(copy["barcode"])
                owner = owners.get(barcode)
                if owner == p.record.pk:
                    continue  # re-import: the copy is there already
                if owner is not None:
                    self.report.copies_rejected += 1
                    self._problem(
                        p.result,
                        f"copy {barcode}: barcode already belongs to a copy of record {owner}",
                        error=True,
                    )
                    continue
                owners[barcode] = p.record.pk
                new.append(Item(record_id=p.record.pk, school=self.school, **copy))
        Item.objects.bulk_create(new)
        self.report.copies_created += len(new)

    # -- holdings ------------------------------------------------------------------------------

    def _copies(
        self, result: marcio.RecordResult, record: pymarc.Record
    ) -> list[dict[str, Any]]:
        spec, copies = self.spec, []
        fields = record.get_fields(spec.tag)
        if not fields and spec.tag == "952":
            fields, spec = record.get_fields("852"), HoldingsSpec.for_tag("852")
        barcodes_876 = [f.get("p") for f in record.get_fields("876") if f.get("p")]
        for n, f in enumerate(fields):
            barcode = (
                f.get(spec.barcode) or (barcodes_876[n] if n < len(barcodes_876) else "") or ""
            ).strip()
            if not barcode:
                continue
            if len(barcode) > 64 or not re.fullmatch(r"[\w\-.]+", barcode):
                self._warn(
                    result, f"copy barcode {barcode[:70]!r} is not a usable barcode; copy skipped"
                )
                continue
            code = (f.get(spec.location) or "").strip().lower()
            location = self.locations.get(code)
            if code and location is None:
                self._warn(
                    result, f"copy {barcode}: location {code!r} is unknown at {self.school.code}"
                )
            copies.append(
                {
                    "barcode": barcode,
                    "shelf_mark": (f.get(spec.shelf_mark) or "").strip()[:100],
                    "location": location,
                    "price": _price(f.get(spec.price)),
                    "acquired_on": _date(f.get(spec.acquired)),
                }
            )
        return copies

    def _reject(self, result: marcio.RecordResult, reason: str) -> None:
        self.report.rejected += 1
        self._problem(result, reason, error=True)

    def _warn(self, result: marcio.RecordResult, reason: str) -> None:
        self._problem(result, reason, error=False)

    def _problem(self, result: marcio.RecordResult, reason: str, *, error: bool) -> None:
        target = self.report.errors if error else self.report.warnings
        if len(target) < 10_000:
            target.append(Problem(result.position, result.offset, result.control_number, reason))


def _price(value: str | None) -> Decimal | None:
    if not value:
        return None
    try:
        price = Decimal(re.sub(r"[^\d.,]", "", value).replace(",", "."))
    except InvalidOperation:
        return None
    return price if 0 <= price < Decimal("10000000") else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
