"""Sorting SRU results: CQL's ``sortBy`` (SRU 2.0, and CQL 1.2 in any version) and the
``sortKeys`` parameter of SRU 1.1 and 1.2 (``title,,1``: path, schema, ascending,
caseSensitive, missingValue), over title, creator and date.

The search engine ranks by relevance; a sorted answer is every match (at most ``limit`` of
them, else diagnostic 83) put in order from the catalogue's columns. Titles and names sort as
the OPAC's title sort does (æ, ø, å after z; a leading article left out), case ignored;
ties keep the engine's order. What cannot be honoured gets the diagnostic SRU names for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reol.catalog.models import Record
from reol.catalog.search import text as search_text

from .cqlsearch import Diagnostic

MAX_KEYS = 3
# A sort index (CQL's, or a sortKeys path) → what it sorts by. Compared in lower case.
INDEXES = {
    "dc.title": "title",
    "bath.title": "title",
    "title": "title",
    "ti": "title",
    "dc.creator": "creator",
    "dc.author": "creator",
    "bath.author": "creator",
    "bath.name": "creator",
    "bath.personalname": "creator",
    "creator": "creator",
    "author": "creator",
    "au": "creator",
    "dc.date": "date",
    "date": "date",
    "year": "date",
}
_ASCENDING = {"sort.ascending", "ascending"}
_DESCENDING = {"sort.descending", "descending"}
_IGNORE_CASE = {"sort.ignorecase", "ignorecase"}
_RESPECT_CASE = {"sort.respectcase", "respectcase"}
_MISSING_HIGH = {"sort.missinghigh", "missinghigh"}
_MISSING_LOW = {"sort.missinglow", "missinglow"}
_MISSING_OTHER = {"sort.missingomit", "missingomit", "sort.missingfail", "missingfail"}


@dataclass(frozen=True)
class SortKey:
    by: str  # "title", "creator" or "date"
    descending: bool = False
    missing_low: bool = False  # a record without the value sorts as the lowest, not highest


def _index(name: str) -> str:
    by = INDEXES.get(name.lower())
    if by is None:
        raise Diagnostic(88, name, "Unsupported path for sort")
    return by


def _checked(keys: list[SortKey]) -> list[SortKey]:
    if len(keys) > MAX_KEYS:
        raise Diagnostic(84, str(MAX_KEYS), "Too many sort keys to sort")
    return keys


def from_cql(specs: Iterable[Any]) -> list[SortKey]:
    """CQL's ``sortBy dc.date/sort.descending dc.title`` as sort keys."""
    keys = []
    for spec in specs:
        descending = missing_low = False
        for modifier in spec.modifiers or []:
            name = str(modifier.name).lower()
            if name in _ASCENDING:
                descending = False
            elif name in _IGNORE_CASE or name in _MISSING_HIGH:
                pass  # what we do anyway
            elif name in _DESCENDING:
                descending = True
            elif name in _MISSING_LOW:
                missing_low = True
            elif name in _RESPECT_CASE:
                raise Diagnostic(91, str(modifier.name), "Unsupported case")
            elif name in _MISSING_OTHER:
                raise Diagnostic(92, str(modifier.name), "Unsupported missing value action")
            else:
                raise Diagnostic(82, str(modifier.name), "Unsupported sort sequence")
        keys.append(SortKey(_index(str(spec.index)), descending, missing_low))
    return _checked(keys)


def from_sort_keys(value: str, schemas: Iterable[str]) -> list[SortKey]:
    """SRU 1.1/1.2's ``sortKeys``: keys apart by spaces, each ``path,schema,ascending,
    caseSensitive,missingValue`` (all but the path may be left out)."""
    keys = []
    for key in value.split():
        path, schema, ascending, case, missing = (key.split(",") + [""] * 4)[:5]
        if schema and schema not in schemas:
            raise Diagnostic(87, schema, "Unsupported schema for sort")
        if ascending not in ("", "0", "1"):
            raise Diagnostic(90, ascending, "Unsupported direction")
        if case not in ("", "0"):
            raise Diagnostic(91, case, "Unsupported case")
        if missing not in ("", "highValue", "lowValue"):
            raise Diagnostic(92, missing, "Unsupported missing value action")
        keys.append(SortKey(_index(path), ascending == "0", missing == "lowValue"))
    return _checked(keys)


# --- Ordering ------------------------------------------------------------------------------


def _text_key(value: str) -> tuple[int, str]:
    return search_text.sort_key(value), value.casefold()


def _creator(contributors: Any) -> str:
    """The name a record files under: its first author, else its first contributor."""
    names = [c for c in contributors or [] if isinstance(c, dict) and c.get("name")]
    authors = [c for c in names if "aut" in str(c.get("relator") or "")]
    first = (authors or names or [{}])[0]
    return str(first.get("name") or "")


def _value(by: str, row: tuple[Any, ...]) -> Any:
    """The row's value to sort by, or None when it has none."""
    _pk, sort_title, title, contributors, year = row
    if by == "title":
        shown = sort_title or title or ""
        return _text_key(shown) if shown else None
    if by == "creator":
        name = _creator(contributors)
        return _text_key(name) if name else None
    return year


def order(ids: list[int], keys: list[SortKey]) -> list[int]:
    """``ids`` (in the engine's order) sorted by ``keys``: one read of the sort columns."""
    rows = {
        row[0]: row
        for row in Record.objects.filter(pk__in=ids).values_list(
            "id", "sort_title", "title", "contributors", "year"
        )
    }
    found = [rows[pk] for pk in ids if pk in rows]
    for key in reversed(keys):  # a stable sort, least significant key first
        blank: Any = 0 if key.by == "date" else (0, "")
        # missing "high": after the others ascending, before them descending; "low" the reverse
        rank = -1 if key.missing_low else 1

        def sort_on(
            row: tuple[Any, ...], key: SortKey = key, blank: Any = blank, rank: int = rank
        ) -> Any:
            value = _value(key.by, row)
            return (0, value) if value is not None else (rank, blank)

        found.sort(key=sort_on, reverse=key.descending)
    return [row[0] for row in found]
