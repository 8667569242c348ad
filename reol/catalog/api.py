"""Public catalogue endpoints: search, autocomplete and a record with its copies.

Anyone may use them (no sign-in); they show whether a copy is on the shelf, never who has it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from reol.core.models import Municipality

from . import search, selectors
from .relators import role_label

router = Router(tags=["catalogue"])


class AvailabilityOut(Schema):
    school: str
    name: str
    available: int
    total: int


class ContributorOut(Schema):
    name: str
    role: str = ""


class HitOut(Schema):
    id: int
    title: str
    contributors: list[ContributorOut]
    year: int | None
    material_type: str
    shelf_mark: str
    availability: list[AvailabilityOut]


class FacetValueOut(Schema):
    value: str
    count: int
    label: str


class SearchOut(Schema):
    total: int
    page: int
    size: int
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]
    suggestion: str | None


class SearchParams(Schema):
    q: str = Field("", max_length=10_000)
    municipality: str | None = Field(None, max_length=32)
    school: list[str] = Field(default_factory=list, description="only records with copies here")
    material_type: list[str] = Field(default_factory=list)
    age: list[str] = Field(default_factory=list, description="e.g. 6-8, 9-12")
    reading_level: list[str] = Field(default_factory=list, description="LIX band, e.g. 10-14")
    language: list[str] = Field(default_factory=list, description="MARC code, e.g. dan")
    subject: list[str] = Field(default_factory=list)
    year: list[str] = Field(default_factory=list, description="e.g. 2010-2019")
    available: bool = Field(False, description="a copy on the shelf now (at the school)")
    sort: str = Field("relevance", pattern="^(relevance|title|newest)$")
    page: int = Field(1, ge=1, le=1_000_000)
    size: int = Field(20, ge=1, le=100)
    lang: str | None = Field(None, pattern="^(da|nb|en)$", description="how to stem the query")


class SuggestionOut(Schema):
    id: int
    title: str
    contributor: str


class CopyOut(Schema):
    school: str
    school_name: str
    status: str
    status_label: str
    shelf_mark: str
    location: str
    circulation_type: str


class RecordOut(Schema):
    id: int
    title: str
    subtitle: str
    responsibility: str
    contributors: list[ContributorOut]
    publisher: str
    year: int | None
    languages: list[str]
    material_type: str
    audience: str
    age_min: int | None
    age_max: int | None
    reading_level: int | None
    subjects: list[str]
    series: str
    summary: str
    shelf_mark: str
    isbns: list[str]
    cover_url: str
    url: str
    copies: list[CopyOut]


def _municipality(code: str | None) -> Municipality:
    municipality = selectors.public_municipality(code)
    if municipality is None:
        raise Http404(_("Choose a municipality (?municipality=code)."))
    return municipality


def _language(lang: str | None) -> str:
    return lang or (get_language() or "da")[:2]


@router.get("/search", auth=None, response=SearchOut)
def search_records(request: HttpRequest, params: Query[SearchParams]) -> dict[str, object]:
    """Search the catalogue of a municipality (or one school), with facets."""
    municipality = _municipality(params.municipality)
    filters = {
        name: getattr(params, name)
        for name in ("school", "material_type", "age", "reading_level", "language", "subject")
        if getattr(params, name)
    }
    if params.year:
        filters["year"] = params.year
    result = search.search(
        search.SearchQuery(
            text=params.q,
            municipality_id=municipality.pk,
            filters=filters,
            available=params.available,
            sort=params.sort,
            page=params.page,
            size=params.size,
            language=_language(params.lang),
        )
    )
    labels = selectors.facet_labels(municipality)
    any_school = _("any school")
    return {
        "total": result.total,
        "page": result.page,
        "size": result.size,
        "hits": result.hits,
        "facets": {
            name: [
                {
                    "value": v.value,
                    "count": v.count,
                    "label": any_school
                    if name == "available" and v.value == "*"
                    else labels.get(name, {}).get(v.value, v.value),
                }
                for v in values
            ]
            for name, values in result.facets.items()
        },
        "suggestion": result.suggestion,
    }


@router.get("/autocomplete", auth=None, response=list[SuggestionOut])
def autocomplete(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    municipality: str | None = Query(None, max_length=32),
    lang: str | None = Query(None, pattern="^(da|nb|en)$"),
) -> list[search.Suggestion]:
    """Titles for the search box while typing (the last word is a prefix)."""
    found = _municipality(municipality)
    return search.autocomplete(q, municipality_id=found.pk, language=_language(lang))


@router.get("/records/{record_id}", auth=None, response=RecordOut)
def record_detail(
    request: HttpRequest, record_id: int, municipality: str | None = None
) -> dict[str, object]:
    """A record with its copies per school: status, shelf mark and location."""
    record, copies = selectors.public_record(_municipality(municipality), record_id)
    return {
        **{name: getattr(record, name) for name in RecordOut.model_fields if hasattr(record, name)},
        "contributors": [
            {"name": c.get("name", ""), "role": role_label(c)} for c in record.contributors or []
        ],
        "isbns": [i.isbn13 for i in record.isbns.all()],
        "copies": copies,
    }
