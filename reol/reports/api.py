"""REST endpoints of the reports: ``GET /reports`` lists them, ``GET /reports/{key}`` answers
one with the same filters as the page (parsed by the same form; the dates are
``from`` and ``to`` as everywhere in the API) and the same suppression (the
framework's ``result``): a withheld figure is the text "fewer than 5" and its row says
``suppressed: true``. Rows are paged (``page``, ``size``) like every list of the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from reol.core.middleware import school_for
from reol.core.paging import PageParams
from reol.core.permissions import Perm, has_perm, schools_with

from . import framework
from .exports import cell
from .forms import FilterForm

router = Router(tags=["reports"])


class ReportOut(Schema):
    key: str
    title: str
    section: str
    description: str
    filters: list[str]


class ReportQuery(Schema):
    school: str | None = None
    school_year: str | None = None
    date_from: dt.date | None = Field(None, alias="from", description="first day (ISO)")
    date_to: dt.date | None = Field(None, alias="to", description="last day (ISO)")
    grade: int | None = None
    group: str | None = None
    material_type: str | None = None
    fiction: str | None = None
    class_from: str | None = None
    class_to: str | None = None
    language: str | None = None


class ColumnOut(Schema):
    key: str
    label: str
    measure: bool


class RowOut(Schema):
    values: dict[str, Any]
    suppressed: bool


class ResultOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    count: int
    items: list[RowOut]
    note: str
    filters: dict[str, str]


@router.get("/reports", response=list[ReportOut])
def list_reports(request: HttpRequest) -> list[dict[str, Any]]:
    """The reports the caller may run at their school."""
    school = school_for(request, Perm.REPORTS_VIEW)
    return [
        {
            "key": r.key,
            "title": str(r.title),
            "section": str(r.section),
            "description": str(r.description),
            "filters": list(r.filters),
        }
        for r in framework.reports()
        if has_perm(request.user, r.perm, school)
    ]


@router.get("/reports/{key}", response=ResultOut)
def run_report(
    request: HttpRequest, key: str, query: Query[ReportQuery], paging: Query[PageParams]
) -> dict[str, Any]:
    """One report's table, suppressed; ``school`` is a school's id or ``all``."""
    report = framework.get(key)
    if report is None:
        raise Http404
    school = school_for(request, report.perm)
    data = {k: v for k, v in query.dict().items() if v is not None}
    form = FilterForm(
        data, schools=schools_with(request.user, report.perm), default=school, used=report.filters
    )
    if not form.is_valid():
        raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
    filters = form.filters()
    table = framework.result(report, filters)
    first = (paging.page - 1) * paging.size
    rows = table.rows[first : first + paging.size]
    return {
        "key": report.key,
        "title": str(report.title),
        "columns": [
            {"key": c.key, "label": str(c.label), "measure": c.measure} for c in table.columns
        ],
        "count": len(table.rows),
        "items": [
            {
                "values": {
                    c.key: cell(v) for c, v in zip(table.columns, table.cells(r), strict=True)
                },
                "suppressed": r.suppressed,
            }
            for r in rows
        ],
        "note": str(table.note),
        "filters": {str(k): v for k, v in filters.describe()},
    }
