"""Look a suggested or ordered ISBN up: in the municipality's own catalogue first, then over
SRU through the catalogue's targets and client (``catalog.sru.lookup``, the same path as the
catalogue's "Add by ISBN"). A read: it writes nothing, and runs before the action's transaction
so that a slow target never holds a database lock.

What it finds are *hints*: title, author, publisher, year and a price the record states (020 $c
or 365 $b), for a form to fill in and a person to check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import pymarc

from reol.catalog import marc as marcio
from reol.catalog import sru
from reol.catalog.extract import extract, normalize_isbn
from reol.catalog.models import Record, SruTarget
from reol.catalog.services import records_with_isbn
from reol.core.models import School

# "kr. 249,95", "249.95 DKK", "£7.99", "NOK 349,-": the first number with at most two decimals
_PRICE = re.compile(r"(\d{1,7})(?:[.,](\d{1,2}))?(?!\d)")


@dataclass
class Hints:
    """What is known about an ISBN: our record, or a candidate found over SRU (its MARC, for
    copying into the catalogue when the title is ordered), or neither (``failures`` says why
    a target could not be asked)."""

    isbn13: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    year: int | None = None
    price: Decimal | None = None
    record: Record | None = None
    marc: pymarc.Record | None = None
    source: str = ""
    failures: list[str] = field(default_factory=list)

    def remember(self) -> dict[str, Any]:
        """What ``by_isbn(remembered=...)`` takes back: the found record, for the session."""
        if self.marc is None:
            return {}
        return {self.isbn13: {"marc": marcio.to_json(self.marc), "source": self.source}}

    @property
    def found(self) -> bool:
        return self.record is not None or self.marc is not None


def price_of(marc: pymarc.Record) -> Decimal | None:
    """The price a record states: 365 $b (an amount), else the terms of availability in
    020 $c. None when there is none or it cannot be read as an amount."""
    texts = [v for f in marc.get_fields("365") for v in f.get_subfields("b")]
    texts += [v for f in marc.get_fields("020") for v in f.get_subfields("c")]
    for text in texts:
        found = _PRICE.search(text.replace(" ", ""))
        if found:
            try:
                return Decimal(f"{found.group(1)}.{(found.group(2) or '0').ljust(2, '0')}")
            except InvalidOperation:  # pragma: no cover - the pattern gives digits only
                continue
    return None


def _from_marc(hints: Hints, marc: pymarc.Record) -> Hints:
    columns = extract(marc).columns
    people = columns["contributors"]
    hints.title = str(columns["title"])
    hints.author = people[0]["name"] if people else str(columns["responsibility"])
    hints.publisher = str(columns["publisher"])
    hints.year = columns["year"]
    hints.price = price_of(marc)
    return hints


def by_isbn(school: School, isbn: str, *, remembered: dict[str, Any] | None = None) -> Hints | None:
    """Hints for an ISBN at this school's municipality; None if it is not a valid ISBN.
    ``remembered`` maps ISBN-13s to records found over SRU a moment ago (MARC-in-JSON, kept in
    the session, never taken back from the browser): they are not asked for again."""
    isbn13 = normalize_isbn(isbn)
    if isbn13 is None:
        return None
    hints = Hints(isbn13)
    ours = records_with_isbn(school.municipality, [isbn13])
    if ours:
        record = hints.record = ours[0]
        people = record.contributors or []
        hints.title, hints.publisher, hints.year = record.title, record.publisher, record.year
        hints.author = people[0]["name"] if people else record.responsibility
        hints.price = price_of(marcio.from_json(record.marc))
        return hints
    if remembered and isbn13 in remembered:
        hints.marc, hints.source = (
            marcio.from_json(remembered[isbn13]["marc"]),
            remembered[isbn13]["source"],
        )
        return _from_marc(hints, hints.marc)
    targets = list(SruTarget.objects.filter(municipality_id=school.municipality_id, enabled=True))
    candidates, hints.failures, _answered = sru.lookup(targets, isbn13, maximum=1)
    if candidates:
        hints.marc, hints.source = candidates[0].record, candidates[0].target
        _from_marc(hints, candidates[0].record)
    return hints
