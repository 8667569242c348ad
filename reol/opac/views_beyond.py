"""The OPAC's "beyond the school" part: asked for by the results page after it has shown the
local results (an htmx request), so a slow or dead external catalogue never delays them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reol.external import federated
from reol.external.views import beyond_context

from . import selectors


def beyond(request: HttpRequest) -> HttpResponse:
    where = selectors.place(request)
    q = request.GET.get("q", "").strip()[: federated.MAX_TEXT]
    school = where.school if where else None
    return render(request, "external/_beyond.html", beyond_context(request, school, q))
