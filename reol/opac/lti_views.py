"""Reol inside a learning platform (LTI 1.3 deep linking): a teacher picks a reading list, a
title or a search topic; Reol answers the platform with a signed list of links. The protocol
(the launch's checks, the signed answer) is the sign-in app's (``accounts.lti_views``); this
page only knows the catalogue. A student's later launch of such a link signs them in and lands
on the ordinary public page (the reading list with availability at their school, and holds).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlparse

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.accounts import lti_views
from reol.accounts.oidc import Refusal
from reol.catalog import search
from reol.catalog.lists.models import ReadingList
from reol.catalog.models import Record
from reol.rosters import lti_groups

from . import selectors

MAX_TOPIC = 200


def _items(request: HttpRequest, municipality_id: int) -> list[dict[str, Any]]:
    """The content items the teacher chose (ltiResourceLink: the platform launches them)."""
    url = request.build_absolute_uri
    items: list[dict[str, Any]] = []
    lists = ReadingList.objects.filter(
        municipality_id=municipality_id,
        published=True,
        pk__in=[int(v) for v in request.POST.getlist("list") if v.isdigit()],
    )
    for found in lists:
        link = url(reverse("opac-reading-list", args=[found.pk]))
        items.append(_link(found.title, link, found.description))
    records = Record.objects.filter(
        municipality_id=municipality_id,
        pk__in=[int(v) for v in request.POST.getlist("record") if v.isdigit()],
    )
    for record in records:
        items.append(_link(record.title, url(reverse("opac-record", args=[record.pk])), ""))
    topic = request.POST.get("topic", "").strip()[:MAX_TOPIC]
    if topic:
        link = url(reverse("opac-search") + "?" + urlencode({"q": topic}))
        items.append(_link(_("Search the library: %(topic)s") % {"topic": topic}, link, ""))
    return items


def _link(title: str, url: str, text: str) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "ltiResourceLink", "title": title[:200], "url": url}
    if text:
        item["text"] = text[:500]
    return item


@login_required
def pick(request: HttpRequest, key: str) -> HttpResponse:
    """The deep-linking picker, then the signed answer to carry back to the course."""
    launch = lti_views.deep_linking_request(request, key)
    if launch is None:
        raise Http404
    municipality = launch.platform.municipality
    school = getattr(request, "school", None)
    if request.method == "POST":
        items = _items(request, municipality.pk)
        token, return_url = lti_views.deep_linking_answer(request, key, items)
        response = render(
            request,
            "opac/lti_return.html",
            {"jwt": token, "return_url": return_url, "items": items},
        )
        origin = urlparse(return_url)
        response._csp_update = {"form-action": [f"{origin.scheme}://{origin.netloc}"]}  # type: ignore[attr-defined]
        return response
    query = request.GET.get("q", "").strip()[:MAX_TOPIC]
    hits = []
    if query:
        found = search.search(
            search.SearchQuery(text=query, municipality_id=municipality.pk, size=10, facets=False)
        )
        hits = found.hits
    if school is not None and school.municipality_id != municipality.pk:
        raise PermissionDenied
    return render(
        request,
        "opac/lti_pick.html",
        {
            "key": key,
            "course": launch.context.get("title", ""),
            "reading_lists": selectors.reading_lists(municipality, school),
            "query": query,
            "hits": hits,
            "roster": bool(launch.memberships_url),
        },
    )


@login_required
@require_POST
def course_group(request: HttpRequest, key: str) -> HttpResponse:
    """The course's roster (Names and Role Provisioning) as a Reol teaching group."""
    launch = lti_views.deep_linking_request(request, key)
    school = getattr(request, "school", None)
    if launch is None or not launch.memberships_url or school is None:
        raise Http404
    try:
        made = lti_groups.refresh_course_group(request.user, school, launch)  # type: ignore[arg-type]
    except PermissionDenied:
        messages.error(request, _("Only library staff who manage people make groups. Ask them."))
    except Refusal as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _(
                "The group “%(group)s” has %(members)d members from the course "
                "(%(unknown)d not known to the library here)."
            )
            % {"group": made.group.name, "members": made.members, "unknown": made.unknown},
        )
    return redirect("opac-lti-pick", key=key)
