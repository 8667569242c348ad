"""The public search endpoints: ``GET /search`` and ``GET /autocomplete`` (anonymous).

Mounted into the catalogue's router (``reol.catalog.api``), so they answer at
``/api/v1/search`` and ``/api/v1/autocomplete``. They show whether a copy is on the shelf, never
who has it.

They are on the hot path of every search box, so they do as little as a request allows:

* no database query at all for a warm process: the municipality and school names come from
  ``selectors`` (cached per process, cleared when a municipality or school changes);
* facets are counted only when asked for (``?facets=all`` or ``?facets=school&facets=year``):
  the aggregation costs as much as the query itself for common words;
* hits go out as the JSON the index stores for them, spliced into the response; pydantic
  validation of 20 hits with their copies per school cost more than Tantivy's search. Only the
  contributors' roles are rewritten, into the request's language (``labels.translate_roles``).
  The response schemas below still describe the output for the OpenAPI document, and the tests
  check the output against them.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from . import autocomplete as complete
from . import labels, selectors
from . import search as run_search
from .types import FACETS, SearchQuery, SearchResult

router = Router(tags=["catalogue"])

FILTERS = ("school", "material_type", "age", "reading_level", "language", "subject", "year")


class AvailabilityOut(Schema):
    school: str
    name: str
    available: int
    total: int


class ContributorOut(Schema):
    name: str
    relator: str = Field("", description="MARC relator codes, e.g. aut or aut,ill")
    role: str = Field("", description="the role in the request's language, e.g. author")


class HitOut(Schema):
    id: int
    title: str
    subtitle: str
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
    facet_titles: dict[str, str]
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
    facets: list[str] = Field(
        default_factory=list,
        max_length=len(FACETS) + 1,
        description="facets to count: `all`, or names among " + ", ".join(FACETS),
    )


class SuggestionOut(Schema):
    id: int
    title: str = Field(description="title and subtitle: “Title : Subtitle”")
    contributor: str


def _municipality(code: str | None) -> selectors.PublicMunicipality:
    municipality = selectors.public_municipality(code)
    if municipality is None:
        raise Http404(_("Choose a municipality (?municipality=code)."))
    return municipality


def _language(lang: str | None) -> str:
    found = lang or (get_language() or "da")[:2]
    return found if found in ("da", "nb", "en") else "da"


def _json(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def wanted_facets(asked: list[str]) -> tuple[str, ...]:
    """``?facets=`` as facet names (``all`` for every one; unknown names are ignored)."""
    if "all" in asked:
        return FACETS
    return tuple(f for f in FACETS if f in asked)


def facets_body(result: SearchResult, municipality_id: int) -> dict[str, list[dict[str, Any]]]:
    """The facets with a label per value, in the active language."""
    schools = (
        selectors.school_names(municipality_id)
        if "school" in result.facets or "available" in result.facets
        else {}
    )
    return {
        name: [
            {"value": v.value, "count": v.count, "label": labels.label(name, v.value, schools)}
            for v in values
        ]
        for name, values in result.facets.items()
    }


@router.get("/search", auth=None, response=SearchOut)
def search_records(request: HttpRequest, params: Query[SearchParams]) -> HttpResponse:
    """Search the catalogue of a municipality (or one school); facets when asked for."""
    municipality = _municipality(params.municipality)
    filters = {name: getattr(params, name) for name in FILTERS if getattr(params, name)}
    facets = wanted_facets(params.facets)
    result = run_search(
        SearchQuery(
            text=params.q,
            municipality_id=municipality.id,
            filters=filters,
            available=params.available,
            sort=params.sort,
            page=params.page,
            size=params.size,
            language=_language(params.lang),
            facets=facets,
        ),
        raw=True,
    )
    body = b"".join(
        [
            b'{"total":%d,"page":%d,"size":%d,"hits":[' % (result.total, result.page, result.size),
            labels.translate_roles(b",".join(result.hits_json)),
            b'],"facets":',
            _json(facets_body(result, municipality.id)),
            b',"facet_titles":',
            _json({name: labels.title(name) for name in facets}),
            b',"suggestion":',
            _json(result.suggestion),
            b"}",
        ]
    )
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/autocomplete", auth=None, response=list[SuggestionOut])
def autocomplete(
    request: HttpRequest,
    q: str = Query("", max_length=500),
    municipality: str | None = Query(None, max_length=32),
    lang: str | None = Query(None, pattern="^(da|nb|en)$"),
) -> HttpResponse:
    """Titles for the search box while typing (the last word is a prefix)."""
    found = _municipality(municipality)
    suggestions = complete(q, municipality_id=found.id, language=_language(lang))
    return HttpResponse(
        _json([{"id": s.id, "title": s.title, "contributor": s.contributor} for s in suggestions]),
        content_type="application/json; charset=utf-8",
    )
