"""The public catalogue's results page: the query from the URL, facets, hits with their shelf
status at "my school", paging and sorting (the search box's suggestions are in ``views``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.catalog import search
from reol.catalog.models import Record
from reol.catalog.search import labels
from reol.catalog.search import selectors as search_selectors
from reol.reading import levels as reading_levels
from reol.reading import selectors as reading

from .selectors import Place
from .templatetags.opac import age_text
from .views import MAX_QUERY, _clean, _language, _place_or_choose

PAGE_SIZE = 20
MAX_PAGE = 10_000 // PAGE_SIZE  # the engine stops at result 10,000
FILTER_FACETS = ("material_type", "age", "reading_level", "language", "school", "year", "subject")
MAX_VALUES = 20  # values per facet in a URL


# --- Results -----------------------------------------------------------------------------------


@dataclass
class FacetLink:
    label: str
    count: int | None
    url: str
    selected: bool


@dataclass
class FacetGroup:
    name: str
    title: str
    links: list[FacetLink] = field(default_factory=list)


@dataclass
class Params:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    available: bool = False
    scope: str = "mine"
    sort: str = "relevance"
    page: int = 1
    exact: bool = False  # "search for what I typed": no searching for the correction instead

    def pairs(self, **changes: Any) -> list[tuple[str, str]]:
        values = {
            "q": self.q,
            "filters": self.filters,
            "available": self.available,
            "scope": self.scope,
            "sort": self.sort,
            "page": 1,
            **changes,
        }
        pairs: list[tuple[str, str]] = [("q", values["q"])] if values["q"] else []
        for name in FILTER_FACETS:
            pairs += [(name, v) for v in values["filters"].get(name, [])]
        if values["available"]:
            pairs.append(("available", "1"))
        pairs.append(("scope", values["scope"]))
        if values["sort"] != "relevance":
            pairs.append(("sort", values["sort"]))
        if changes.get("exact", self.exact and "q" not in changes):
            pairs.append(("exact", "1"))
        if values["page"] > 1:
            pairs.append(("page", str(values["page"])))
        return pairs

    def url(self, **changes: Any) -> str:
        return f"{reverse('opac-search')}?{urlencode(self.pairs(**changes))}"

    def toggled(self, name: str, value: str) -> str:
        current = self.filters.get(name, [])
        values = [v for v in current if v != value] if value in current else [*current, value]
        return self.url(filters={**self.filters, name: values})


def _params(request: HttpRequest, where: Place) -> Params:
    get = request.GET
    filters: dict[str, list[str]] = {}
    for name in FILTER_FACETS:
        values = [_clean(v, 100) for v in get.getlist(name)[:MAX_VALUES]]
        if values := list(dict.fromkeys(v for v in values if v)):
            filters[name] = values
    try:
        page = int(get.get("page", "1")[:12])
    except ValueError:
        page = 1
    sort = get.get("sort", "relevance")
    scope = "all" if get.get("scope") == "all" or where.school is None else "mine"
    return Params(
        q=_clean(get.get("q", ""), MAX_QUERY),
        filters=filters,
        available=get.get("available") in ("1", "on", "true"),
        scope=scope,
        sort=sort if sort in search.SORTS else "relevance",
        page=min(max(page, 1), MAX_PAGE),
        exact=get.get("exact") == "1",
    )


def _facet_label(name: str, value: str, schools: dict[str, str]) -> str:
    """A facet value as the API names it (``search.labels``), but ages as a child reads them:
    "up to 5 years", not "0–5 years" (with the grades, as the API has them too)."""
    if name == "age":
        low, _sep, high = value.partition("-")
        if value.endswith("+") and value[:-1].isdigit():
            years = age_text(int(value[:-1]), None)
        elif low.isdigit() and high.isdigit():
            years = age_text(int(low), int(high))
        else:
            return value
        grades = labels.age_grades(value)  # a teacher thinks in grades: "3.–6. klasse"
        return f"{years} ({grades})" if grades else years
    return labels.label(name, value, schools)


FACET_TITLES = {
    "material_type": lambda: _("What kind"),
    "age": lambda: _("Age"),
    "reading_level": lambda: _("How hard to read"),
    "language": lambda: _("Language"),
    "school": lambda: _("School"),
    "year": lambda: _("Year"),
    "subject": lambda: _("Subject"),
}


def _facet_groups(
    result: search.SearchResult, params: Params, schools: dict[str, str]
) -> list[FacetGroup]:
    groups = []
    for name in FILTER_FACETS:
        if name == "school" and params.scope == "mine":
            continue
        chosen = params.filters.get(name, [])
        values = list(result.facets.get(name, []))
        seen = {v.value for v in values}
        # A chosen value with no hits left stays visible, so it can be taken off again.
        values += [search.FacetValue(v, 0) for v in chosen if v not in seen]
        if name == "subject":
            values = values[:15]
        links = [
            FacetLink(
                _facet_label(name, v.value, schools),
                v.count,
                params.toggled(name, v.value),
                v.value in chosen,
            )
            for v in values
        ]
        if links:
            groups.append(FacetGroup(name, FACET_TITLES[name](), links))
    return groups


@dataclass
class HitView:
    hit: search.Hit
    record: Record | None
    here: search.Availability | None
    elsewhere: list[search.Availability]
    more_schools: int
    title: str = ""  # "Title : Subtitle"
    extras: reading.Extras | None = None  # cover and reading level in words


def _hit_views(hits: list[search.Hit], where: Place, scope: str, user: Any = None) -> list[HitView]:
    records = reading.with_covers(
        Record.objects.filter(pk__in=[h.id for h in hits], municipality=where.municipality)
    ).only("age_min", "age_max", "reading_level", *reading.COVER_FIELDS, *reading.COVER_JOIN_FIELDS)
    by_id = {r.pk: r for r in records}
    extras = reading.extras_for(by_id.values(), user, where.school)
    views = []
    code = where.school.code if where.school else None
    for hit in hits:
        if hit.id not in by_id:  # gone since it was indexed, or (never) another municipality
            continue
        here = next((a for a in hit.availability if a.school == code), None)
        others = [a for a in hit.availability if a.school != code]
        others.sort(key=lambda a: (a.available == 0, a.name))
        shown = others[:3]
        found = by_id[hit.id]
        views.append(
            HitView(
                hit,
                found,
                here,
                shown,
                len(others) - len(shown),
                hit.full_title,
                extras.get(hit.id),
            )
        )
    return views


def _search_or_what_was_meant(
    asked: search.SearchQuery, params: Params
) -> tuple[search.SearchResult, str, Params]:
    """The result, what the child typed when something else was searched instead, and the
    parameters of what was searched."""
    result = search.search(asked)
    if result.suggestion and not params.exact:
        # A misspelt word finds little ("hetse": the few records whose subject is "heste");
        # what it was meant to be finds more ("heste": every horse book by its stem). A child
        # gets those at once, and one tap back to what they typed.
        suggestion = result.suggestion
        meant = search.search(replace(asked, text=suggestion))
        if meant.total > result.total:
            return meant, params.q, replace(params, q=suggestion)
    return result, "", params


def _available_count(result: search.SearchResult, params: Params, where: Place) -> int | None:
    """Copies on the shelf where the reader looks (none to tell when filtered by schools)."""
    available_counts = {v.value: v.count for v in result.facets.get("available", [])}
    if params.scope == "mine" and where.school:
        return available_counts.get(where.school.code, 0)
    if not params.filters.get("school"):
        return available_counts.get("*", 0)
    return None


def _level_links(params: Params, grade: int | None) -> list[tuple[str, str, bool]]:
    return [
        (
            words,
            params.url(filters={**params.filters, "reading_level": buckets}),
            params.filters.get("reading_level") == buckets,
        )
        for _level, words, buckets in reading_levels.choices(grade)
    ]


def _sort_urls(params: Params) -> list[tuple[str, str, str]]:
    return [
        (key, label, params.url(sort=key))
        for key, label in (
            ("relevance", _("Best match")),
            ("title", _("Title A–Å")),
            ("newest", _("Newest")),
        )
    ]


@csp_update({"img-src": ["https:"]})  # covers may come from the national catalogue's servers
def results(request: HttpRequest) -> HttpResponse:
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    params = _params(request, where)
    asked = search.SearchQuery(
        text=params.q,
        municipality_id=where.municipality.pk,
        school=where.school.code if where.school and params.scope == "mine" else None,
        filters=params.filters,
        available=params.available,
        sort=params.sort,
        page=params.page,
        size=PAGE_SIZE,
        language=_language(),
    )
    result, typed, params = _search_or_what_was_meant(asked, params)
    pages = min(MAX_PAGE, max(1, -(-result.total // PAGE_SIZE)))
    if params.page > pages:
        # A page past the end (an old link, a hand-typed page=10000) would say "we found 47
        # things" over an empty list with no way back: show the last page instead.
        return redirect(params.url(page=pages))
    schools = search_selectors.school_names(where.municipality.pk)
    chosen = [
        (FACET_TITLES[name](), _facet_label(name, v, schools), params.toggled(name, v))
        for name in FILTER_FACETS
        for v in params.filters.get(name, [])
    ]
    return render(
        request,
        "opac/results.html",
        {
            "place": where,
            "params": params,
            "result": result,
            "hits": _hit_views(result.hits, where, params.scope, request.user),
            "facet_groups": _facet_groups(result, params, schools),
            "chosen": chosen,
            "available_count": _available_count(result, params, where),
            "available_url": params.url(available=not params.available),
            "scope_urls": {"mine": params.url(scope="mine"), "all": params.url(scope="all")},
            "level_links": _level_links(params, reading.reader_grade(request.user, where.school)),
            "sort_urls": _sort_urls(params),
            "suggestion_url": params.url(q=result.suggestion) if result.suggestion else "",
            "typed": typed,  # what was searched instead of, and the way back to it
            "typed_url": params.url(q=typed, exact=True) if typed else "",
            "pages": pages,
            "previous_url": params.url(page=params.page - 1) if params.page > 1 else "",
            "next_url": params.url(page=params.page + 1) if params.page < pages else "",
            "beyond_url": f"{reverse('opac-beyond')}?{urlencode({'q': params.q})}",
        },
    )
