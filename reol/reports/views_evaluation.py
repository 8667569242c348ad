"""The programme self-evaluation page: start a year's evaluation from a template, fill in each
criterion with last year's beside it, add the school's own criteria."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reol.core import calendar
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm

from . import evaluation as service
from . import framework
from .forms import school_years
from .models import Criterion, Evaluation, Level


def _level(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _post(request: HttpRequest, school: School, year: str, current: Evaluation | None) -> None:
    user: User = request.user  # type: ignore[assignment]
    action = request.POST.get("action", "")
    if action == "start":
        service.start_evaluation(user, school, year, request.POST.get("template", ""))
    elif action == "save" and current is not None:
        criterion = get_object_or_404(
            Criterion, pk=request.POST.get("criterion"), evaluation=current
        )
        service.save_criterion(
            user,
            criterion,
            level=_level(request.POST.get("level", "")),
            comment=request.POST.get("comment", ""),
            evidence=request.POST.getlist("evidence"),
            goals=request.POST.get("goals", ""),
        )
    elif action == "add" and current is not None:
        service.add_criterion(
            user,
            current,
            heading=request.POST.get("heading", ""),
            text=request.POST.get("text", ""),
        )


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_page(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.REPORTS_VIEW)
    years = school_years(school)
    year = request.GET.get("year") or calendar.current_school_year(school)
    if year not in years:
        year = years[0]
    current = Evaluation.objects.filter(school=school, school_year=year).first()
    if request.method == "POST":
        try:
            _post(request, school, year, current)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect(f"{reverse('reports-evaluation')}?year={year}")
    context: dict[str, Any] = {
        "school": school,
        "year": year,
        "years": years,
        "current": current,
        "templates": service.template_choices(),
        "levels": Level.choices,
        "editable": has_perm(request.user, Perm.SCHOOL_MANAGE, school),
        "reports": [(r.key, r.title) for r in framework.reports()],
    }
    if current is not None:
        before = service.previous(current)
        earlier = {c.heading: c for c in before.criteria.all()} if before else {}
        context["before"] = before
        context["rows"] = [(c, earlier.get(c.heading)) for c in current.criteria.all()]
    return render(request, "reports/evaluation.html", context)
