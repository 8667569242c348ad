"""Report pages. Thin: parse the filters, ask the framework for the suppressed table, render
it as chart + table, or as CSV/XLSX/PDF."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm, schools_with

from . import annual, charts, collection, dashboards, exports, framework, services
from . import weeding as weeding_rules
from .forms import FilterForm


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _form(request: HttpRequest, report: framework.Report) -> tuple[FilterForm, School]:
    school = school_for(request, report.perm)
    form = FilterForm(
        request.GET,
        schools=schools_with(request.user, report.perm),
        default=school,
        used=report.filters,
    )
    return form, school


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The dashboards: the librarian's day, the leader's year, the consultant's schools."""
    school = school_for(request, Perm.REPORTS_VIEW)
    sections: dict[str, list[framework.Report]] = {}
    for report in framework.reports():
        if has_perm(request.user, report.perm, school):
            sections.setdefault(str(report.section), []).append(report)
    mine = schools_with(request.user, Perm.REPORTS_VIEW)
    year = dashboards.year_at_a_glance(school)
    context: dict[str, object] = {
        "sections": sections,
        "school": school,
        "year": year,
        "year_chart": charts.bar_chart(year.by_month, "months", str(year.by_month.caption)),
        "charts": [(r.key, r.title) for r in framework.reports() if r is not dashboards.SCHOOLS],
        "chosen": annual.DEFAULT_CHARTS,
        "can_import_results": has_perm(request.user, Perm.READING_RESULTS, school),
    }
    if has_perm(request.user, Perm.CIRCULATION_DESK, school):
        context["today"] = dashboards.librarian_today(school)
    if len(mine) > 1:
        side = dashboards.side_by_side(tuple(mine), year.filters)
        context["side"] = side
        context["side_rows"] = [side.cells(r) for r in side.rows]
    return render(request, "reports/index.html", context)


@login_required
def report_page(request: HttpRequest, key: str) -> HttpResponse:
    report = framework.get(key)
    if report is None:
        raise Http404
    form, _school = _form(request, report)
    if not form.is_valid():
        return render(request, "reports/report.html", {"report": report, "form": form})
    filters = form.filters()
    table = framework.result(report, filters)
    wanted = request.GET.get("format", "")
    if wanted == "csv":
        response = HttpResponse(
            exports.to_csv(table, filters), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{report.key}.csv"'
        return response
    if wanted == "xlsx":
        response = HttpResponse(
            exports.to_xlsx(table, filters),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{report.key}.xlsx"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "reports/report.html",
        {
            "report": report,
            "form": form,
            "filters": filters,
            "table": table,
            "rows": [table.cells(r) for r in table.rows],
            "chart": charts.bar_chart(table, "chart", str(report.title)),
            "query": query.urlencode(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def weeding(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CATALOG_EDIT)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "rule":
                _save_rule(request, school)
            else:
                ids = [int(v) for v in request.POST.getlist("item") if v.isdigit()]
                note = request.POST.get("note", "")[:200]
                done = services.withdraw_copies(_me(request), school, ids, note=note)
                messages.success(request, _("%(n)s copies withdrawn.") % {"n": done})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("reports-weeding")
    return render(
        request,
        "reports/weeding.html",
        {
            "candidates": collection.weeding_candidates(school),
            "rules": weeding_rules.guidance(school),
            "school": school,
        },
    )


def _save_rule(request: HttpRequest, school: School) -> None:
    def years(name: str) -> int:
        value = request.POST.get(name, "")
        if not value.isdigit():
            raise ValidationError(_("Give the years as whole numbers."))
        return int(value)

    services.save_weeding_rule(
        _me(request),
        school,
        section=request.POST.get("section", "")[:16],
        max_age_years=years("max_age_years"),
        unused_years=years("unused_years"),
    )
    messages.success(request, _("Saved."))


@login_required
def annual_report(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.REPORTS_VIEW)
    form = FilterForm(
        request.GET,
        schools=School.objects.filter(pk=school.pk),
        default=school,
        used=("school_year",),
    )
    if not form.is_valid():
        raise Http404
    filters = form.filters()
    pdf = annual.build(school, filters, request.GET.getlist("chart") or None)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="annual-report-{school.code}.pdf"'
    return response
