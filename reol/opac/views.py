"""The public catalogue's pages: home, a record, reading lists, new arrivals (the results page:
``views_results``; a reader's own loans and holds: ``views_patron``).

Anyone may read them (only placing a hold and "my page" need a sign-in). The municipality and
"my school" come from ``selectors.place``; every record shown is of that municipality (the
search is filtered by it, and the record page looks records up within it). Copies show whether
they are on the shelf, never who has them. Thin views: parse, call search/selectors/services.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reol.catalog import search
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.search import labels
from reol.catalog.selectors import GONE, public_record
from reol.circulation.models import Hold
from reol.core import denials
from reol.core.auth import client_ip
from reol.core.models import School, User
from reol.core.permissions import is_student_only
from reol.external import licences
from reol.reading import campaigns as reading_campaigns
from reol.reading import displays as reading_displays
from reol.reading import doors as picture_doors
from reol.reading import selectors as reading
from reol.reading.forms import review_draft

from . import selectors
from .selectors import Place

MAX_QUERY = 500  # the search box's maxlength: a whole sentence (longer text is cut)


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
    # Django's check, not a hand-made one: "/\evil.example" passed "starts with one slash",
    # and browsers read the backslash as a slash — an open redirect from our own page.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
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
            "reviews": reading.reviews_context(
                user, where.school, found, draft=review_draft(request.session, found.pk)
            ),
            "campaigns": reading_campaigns.loggable(user, where.school, found),
            "my_displays": reading_displays.editable(user, where.school),
        },
    )


# --- Reading lists and new arrivals ------------------------------------------------------------


def reading_list(request: HttpRequest, pk: int) -> HttpResponse:
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    found = denials.get_or_404(
        request,
        ReadingList.objects.select_related("school").filter(municipality=where.municipality),
        pk=pk,
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
