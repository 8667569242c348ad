"""Reads of the public catalogue worth a name (the search itself is ``reol.catalog.search``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from reol.core.models import Municipality, School

from .models import BarcodeFormat, Item, ItemStatus, Record, RecordIsbn

# Copies that are no longer copies to a reader: not shown in the public catalogue, not counted
# by search (a lost copy is not on any shelf and will not come back from a loan).
GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST)


def barcode_format(school: School | None) -> BarcodeFormat:
    """The school's format for generated barcodes (an unsaved default: "R" + 8 digits)."""
    found = BarcodeFormat.objects.filter(school=school).first() if school is not None else None
    return found or BarcodeFormat(
        prefix=BarcodeFormat.DEFAULT_PREFIX, digits=BarcodeFormat.DEFAULT_DIGITS
    )


def public_municipality(code: str | None) -> Municipality | None:
    """The municipality a public search is in: the one asked for, the configured one, or the
    only one there is (None when that is ambiguous or unknown)."""
    code = code or getattr(settings, "REOL_PUBLIC_MUNICIPALITY", None)
    if code:
        return Municipality.objects.filter(code=code).first()
    found = list(Municipality.objects.all()[:2])
    return found[0] if len(found) == 1 else None


def public_record(municipality: Municipality, pk: int) -> tuple[Record, list[dict[str, Any]]]:
    """A record and its copies per school, as anyone may see them (never who has a loan).

    Withdrawn and lost copies are left out, as search leaves them out of its counts."""
    record = get_object_or_404(
        Record.objects.prefetch_related("isbns"), pk=pk, municipality=municipality
    )
    copies = [
        {
            "school": item.school.code,
            "school_name": item.school.name,
            "status": item.status,
            "status_label": item.get_status_display(),
            "shelf_mark": item.effective_shelf_mark,
            "location": item.location.name if item.location else "",
            "circulation_type": item.circulation_type,
        }
        for item in Item.objects.filter(record=record)
        .exclude(status__in=GONE)
        .select_related("school", "location", "record")
        .order_by("school__name", "barcode")
    ]
    return record, copies


# --- Merging two records: what the cataloguer sees before saying yes --------------------------


@dataclass
class MergeSide:
    record: Record
    author: str
    isbns: list[str]
    copies: list[tuple[str, int]]  # (school, number of copies), every school of the municipality

    @property
    def copies_total(self) -> int:
        return sum(n for _school, n in self.copies)


@dataclass
class MergeRow:
    label: str
    keep: str
    duplicate: str
    differs: bool


@dataclass
class MergeComparison:
    keep: MergeSide
    duplicate: MergeSide
    rows: list[MergeRow] = field(default_factory=list)
    # what makes it likely that these are different books, translated: "the ISBNs differ" …
    warnings: list[str] = field(default_factory=list)


def _side(record: Record) -> MergeSide:
    author = record.responsibility or (
        record.contributors[0].get("name", "") if record.contributors else ""
    )
    copies = list(
        Item.objects.filter(record=record)
        .values_list("school__name")
        .annotate(n=Count("id"))
        .order_by("school__name")
    )
    return MergeSide(
        record=record,
        author=author,
        isbns=sorted(record.isbns.values_list("isbn13", flat=True)),
        copies=copies,
    )


def _same_words(a: str, b: str) -> bool:
    """Equal ignoring case, punctuation and spacing ("Harry Potter og De Vises Sten" =
    "Harry Potter og de vises sten.")."""

    def words(text: str) -> list[str]:
        return re.findall(r"\w+", text.casefold())

    return words(a) == words(b)


def merge_comparison(keep: Record, duplicate: Record) -> MergeComparison:
    """The two records side by side, each row marked where they differ, and warnings when
    they look like different books (different ISBNs, different titles)."""
    left, right = _side(keep), _side(duplicate)
    full_title = f"{keep.title} {keep.subtitle}".strip()
    other_title = f"{duplicate.title} {duplicate.subtitle}".strip()

    def copies(side: MergeSide) -> str:
        return "; ".join(f"{school}: {n}" for school, n in side.copies) or "–"

    rows = [
        MergeRow(
            str(_("Title")), full_title, other_title, not _same_words(full_title, other_title)
        ),
        MergeRow(
            str(_("Author")),
            left.author,
            right.author,
            not _same_words(left.author, right.author),
        ),
        MergeRow(
            str(_("Year")),
            str(keep.year or ""),
            str(duplicate.year or ""),
            keep.year != duplicate.year,
        ),
        MergeRow(
            str(_("ISBN")),
            ", ".join(left.isbns),
            ", ".join(right.isbns),
            left.isbns != right.isbns,
        ),
        MergeRow(
            str(_("Publisher")),
            keep.publisher,
            duplicate.publisher,
            not _same_words(keep.publisher, duplicate.publisher),
        ),
        MergeRow(str(_("Copies per school")), copies(left), copies(right), False),
    ]
    warnings = []
    if left.isbns and right.isbns and not set(left.isbns) & set(right.isbns):
        warnings.append(str(_("The ISBNs differ: they may be different books or editions.")))
    if not _same_words(keep.title, duplicate.title):
        warnings.append(str(_("The titles differ.")))
    return MergeComparison(left, right, rows, warnings)


def possible_duplicates(municipality_id: int) -> list[tuple[str, list[Record]]]:
    """Current records of the municipality that share an ISBN, per ISBN-13 (at most 200
    ISBNs): what an import kept apart because their 001+003 differ, for a cataloguer to merge
    or leave. Merged records drop out, so a group disappears once it is one record."""
    current = RecordIsbn.objects.filter(
        record__municipality_id=municipality_id, record__merged_into__isnull=True
    )
    shared = list(
        current.values("isbn13")
        .annotate(n=Count("record_id"))
        .filter(n__gt=1)
        .order_by("isbn13")
        .values_list("isbn13", flat=True)[:200]
    )
    groups: dict[str, list[Record]] = {isbn: [] for isbn in shared}
    for link in current.filter(isbn13__in=shared).select_related("record").order_by("record_id"):
        groups[link.isbn13].append(link.record)
    return list(groups.items())


def new_copies(school: School, since: dt.date) -> QuerySet[Item]:
    """The copies that came to ``school`` since a day and are still there (not withdrawn or
    lost, their title not merged away), newest first: "new at the library" (the bulletin, its
    feed and digest; the OPAC's new arrivals count the same copies per title)."""
    return (
        Item.objects.filter(
            school=school, created_at__date__gte=since, record__merged_into__isnull=True
        )
        .exclude(status__in=GONE)
        .order_by("-created_at", "-id")
    )
