"""Information and news databases: the librarian's list, and the page students and teachers
read (by grade band and subject, with the licence's access in plain words). Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, is_student_only

from . import databases
from .forms import DatabaseForm


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    form = DatabaseForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            databases.save_database(_me(request), school, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Database saved."))
            return redirect("external-databases")
    rows = databases.databases_of(school)
    return render(request, "external/databases.html", {"databases": rows, "form": form})


@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.EXTERNAL_MANAGE)
    database = denials.get_or_404(request, databases.databases_of(school), pk=pk)
    try:
        databases.remove_database(_me(request), school, database)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Database removed."))
    return redirect("external-databases")


@login_required
def reader_list(request: HttpRequest) -> HttpResponse:
    """The databases of the school one is at, for students and teachers."""
    school = getattr(request, "school", None)
    if school is None:
        raise PermissionDenied(_("You have no role at any school."))
    band = request.GET.get("band", "")
    subject = request.GET.get("subject", "")[:100]
    student = is_student_only(_me(request))
    rows = databases.for_readers(school, band=band, subject=subject, students=student)
    context = {
        "databases": rows,
        "bands": [(key, label) for key, (_lo, _hi, label) in databases.BANDS.items()],
        "band": band,
        "subject": subject,
        "subjects": databases.subjects_of(school),
        "student": student,
    }
    return render(request, "external/reader_databases.html", context)
