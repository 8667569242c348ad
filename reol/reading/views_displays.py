"""Displays' pages: the staff list (create, remove a title, print the poster) and adding a title
from the catalogue's record page. Thin: ``displays`` writes and reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.permissions import Perm

from . import displays
from .forms import DisplayForm
from .models import Display, DisplayItem
from .views import _actor


@login_required
def display_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.STAFF_SHELL)
    form = DisplayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            displays.create_display(_actor(request), school, **form.cleaned_data)
        except displays.DisplayError as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("The display is made. Add titles from their pages in the catalogue."),
            )
            return redirect("reading-displays")
    found = Display.objects.filter(school=school).prefetch_related("items__record")[:40]
    return render(
        request,
        "reading/displays.html",
        {
            "school": school,
            "form": form,
            "displays": [(d, displays.may_edit(request.user, d)) for d in found],  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def add_title(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.STAFF_SHELL)
    display = denials.get_or_404(request, Display.objects.filter(school=school), pk=pk)
    wanted = request.POST.get("record", "")
    record = get_object_or_404(Record, pk=int(wanted) if wanted.isdigit() else 0)
    try:
        displays.add_title(_actor(request), display, record, request.POST.get("note", ""))
    except displays.DisplayError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Added to “%(display)s”.") % {"display": display.title})
    return redirect(reverse("opac-record", args=[record.pk]))


@login_required
@require_POST
def remove_title(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.STAFF_SHELL)
    item = denials.get_or_404(request, DisplayItem.objects.filter(display__school=school), pk=pk)
    try:
        displays.remove_title(_actor(request), item)
    except displays.DisplayError as refusal:
        messages.error(request, str(refusal))
    return redirect("reading-displays")


@login_required
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.STAFF_SHELL)
    display = denials.get_or_404(request, Display.objects.filter(school=school), pk=pk)
    pdf = displays.poster_pdf(display, request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="display-{display.pk}.pdf"'
    return response
