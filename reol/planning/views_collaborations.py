"""Collaborations between teachers and the learning centre: the list, one collaboration's
page, and a workshop booked from it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import calendar as school_calendar
from reol.core import denials
from reol.core.models import School
from reol.core.permissions import Perm, scope

from . import access, forms, selectors, services, workshops
from .models import Collaboration
from .views import _form_errors, _int, _me, _people_queryset, _school


def _collaboration_form(
    request: HttpRequest, school: School, **kwargs: Any
) -> forms.CollaborationForm:
    from reol.bookings.selectors import resources_of

    return forms.CollaborationForm(
        request.POST or None,
        groups=school.groups.filter(active=True).order_by("-school_year", "grade", "name"),
        people=_people_queryset(school),
        rooms=resources_of(school),
        **kwargs,
    )


@login_required
def collaborations(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    years = sorted({*selectors.school_years(school), school_calendar.current_school_year(school)})
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    form = _collaboration_form(request, school)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.create_collaboration(user, school, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("The collaboration is saved."))
            return redirect("planning-collaboration", pk=created.pk)
    return render(
        request,
        "planning/collaborations.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "rows": list(selectors.collaborations(school, year)),
            "summary": selectors.collaboration_summary(school, year),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def collaboration(request: HttpRequest, pk: int) -> HttpResponse:
    user = _me(request)
    found = denials.get_or_404(
        request,
        scope(Collaboration.objects.select_related("school", "group"), user, Perm.PLANNING),
        pk=pk,
    )
    school = found.school
    may_edit = services.may_edit_collaboration(user, found)
    initial = {
        "kind": found.kind,
        "title": found.title,
        "subject": found.subject,
        "group": found.group,
        "teachers": list(found.teachers.all()),
        "starts": found.starts,
        "ends": found.ends,
        "goals": found.goals,
        "materials": found.materials,
        "rooms": list(found.rooms.all()),
        "evaluation": found.evaluation,
    }
    form = _collaboration_form(request, school, initial=initial)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            services.delete_collaboration(user, found)
            messages.success(request, _("The collaboration is deleted."))
            return redirect("planning-collaborations")
        if form.is_valid():
            try:
                services.update_collaboration(user, found, **form.cleaned_data)
            except ValidationError as error:
                _form_errors(form, error)
            else:
                messages.success(request, _("The collaboration is saved."))
                return redirect("planning-collaboration", pk=found.pk)
    return render(
        request,
        "planning/collaboration.html",
        {
            "c": found,
            "form": form,
            "may_edit": may_edit,
            "is_staff": access.is_centre_staff(user, school),
            "workshop_choices": workshops.workshops_of(school)[:100] if may_edit else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def collaboration_workshop(request: HttpRequest, pk: int) -> HttpResponse:
    """Link a workshop of the school to a collaboration, or unlink one."""
    user = _me(request)
    found = denials.get_or_404(
        request, scope(Collaboration.objects.select_related("school"), user, Perm.PLANNING), pk=pk
    )
    workshop = denials.get_or_404(
        request, workshops.workshops_of(found.school), pk=_int(request.POST.get("workshop"))
    )
    if request.POST.get("action") == "unlink":
        workshops.unlink_workshop(user, found, workshop)
    else:
        workshops.link_workshop(user, found, workshop)
    messages.success(request, _("The collaboration is saved."))
    return redirect("planning-collaboration", pk=found.pk)
