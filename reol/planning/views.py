"""Planning pages: shared helpers and the coordination calendar. Thin: parse, look up through
scoped selectors, call a service, render. The other pages sit beside it: views_plans,
views_collaborations, views_team and views_feeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import calendar as school_calendar
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm

from . import access, forms, selectors, services
from .models import PlanEntry


def _school(request: HttpRequest, perm: Perm = Perm.PLANNING) -> School:
    return school_for(request, perm)


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Http404 from None


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errs in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, error.messages)


def _people_queryset(school: School, *, staff_only: bool = False) -> Any:
    """Who plans at the school (or, ``staff_only``, its learning-centre staff)."""
    if staff_only:
        return access.people_with(school, Perm.PLANNING, access.CENTRE_STAFF_PERM)
    return access.people_with(school, Perm.PLANNING)


# --- The coordination calendar ----------------------------------------------------------------


def _save_capacity(
    request: HttpRequest, user: User, school: School, capacity_form: forms.CapacityForm
) -> HttpResponse | None:
    """The staff's form under the calendar: how many heavy-use classes a week they can serve."""
    if not (request.method == "POST" and capacity_form.is_valid()):
        return None
    try:
        services.set_heavy_use_capacity(
            user, school, capacity_form.cleaned_data["heavy_use_capacity"]
        )
    except ValidationError as error:
        _form_errors(capacity_form, error)
        return None
    messages.success(request, _("The weekly capacity is saved."))
    return redirect(request.get_full_path())


@dataclass
class _CalendarFilters:
    """What the calendar's filter bar asks for (from the query string) and offers."""

    grade: int | None
    subject: str
    people: list[User]
    staff_member: User | None


def _filters(request: HttpRequest, school: School) -> _CalendarFilters:
    grade_text = request.GET.get("grade", "")
    staff_text = request.GET.get("staff", "")
    people = selectors.staff_members(school)
    return _CalendarFilters(
        grade=int(grade_text) if grade_text.isdigit() else None,
        subject=request.GET.get("subject", "")[:100],
        people=people,
        staff_member=next((p for p in people if str(p.pk) == staff_text), None),
    )


def _grades_and_subjects(school: School, year: str) -> tuple[list[int], list[str]]:
    """The grades of the year's groups and the subjects of its plans, for the filter bar."""
    grades = sorted(
        {
            g
            for g in school.groups.filter(school_year=year).values_list("grade", flat=True)
            if g is not None
        }
    )
    subjects = sorted(
        set(
            PlanEntry.objects.filter(school=school, school_year=year)
            .exclude(subject="")
            .values_list("subject", flat=True)
        ),
        key=str.casefold,
    )
    return grades, subjects


@login_required
def calendar(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    staff = access.is_centre_staff(user, school)
    capacity_form = forms.CapacityForm(
        request.POST or None, initial={"heavy_use_capacity": selectors.capacity(school)}
    )
    saved = _save_capacity(request, user, school, capacity_form)
    if saved is not None:
        return saved
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    # this school year and the next are always offered, planned for or not
    offered = school_calendar.current_and_next(school)
    years = sorted({*selectors.school_years(school), *offered, year})
    try:
        first, last = school_calendar.school_year_bounds(school, year)
    except ValidationError:
        raise Http404 from None
    shown = _filters(request, school)
    cal = selectors.coordination(
        school,
        first,
        last,
        school_year=year,
        grade=shown.grade,
        subject=shown.subject,
        staff=shown.staff_member,
    )
    grades, subjects = _grades_and_subjects(school, year)
    this_week = school_calendar.week_of(timezone.localdate())
    return render(
        request,
        "planning/calendar.html",
        {
            "school": school,
            "cal": cal,
            "year": year,
            "years": years,
            "grades": grades,
            "grade": shown.grade,
            "subjects": subjects,
            "subject": shown.subject,
            "people": shown.people,
            "staff_member": shown.staff_member,
            "this_week": this_week,
            "is_staff": staff,
            "capacity_form": capacity_form,
            "list_only": request.GET.get("view") == "list",
        },
        status=400 if request.method == "POST" else 200,
    )
