"""MARC import: stream a file, match, create or update records and copies, report every problem.

A record with a control number is matched on 001+003 alone (another 001+003 is another book,
even with the same ISBN: it is imported and reported as a possible duplicate); one without is
matched on any valid ISBN, then on its MARC. So a re-import updates and never duplicates.
Work goes in batches, each its own transaction; a dry run or an all-or-nothing import runs
in one transaction that is rolled back at the end (dry run) or on any rejection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import pymarc
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.core import audit
from reol.core.bulk import insert as _insert
from reol.core.bulk import update as _update
from reol.core.models import Location, School
from reol.core.permissions import Actor, Perm, require

from . import marc as marcio
from . import signals
from .models import Item, Record, RecordIsbn
from .services import apply_marc, barcodes_taken, queue_for_search, usable_barcode

BATCH = 500

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HoldingsSpec:
    """Where copies are in the MARC: Koha's 952 by default; 852 (+876) and the 949 of vendors
    and Sirsi/Evergreen exports also understood, and any tag with its subfields named."""

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
        if tag == "949":  # $a call number, $i barcode, $l location, $p price (no ISO date)
            return cls(tag="949", barcode="i", shelf_mark="a", location="l", price="p", acquired="")
        return cls(tag=tag)

    @classmethod
    def parse(cls, text: str) -> HoldingsSpec:
        """``952``, ``949`` or a tag with a mapping: ``949:barcode=i,shelf_mark=a,location=l``
        (the names are this class's fields). ValueError with a translated message if not."""
        tag, _colon, mapping = text.strip().partition(":")
        if not re.fullmatch(r"9\d\d|8[5-8]\d", tag):
            raise ValueError(
                _("“%(tag)s” is not a holdings field: give a tag such as 952, 852 or 949")
                % {"tag": tag}
            )
        spec = cls.for_tag(tag)
        names = [f for f in cls.__dataclass_fields__ if f != "tag"]
        for pair in filter(None, (p.strip() for p in mapping.split(","))):
            name, _eq, code = pair.partition("=")
            name, code = name.strip().replace("-", "_"), code.strip()
            if name not in names or len(code) > 1 or (code and not code.isalnum()):
                raise ValueError(
                    _(
                        "“%(pair)s” is not a holdings mapping: write name=subfield with the "
                        "names %(names)s, e.g. 949:barcode=i,shelf_mark=a"
                    )
                    % {"pair": pair, "names": ", ".join(names)}
                )
            spec = dataclasses.replace(spec, **{name: code})
        return spec


# Holdings fields of other systems, with the subfield that holds a copy's barcode there: a
# record with one of them that the import does not read is counted, so that the report can
# say "choose 949" instead of silently creating no copies.
OTHER_HOLDINGS = {"952": "p", "852": "p", "949": "i", "945": "i"}


@dataclass
class Problem:
    position: int
    where: str
    control_number: str
    reason: str

    def __str__(self) -> str:
        if self.control_number:
            return _("record %(n)d (001 %(control)s), %(where)s: %(reason)s") % {
                "n": self.position,
                "control": self.control_number,
                "where": self.where,
                "reason": self.reason,
            }
        return _("record %(n)d, %(where)s: %(reason)s") % {
            "n": self.position,
            "where": self.where,
            "reason": self.reason,
        }


@dataclass
class ImportReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    rejected: int = 0
    copies_created: int = 0
    copies_rejected: int = 0
    # new records with the ISBN of another (their 001+003 differ): each also a warning
    possible_duplicates: int = 0
    # records with holdings in a field the import did not read, per tag
    unread_holdings: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    rolled_back: bool = False
    # Set when the file is not MARC at all (or holds no record): the reason, reported once.
    not_marc: str = ""
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        """Nothing could be imported: the file is not MARC, or every record was rejected."""
        return bool(self.not_marc) or (self.read > 0 and self.rejected == self.read)

    def summary(self, *, cli: bool = False) -> str:
        """One sentence in the active language, ending in a full stop (and one more for each
        holdings field that was not read, saying how to read it: ``cli`` names the option)."""
        if self.not_marc:
            return _("Nothing was imported: %(reason)s.") % {"reason": self.not_marc}

        def n(value: int) -> str:
            return formats.number_format(value, force_grouping=True)

        parts = [
            ngettext("%(n)s created", "%(n)s created", self.created) % {"n": n(self.created)},
            ngettext("%(n)s updated", "%(n)s updated", self.updated) % {"n": n(self.updated)},
            ngettext("%(n)s rejected", "%(n)s rejected", self.rejected) % {"n": n(self.rejected)},
        ]
        copies = [
            ngettext("%(n)s copy created", "%(n)s copies created", self.copies_created)
            % {"n": n(self.copies_created)}
        ]
        if self.copies_rejected:
            copies.append(
                ngettext("%(n)s copy rejected", "%(n)s copies rejected", self.copies_rejected)
                % {"n": n(self.copies_rejected)}
            )
        text = ngettext(
            "Read %(n)s record: %(records)s; %(copies)s",
            "Read %(n)s records: %(records)s; %(copies)s",
            self.read,
        ) % {"n": n(self.read), "records": ", ".join(parts), "copies": ", ".join(copies)}
        if self.possible_duplicates:
            text += "; " + ngettext(
                "%(n)s possible duplicate (same ISBN as another record)",
                "%(n)s possible duplicates (same ISBN as another record)",
                self.possible_duplicates,
            ) % {"n": n(self.possible_duplicates)}
        if self.dry_run:
            text = _("%(summary)s (dry run: nothing saved)") % {"summary": text}
        elif self.rolled_back:
            text = _("%(summary)s (all or nothing: rejections found, nothing saved)") % {
                "summary": text
            }
        return " ".join([f"{text}.", *self._unread_holdings_sentences(n, cli)])

    def _unread_holdings_sentences(self, n: Callable[[int], str], cli: bool) -> list[str]:
        sentences = []
        for tag, count in sorted(self.unread_holdings.items()):
            values = {"n": n(count), "tag": tag}
            if cli:
                text = ngettext(
                    "%(n)s record had %(tag)s holdings; choose --holdings %(tag)s to read them.",
                    "%(n)s records had %(tag)s holdings; choose --holdings %(tag)s to read them.",
                    count,
                )
            else:
                text = ngettext(
                    "%(n)s record had %(tag)s holdings, which were not read; import the file "
                    "again with copies in %(tag)s to read them.",
                    "%(n)s records had %(tag)s holdings, which were not read; import the file "
                    "again with copies in %(tag)s to read them.",
                    count,
                )
            sentences.append(text % values)
        return sentences


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
        with _fewer_collections(), _larger_sqlite_cache():
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
    if not report.rolled_back and (report.created or report.updated):
        signals.records_added.send(import_marc, municipality_id=school.municipality_id)
    return report


SQLITE_IMPORT_CACHE_KIB = 128 * 1024


@contextlib.contextmanager
def _larger_sqlite_cache() -> Iterator[None]:
    """On SQLite, a 128 MB page cache for the import's connection, the old size after.

    SQLite's default cache is 2 MB. Once the catalogue outgrows it, every record's entries in
    the indexes with random order (title, ISBN) mean pages read back from the file: at 100,000
    records an import was a tenth slower, and slower still as it grew.
    """
    connection = connections[router.db_for_write(Record)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(before):d}")
        except DatabaseError:  # the connection is gone, and its cache size with it
            pass


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] = (700, 10, 10)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while importing.

    A batch keeps some 100,000 young objects alive (pymarc fields, model instances); at
    Python's default threshold (a collection every 700 allocations) the collector walks them
    again and again: 40 % of an import's time. Reference counting frees them anyway; the
    collector still runs, every 100,000 allocations. Process-wide, so counted across threads.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], 100_000), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0:
                gc.set_threshold(*_gc_saved)


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
            if result.not_marc:  # the whole file: one problem, and no record read
                self.report.not_marc = result.error
                self._problem(result, result.error, error=True)
                continue
            self.report.read += 1
            for text in result.warnings:
                self._warn(result, text)
            if result.record is None:
                self._reject(result, result.error)
                continue
            record = Record(municipality=self.municipality)
            notes: list[str] = []
            try:
                isbn13s = apply_marc(record, result.record, notes)
                if not _plainly_valid(record):
                    record.full_clean(exclude=list(_UNCHECKED))
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
        _insert([RecordIsbn(record_id=r, isbn13=i) for r, i in wanted - have])
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
        new: list[Item] = []
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
                new.append(Item(record_id=p.record.pk, school=self.school, **copy))
        _insert(new)
        self.report.copies_created += len(new)

    # -- holdings ------------------------------------------------------------------------------

    def _copies(self, result: marcio.RecordResult, record: pymarc.Record) -> list[dict[str, Any]]:
        spec, copies = self.spec, []
        fields = record.get_fields(spec.tag)
        if not fields and spec.tag == "952":
            fields, spec = record.get_fields("852"), HoldingsSpec.for_tag("852")
        if spec.tag == "852" and any(f.get("p") for f in record.get_fields("876")):
            fields = _items_876(fields, record.get_fields("876"))
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
                self._warn(
                    result,
                    _("copy %(barcode)s: location “%(code)s” is unknown at %(school)s")
                    % {"barcode": barcode, "code": code, "school": self.school.name},
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


# --- Validating the columns cheaply -----------------------------------------------------------
#
# ``Record.full_clean()`` checks the age-range CheckConstraint with ``Q.check()``: a database
# query per record, half the time of an import. What full_clean checks for the columns an
# import sets is checked here in Python instead; any value this is not sure of (a web address,
# a string over its length, a number out of range, an unknown field type or constraint) goes
# through full_clean itself, so what is rejected, and the message, stay the same.

_UNCHECKED = ("marc", "municipality")
# Constraints full_clean skips (a field is excluded) or that _plainly_valid checks (age order).
_SKIPPED_CONSTRAINTS = {"record_control_number_unique"}
_AGE_ORDER = Q(age_min__isnull=True) | Q(age_max__isnull=True) | Q(age_max__gte=F("age_min"))
_Check = Callable[[Any], bool]


def _field_check(f: models.Field[Any, Any]) -> _Check | None:
    """A check that passes only values full_clean would accept; None: always use full_clean."""
    validators = {type(v) for v in f.validators}
    if f.choices:
        allowed = {value for value, _label in f.flatchoices}
        if validators <= {MaxLengthValidator} and type(f) is models.CharField:
            longest = f.max_length or 1 << 62
            return lambda v: v in allowed and isinstance(v, str) and len(v) <= longest
        return None
    if type(f) in (models.CharField, models.TextField) and validators <= {MaxLengthValidator}:
        most = f.max_length or 1 << 62
        return lambda v: isinstance(v, str) and len(v) <= most
    if type(f) is models.URLField:  # what URLField.clean does to a string: its validators
        return lambda v: isinstance(v, str) and _passes(f, v)
    if isinstance(f, models.IntegerField) and validators <= {MinValueValidator, MaxValueValidator}:
        low: int = max(
            (v.limit_value for v in f.validators if isinstance(v, MinValueValidator)),
            default=-(1 << 63),
        )
        high: int = min(
            (v.limit_value for v in f.validators if isinstance(v, MaxValueValidator)),
            default=1 << 63,
        )
        return lambda v: type(v) is int and low <= v <= high
    if isinstance(f, models.JSONField) and f.encoder is None and not validators:
        return _plain_json
    return None


def _passes(f: models.Field[Any, Any], value: Any) -> bool:
    try:
        f.run_validators(value)
    except ValidationError:
        return False
    return True


def _plain_json(value: Any) -> bool:
    """Surely serialisable by json.dumps (what JSONField.validate tries)."""
    kind = type(value)
    if kind is list:
        # extract's lists: of strings, or of {"name": …, "role": …}
        return all(type(item) is str or _plain_json(item) for item in value)
    if kind is dict:
        return all(type(k) is str and (type(v) is str or _plain_json(v)) for k, v in value.items())
    return value is None or kind in (str, int, bool)


@functools.cache
def _record_checks() -> list[tuple[str, bool, _Check | None]] | None:
    """(attname, may be blank, check) per field full_clean looks at; None: use full_clean."""
    meta = Record._meta
    if (
        any(
            c.name not in _SKIPPED_CONSTRAINTS
            and not (isinstance(c, models.CheckConstraint) and c.condition == _AGE_ORDER)
            for c in meta.constraints
        )
        or any(not set(c.fields) & set(_UNCHECKED) for c in meta.total_unique_constraints)
        or meta.unique_together
        or Record.clean is not models.Model.clean
        or any(f.unique and not f.primary_key for f in meta.concrete_fields)
    ):
        return None
    return [
        (f.attname, f.blank, _field_check(f))
        for f in meta.concrete_fields
        if f.name not in _UNCHECKED
    ]


def _plainly_valid(record: Record) -> bool:
    """True if ``record.full_clean(exclude=_UNCHECKED)`` would surely pass (and skip it)."""
    checks = _record_checks()
    if checks is None:
        return False
    for attname, blank, check in checks:
        value = getattr(record, attname)
        if value is None or value == "" or value == [] or value == {}:
            if blank:
                continue  # clean_fields skips empty values of fields that may be blank
            return False
        if check is None or not check(value):
            return False
    low, high = record.age_min, record.age_max
    return low is None or high is None or high >= low


HOLDINGS_TAGS = frozenset({"952", "852", "876", "949", "945"})


_BLANKS = pymarc.Indicators(" ", " ")


def _items_876(locations: list[pymarc.Field], items: list[pymarc.Field]) -> list[pymarc.Field]:
    """MARC21 holdings: an 852 per location and an 876 per copy, linked by $8 ("1" and
    "1.2"; else in order). One 852-like field per copy: the copy's barcode ($p), cost ($c as
    852 $9) and date acquired ($d as 852 $x), with its location's $b and $h."""
    by_link = {(f.get("8") or "").strip(): f for f in locations}
    copies = []
    for n, item in enumerate(items):
        link = (item.get("8") or "").split(".")[0].strip()
        where = by_link.get(link) if link else None
        if where is None and locations:
            where = locations[min(n, len(locations) - 1)]
        subfields = [s for s in (where.subfields if where else []) if s.code not in "p9x"]
        subfields += [
            pymarc.Subfield("p", item.get("p") or ""),
            pymarc.Subfield("9", item.get("c") or ""),
            pymarc.Subfield("x", item.get("d") or ""),
        ]
        copies.append(pymarc.Field(tag="852", indicators=_BLANKS, subfields=subfields))
    return copies


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


def _price(value: str | None) -> Decimal | None:
    """A price as libraries write it: "129,95", "kr. 89", "DKK 1.299,95", "1,299.95 NOK"."""
    found = re.search(r"-?\d[\d.,\s]*", value or "")
    if not found or found.group().startswith("-"):
        return None
    number = re.sub(r"\s", "", found.group()).rstrip(".,")
    last = max(number.rfind(","), number.rfind("."))
    decimals = number[last + 1 :] if 0 <= last >= len(number) - 3 else ""  # 1-2 digits: decimals
    whole = re.sub(r"[.,]", "", number[:last] if decimals else number)
    try:
        price = Decimal(f"{whole}.{decimals}" if decimals else whole)
    except InvalidOperation:
        return None
    return price if price < Decimal("10000000") else None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
