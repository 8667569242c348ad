"""The search interface's data: what is asked and what comes back (no engine here)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from reol.catalog.relators import role_label

STEM_LANGUAGES = ("da", "nb", "en")
SORTS = ("relevance", "title", "newest")

# Facet buckets. Ages overlap a record's range (8–12 is in "6-8" and "9-12").
AGE_BUCKETS = {"0-5": (0, 5), "6-8": (6, 8), "9-12": (9, 12), "13-17": (13, 17), "18+": (18, 200)}
# LIX bands, finer at the easy end where children's books are.
LIX_BUCKETS = {
    "0-9": (0, 9),
    "10-14": (10, 14),
    "15-19": (15, 19),
    "20-24": (20, 24),
    "25-34": (25, 34),
    "35-44": (35, 44),
    "45+": (45, 200),
}
# Publication years: [from, to).
YEAR_BUCKETS = {
    "-1979": (1, 1980),
    "1980-1999": (1980, 2000),
    "2000-2009": (2000, 2010),
    "2010-2019": (2010, 2020),
    "2020-": (2020, 10000),
}
FACETS = (
    "material_type",
    "age",
    "reading_level",
    "language",
    "school",
    "available",
    "year",
    "subject",
)


@dataclass
class SearchQuery:
    """A search within one municipality, optionally one school ("my school")."""

    text: str
    municipality_id: int
    school: str | None = None  # a school code: only records with copies there
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet → values (OR)
    available: bool = False  # a copy on the shelf now (at ``school``, else anywhere)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    language: str = "da"  # the user's language: how the query is stemmed
    facets: bool | Collection[str] = True  # True: every facet; or the names of those wanted
    prefix_last: bool = False  # search-as-you-type: the last word is a prefix
    exact: bool = False  # no typo tolerance (protocols: a client asks for what it says)


@dataclass
class Likeness:
    """What "more like this" looks for: what the record ``id`` is about and who it is for."""

    id: int
    municipality: int
    subjects: list[str] = field(default_factory=list)  # as the subject facet holds them
    series: str = ""  # the series' name, without the number
    authors: list[str] = field(default_factory=list)
    ages: list[str] = field(default_factory=list)  # age bands (AGE_BUCKETS)
    languages: list[str] = field(default_factory=list)
    school: str | None = None  # only records with copies at this school


@dataclass
class Availability:
    school: str
    name: str
    available: int
    total: int


@dataclass
class Hit:
    """A record found. ``contributors``: name, ``relator`` (the MARC codes, "aut,ill") and
    ``role`` (their terms in the active language, or the term as catalogued)."""

    id: int
    title: str
    contributors: list[dict[str, str]]
    year: int | None
    material_type: str
    shelf_mark: str
    availability: list[Availability]
    subtitle: str = ""

    @property
    def full_title(self) -> str:
        """ "Title : Subtitle", as the public catalogue writes it."""
        from .labels import full_title

        return full_title(self.title, self.subtitle)

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> Hit:
        return cls(
            id=stored["id"],
            title=stored["title"],
            subtitle=stored.get("subtitle", ""),
            contributors=[{**c, "role": role_label(c)} for c in stored.get("contributors", [])],
            year=stored.get("year"),
            material_type=stored.get("material_type", ""),
            shelf_mark=stored.get("shelf_mark", ""),
            availability=[Availability(**a) for a in stored.get("availability", [])],
        )


@dataclass
class FacetValue:
    value: str
    count: int
    label: str = ""


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    page: int = 1
    size: int = 20
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    hits_json: list[bytes] = field(default_factory=list)  # the hits as stored JSON (``raw``)


@dataclass
class Status:
    path: str
    exists: bool
    stale: bool
    documents: int
    records: int
    last_applied_id: int
    newest_outbox_id: int
    lag: int  # outbox rows not yet applied
    lag_seconds: float  # age of the oldest unapplied row
