"""Search documents built from the database (the source of truth); plain dicts, no engine."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from reol.catalog.models import Item, ItemStatus, Record, RecordIsbn
from reol.catalog.relators import relator_codes
from reol.catalog.selectors import GONE

from .schema import ANY_SCHOOL
from .types import AGE_BUCKETS, LIX_BUCKETS, STEM_LANGUAGES

_LANGUAGE = {
    "dan": "da",
    "da": "da",
    "nor": "nb",
    "nob": "nb",
    "nno": "nb",
    "no": "nb",
    "nb": "nb",
    "nn": "nb",
    "eng": "en",
    "en": "en",
}

# Words a child may type that the record's text may not say: what it is and who it is for.
_TYPE_WORDS = {
    "book": "bog bøger bok bøker book books",
    "ebook": "e-bog ebog e-bøger e-bok ebok ebook e-book",
    "audiobook": "lydbog lydbøger lydbok lydbøker audiobook",
    "film": "film filmen movie dvd",
    "music": "musik musikk music cd",
    "periodical": "tidsskrift blad magasin magazine",
    "boardgame": "brætspil spil brettspill spill game",
    "kit": "materialekasse kasse kit",
    "device": "udstyr utstyr device",
    "eresource": "netressource nettressurs online",
    "map": "kort kart map atlas",
}
_AGE_WORDS = {
    "children": "børn barn børnebog barnebok children kids",
    "youth": "unge ungdom ungdomsbog ungdomsbok youth teen",
    "adult": "voksne voksen adult",
}
_COLUMNS = (
    "id",
    "municipality_id",
    "title",
    "subtitle",
    "sort_title",
    "responsibility",
    "contributors",
    "publisher",
    "year",
    "languages",
    "material_type",
    "audience",
    "age_min",
    "age_max",
    "reading_level",
    "subjects",
    "shelf_mark",
    "summary",
    "series",
    "dk5",
)


def documents(record_ids: Iterable[int]) -> Iterator[dict[str, Any]]:
    """The documents of these records (merged-away and deleted records have none)."""
    ids = list(record_ids)
    if not ids:
        return
    rows = Record.objects.filter(id__in=ids, merged_into__isnull=True).values(*_COLUMNS)
    isbns: dict[int, list[str]] = defaultdict(list)
    for record_id, isbn13 in RecordIsbn.objects.filter(record_id__in=ids).values_list(
        "record_id", "isbn13"
    ):
        isbns[record_id].append(isbn13)
    copies: dict[int, dict[str, list[Any]]] = defaultdict(dict)
    items = (
        Item.objects.filter(record_id__in=ids)
        .exclude(status__in=GONE)
        .values_list("record_id", "school__code", "school__name", "status")
    )
    for record_id, code, name, status in items:
        entry = copies[record_id].setdefault(code, [name, 0, 0])
        entry[2] += 1
        if status == ItemStatus.AVAILABLE:
            entry[1] += 1
    for row in rows:
        yield build(row, isbns.get(row["id"], []), copies.get(row["id"], {}))


# Which age buckets bring which of the ``_AGE_WORDS``, in the order they are added.
_AGE_BUCKET_WORDS = (
    (("0-5", "6-8", "9-12"), "children"),
    (("13-17",), "youth"),
    (("18+",), "adult"),
)


def _stem_languages(languages: list[str]) -> list[str]:
    """The stemmers for the record's languages; the site's (or Danish) when it names none."""
    stem = sorted({_LANGUAGE[c] for c in languages if c in _LANGUAGE})
    if not stem and not languages:
        default = settings.LANGUAGE_CODE[:2]
        stem = [default if default in STEM_LANGUAGES else "da"]
    return stem


def _ages(age_min: int | None, age_max: int | None) -> list[str]:
    """The age buckets the record's age range overlaps (none when it has no range)."""
    if age_min is None and age_max is None:
        return []
    low, high = age_min or 0, age_max if age_max is not None else 200
    return [k for k, (lo, hi) in AGE_BUCKETS.items() if lo <= high and low <= hi]


def _extra_words(row: dict[str, Any], ages: list[str]) -> list[str]:
    """Words searched beside the record's own: its publisher, what it is and who it is for."""
    extra = [row["publisher"], _TYPE_WORDS.get(row["material_type"], "")]
    for buckets, audience in _AGE_BUCKET_WORDS:
        if any(a in ages for a in buckets):
            extra.append(_AGE_WORDS[audience])
    return [e for e in extra if e]


def _stored(
    row: dict[str, Any],
    words: str,
    names: list[str],
    subjects: list[str],
    copies: dict[str, list[Any]],
) -> dict[str, Any]:
    """What a hit shows without a trip to the database (``words``: see ``_words``)."""
    title, subtitle = row["title"] or "", row["subtitle"] or ""
    return {
        "id": row["id"],
        "title": title,
        "subtitle": subtitle,
        # The relator codes, not a term in one language: ``labels.translate_roles`` and
        # ``Hit.from_stored`` show them in the reader's language. (Keys in this order: the
        # API rewrites the roles in the stored JSON without decoding it.)
        "contributors": [
            {
                "name": str(c["name"]),
                "relator": relator_codes(c),
                "role": str(c.get("role") or ""),
            }
            for c in row["contributors"] or []
            if c.get("name")
        ],
        "year": row["year"],
        "material_type": row["material_type"],
        "shelf_mark": row["shelf_mark"],
        "availability": [
            {"school": code, "name": name, "available": available, "total": total}
            for code, (name, available, total) in sorted(copies.items())
        ],
        "vocabulary": [words, *names, *subjects, row["series"]],
    }


def _words(row: dict[str, Any]) -> str:
    """Title and subtitle, searched as one text (as ever)."""
    return " ".join(filter(None, [row["title"] or "", row["subtitle"] or ""]))


def build(row: dict[str, Any], isbn13s: list[str], copies: dict[str, list[Any]]) -> dict[str, Any]:
    """One record's search document from its columns, ISBNs and copies per school."""
    names = [c.get("name", "") for c in row["contributors"] or [] if c.get("name")]
    subjects = [str(s) for s in row["subjects"] or [] if s]
    words = _words(row)
    languages = [str(code).lower() for code in row["languages"] or []]
    ages = _ages(row["age_min"], row["age_max"])
    lix = row["reading_level"]
    levels = [k for k, (lo, hi) in LIX_BUCKETS.items() if lix is not None and lo <= lix <= hi]
    return {
        "id": row["id"],
        "municipality": row["municipality_id"],
        "title": [words],
        "contributor": names + ([row["responsibility"]] if row["responsibility"] else []),
        "subject": subjects,
        "series": [row["series"]] if row["series"] else [],
        "summary": [row["summary"]] if row["summary"] else [],
        "extra": _extra_words(row, ages),
        "isbns": sorted(set(isbn13s)),  # queries become ISBN-13 too
        "stem_languages": _stem_languages(languages),
        "year": row["year"],
        "sort_title": row["sort_title"] or row["title"],
        "facets": {
            "material_type": [row["material_type"]],
            "language": languages,
            "age": ages,
            "reading_level": levels,
            "school": sorted(copies),
            "available": [code for code, c in copies.items() if c[1]]
            + ([ANY_SCHOOL] if any(c[1] for c in copies.values()) else []),
            "subject": [s[:100] for s in subjects],
        },
        "stored": _stored(row, words, names, subjects, copies),
    }
