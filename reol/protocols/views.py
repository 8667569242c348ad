"""The page where a school chooses what it shares with other library systems."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.core.permissions import Perm, schools_with

from . import selectors, services


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    schools = list(schools_with(request.user, Perm.SCHOOL_MANAGE).select_related("municipality"))
    if not schools:
        raise PermissionDenied
    if request.method == "POST":
        for school in schools:
            services.set_publication(
                request.user,  # type: ignore[arg-type]
                school,
                sru=f"sru-{school.pk}" in request.POST,
                oai=f"oai-{school.pk}" in request.POST,
            )
        messages.success(request, _("Saved what your schools share."))
        return redirect("protocols-settings")
    rows = []
    for school in schools:
        code = school.municipality.code
        rows.append(
            {
                "school": school,
                "publication": selectors.publication(school),
                "sru_url": request.build_absolute_uri(
                    reverse("sru-school", args=[code, school.code])
                ),
                "oai_url": request.build_absolute_uri(reverse("oai", args=[code])),
            }
        )
    return render(request, "protocols/settings.html", {"rows": rows})
