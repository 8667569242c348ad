"""The public catalogue's pages: home, results, a record, my page, reading lists, new arrivals.

Anyone may read them (only placing a hold and "my page" need a sign-in). The municipality and
"my school" come from ``selectors.place``; every record shown is of that municipality (the
search is filtered by it, and the record page looks records up within it). Copies show whether
they are on the shelf, never who has them. Thin views: parse, call search/selectors/services.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog import search
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search import labels
from reol.catalog.search import selectors as search_selectors
from reol.catalog.selectors import GONE, public_record
from reol.circulation import selectors as circulation_selectors
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Hold, Loan
from reol.core.auth import client_ip
from reol.core.models import School, User
from reol.core.permissions import is_student_only
from reol.external import licences
from reol.reading import campaigns as reading_campaigns
from reol.reading import displays as reading_displays
from reol.reading import doors as picture_doors
from reol.reading import levels as reading_levels
from reol.reading import selectors as reading

from . import selectors
from .selectors import Place
from .templatetags.opac import age_text

PAGE_SIZE = 20
MAX_PAGE = 10_000 // PAGE_SIZE  # the engine stops at result 10,000
MAX_QUERY = 500  # the search box's maxlength: a whole sentence (longer text is cut)
FILTER_FACETS = ("material_type", "age", "reading_level", "language", "school", "year", "subject")
MAX_VALUES = 20  # values per facet in a URL


def _clean(value: str, limit: int) -> str:
    """Text from a URL without control characters (NUL and friends), trimmed and cut."""
    text = "".join(c for c in value[: limit * 2] if unicodedata.category(c) != "Cc")
    return text.strip()[:limit]


def _language() -> str:
    code = (get_language() or "da")[:2]
    return code if code in ("da", "nb", "en") else "da"


def _place_or_choose(request: HttpRequest) -> Place | HttpResponse:
    found = selectors.place(request)
    if found is None:
        return redirect(
            f"{reverse('opac-choose-school')}?{urlencode({'next': request.get_full_path()})}"
        )
    return found


def _availability_at(school: School | None, record_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Copies on the shelf and in all, per record, at ``school`` (one query)."""
    if school is None or not record_ids:
        return {}
    rows = (
        Item.objects.filter(record_id__in=record_ids, school=school)
        .exclude(status__in=GONE)
        .values("record_id")
        .annotate(total=Count("id"), available=Count("id", filter=Q(status=ItemStatus.AVAILABLE)))
    )
    return {r["record_id"]: (r["available"], r["total"]) for r in rows}


# --- Home and choosing a school ----------------------------------------------------------------


def home(request: HttpRequest) -> HttpResponse:
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    arrivals = selectors.new_arrivals(where.school, limit=8) if where.school else []
    return render(
        request,
        "opac/home.html",
        {
            "place": where,
            "arrivals": arrivals,
            "arrivals_here": _availability_at(where.school, [r.pk for r in arrivals]),
            "arrival_extras": reading.extras_for(arrivals, request.user, where.school),
            "reading_lists": selectors.reading_lists(where.municipality, where.school),
            "anonymous": not request.user.is_authenticated,
            "displays": reading_displays.current(where.school),
            "doors": picture_doors.doors_for(
                where.school, reading.reader_grade(request.user, where.school)
            ),
        },
    )


def choose_school(request: HttpRequest) -> HttpResponse:
    """Visitors who are not signed in pick their school (kept in their session)."""
    next_url = _clean(request.POST.get("next") or request.GET.get("next") or "", 500)
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = reverse("opac-home")
    if request.method == "POST":
        try:
            pk = int(request.POST.get("school", ""))
        except ValueError:
            pk = 0
        school = School.objects.filter(pk=pk).first()
        if school is not None:
            request.session[selectors.SESSION_SCHOOL] = school.pk
            return redirect(next_url)
    return render(
        request,
        "opac/choose_school.html",
        {"schools": selectors.public_schools(), "next": next_url},
    )


@dataclass
class Option:
    """One line of the suggestions under the search box: a title, or "did you mean"."""

    url: str
    title: str
    contributor: str = ""


def suggest(request: HttpRequest) -> HttpResponse:
    """Titles for the search box while typing, and "did you mean …?" when a word is misspelt.

    An htmx fragment: the options of the search box's listbox (``opac.js`` moves through them
    with the arrow keys) and the sentence a screen reader hears about them. The last word is
    a prefix (the child is still typing it), so only the words before it are corrected, unless
    nothing starts with it at all ("hary" → "harry").
    """
    where = selectors.place(request)
    text = _clean(request.GET.get("q", ""), MAX_QUERY)
    options: list[Option] = []
    correction = None
    if where and len(text) >= 2:
        asked = search.SearchQuery(
            text=text,
            municipality_id=where.municipality.pk,
            language=_language(),
            size=6,
            facets=False,
            prefix_last=True,
        )
        hits, correction = search.suggest(asked)
        options = [
            Option(
                reverse("opac-record", args=[h.id]),
                h.full_title,
                h.contributors[0].get("name", "") if h.contributors else "",
            )
            for h in hits
        ]
    did_you_mean = (
        Option(f"{reverse('opac-search')}?{urlencode({'q': correction})}", correction)
        if correction and correction.strip() != text.strip()
        else None
    )
    return render(
        request,
        "opac/_suggestions.html",
        {"options": options, "did_you_mean": did_you_mean, "text": text},
    )


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
    result = search.search(asked)
    typed = ""
    if result.suggestion and not params.exact:
        # A misspelt word finds little ("hetse": the few records whose subject is "heste");
        # what it was meant to be finds more ("heste": every horse book by its stem). A child
        # gets those at once, and one tap back to what they typed.
        suggestion = result.suggestion
        meant = search.search(replace(asked, text=suggestion))
        if meant.total > result.total:
            typed, result = params.q, meant
            params = replace(params, q=suggestion)
    pages = min(MAX_PAGE, max(1, -(-result.total // PAGE_SIZE)))
    if params.page > pages:
        # A page past the end (an old link, a hand-typed page=10000) would say "we found 47
        # things" over an empty list with no way back: show the last page instead.
        return redirect(params.url(page=pages))
    schools = search_selectors.school_names(where.municipality.pk)
    available_counts = {v.value: v.count for v in result.facets.get("available", [])}
    if params.scope == "mine" and where.school:
        available_count = available_counts.get(where.school.code, 0)
    elif not params.filters.get("school"):
        available_count = available_counts.get("*", 0)
    else:
        available_count = None
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
            "available_count": available_count,
            "available_url": params.url(available=not params.available),
            "scope_urls": {"mine": params.url(scope="mine"), "all": params.url(scope="all")},
            "level_links": [
                (
                    words,
                    params.url(filters={**params.filters, "reading_level": buckets}),
                    params.filters.get("reading_level") == buckets,
                )
                for _level, words, buckets in reading_levels.choices(
                    reading.reader_grade(request.user, where.school)
                )
            ],
            "sort_urls": [
                (key, label, params.url(sort=key))
                for key, label in (
                    ("relevance", _("Best match")),
                    ("title", _("Title A–Å")),
                    ("newest", _("Newest")),
                )
            ],
            "suggestion_url": params.url(q=result.suggestion) if result.suggestion else "",
            "typed": typed,  # what was searched instead of, and the way back to it
            "typed_url": params.url(q=typed, exact=True) if typed else "",
            "pages": pages,
            "previous_url": params.url(page=params.page - 1) if params.page > 1 else "",
            "next_url": params.url(page=params.page + 1) if params.page < pages else "",
            "beyond_url": f"{reverse('opac-beyond')}?{urlencode({'q': params.q})}",
        },
    )


# --- A record ----------------------------------------------------------------------------------

STATUS_WORDS = {
    ItemStatus.AVAILABLE: lambda: _("On the shelf"),
    ItemStatus.ON_LOAN: lambda: _("Borrowed"),
    ItemStatus.ON_HOLD_SHELF: lambda: _("Waiting for someone who reserved it"),
    ItemStatus.IN_TRANSIT: lambda: _("On its way between schools"),
}


@dataclass
class Alike:
    """A tile of "more like this"."""

    hit: search.Hit
    title: str
    on_shelf: bool  # at the visitor's school (at any school when there is none)
    why: str = ""  # "also about horses"


def _more_like_this(record: Record, where: Place) -> list[Alike]:
    """Titles sharing the most with this one: subjects, series, authors, age bands."""
    code = where.school.code if where.school else None
    hits = search.more_like_this(record.pk, municipality_id=where.municipality.pk, size=6)
    why = reading.alike_reasons(record, [h.id for h in hits])
    return [
        Alike(
            h,
            h.full_title,
            any(a.available for a in h.availability if code is None or a.school == code),
            why.get(h.id, ""),
        )
        for h in hits
    ]


@csp_update({"img-src": ["https:"]})  # type: ignore[arg-type]  # covers come from the national catalogue's servers
def record(request: HttpRequest, pk: int) -> HttpResponse:
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    found, copies = public_record(where.municipality, pk)
    if found.merged_into_id is not None:
        return redirect("opac-record", pk=found.merged_into_id)
    code = where.school.code if where.school else None
    by_school: dict[str, dict[str, Any]] = {}
    for copy in copies:
        group = by_school.setdefault(
            copy["school"],
            {"name": copy["school_name"], "mine": copy["school"] == code, "copies": []},
        )
        words = STATUS_WORDS.get(copy["status"])
        copy["words"] = words() if words else _("Not available")
        copy["on_shelf"] = copy["status"] == ItemStatus.AVAILABLE
        group["copies"].append(copy)
    schools = sorted(by_school.values(), key=lambda g: (not g["mine"], g["name"]))
    # A copy on the shelf at the reader's own school is fetched, not reserved.
    on_shelf = next(
        (c for g in schools if g["mine"] for c in g["copies"] if c["on_shelf"]),
        None,
    )
    copy_here = where.school is not None and any(g["mine"] for g in schools)
    user = request.user
    my_hold = None
    licensed, under_licence = licences.for_record(found, where.school, user, client_ip(request))
    if isinstance(user, User):
        my_hold = (
            Hold.objects.filter(patron=user, record=found, state__in=("waiting", "ready"))
            .select_related("school")
            .first()
        )
    return render(
        request,
        "opac/record.html",
        {
            "place": where,
            "record": found,
            "title": labels.full_title(found.title, found.subtitle),
            "schools": schools,
            "on_shelf": on_shelf,
            "my_hold": my_hold,
            # Holds are per school: with no copy here the hold would only be refused, so the
            # page says to ask at the desk (which can fetch a copy from another school).
            "copy_here": copy_here,
            "can_hold": isinstance(user, User) and copy_here,
            "more": _more_like_this(found, where),
            "series": selectors.series_place(found, where),
            # A licensed film's link shows only to those its licence lets in, while it runs.
            "licensed": licensed,
            "under_licence": under_licence,
            "show_terms": isinstance(user, User) and not is_student_only(user),
            "extras": reading.extras_for([found], user, where.school)[found.pk],
            "reviews": reading.reviews_context(user, where.school, found),
            "campaigns": reading_campaigns.loggable(user, where.school, found),
            "my_displays": reading_displays.editable(user, where.school),
        },
    )


@require_POST
def place_hold(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("opac-record", args=[pk]))
    user: User = request.user
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    found = get_object_or_404(Record, pk=pk, municipality=where.municipality)
    if where.school is None:
        messages.error(request, _("Ask at the library desk to reserve this."))
        return redirect("opac-record", pk=found.pk)
    try:
        hold = hold_actions.place_hold(user, where.school, user, record=found)
    except CirculationError as refusal:
        messages.error(request, refusal.message)
    except PermissionDenied:
        messages.error(request, _("Ask at the library desk to reserve this."))
    else:
        messages.success(
            request,
            _(
                "You are in the queue for “%(title)s”. "
                "We will tell you when it is ready at %(school)s."
            )
            % {"title": found.title, "school": hold.school.name},
        )
    back = request.POST.get("next", "")  # a reading list's page holds a button too
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("opac-record", pk=found.pk)


# --- My page -----------------------------------------------------------------------------------


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "opac/me.html",
        {
            "place": selectors.place(request),
            "loans": list(
                circulation_selectors.open_loans(user).with_lateness(timezone.localdate())
            ),
            "holds": list(circulation_selectors.open_holds(user)),
            "today": timezone.localdate(),
        },
    )


def _refusal(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, CirculationError):
        messages.error(request, error.message)
    elif isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Ask at the library desk about this."))


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    loan = get_object_or_404(
        Loan.objects.open().select_related("school", "item__record"),
        pk=pk,
        patron=user,
    )
    try:
        renewed = loan_actions.renew(user, loan.school, loan.item)
    except (CirculationError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” is yours a bit longer. Bring it back by %(due)s.")
            % {"title": loan.item.record.title, "due": _day(renewed.due_date)},
        )
    return redirect("opac-me")


@login_required
@require_POST
def cancel_hold(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hold = get_object_or_404(Hold.objects.select_related("record"), pk=pk, patron=user)
    try:
        hold_actions.cancel_hold(user, hold)
    except (CirculationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(
            request, _("You are no longer waiting for “%(title)s”.") % {"title": hold.record.title}
        )
    return redirect("opac-me")


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT")


# --- Reading lists and new arrivals ------------------------------------------------------------


def reading_list(request: HttpRequest, pk: int) -> HttpResponse:
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    found = get_object_or_404(
        ReadingList.objects.select_related("school"),
        pk=pk,
        municipality=where.municipality,
        published=True,
    )
    entries = list(selectors.reading_list_entries(found))
    return render(
        request,
        "opac/reading_list.html",
        {
            "place": where,
            "reading_list": found,
            "entries": entries,
            "here": _availability_at(where.school, [e.record_id for e in entries]),
        },
    )


def new_arrivals(request: HttpRequest, code: str) -> HttpResponse:
    school = get_object_or_404(School.objects.select_related("municipality"), code=code)
    arrivals = selectors.new_arrivals(school, limit=40)
    return render(
        request,
        "opac/new_arrivals.html",
        {
            "place": selectors.place(request),
            "school": school,
            "arrivals": arrivals,
            "arrivals_here": _availability_at(school, [r.pk for r in arrivals]),
            "arrival_extras": reading.extras_for(arrivals, request.user, school),
        },
    )
