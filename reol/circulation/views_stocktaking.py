"""Stocktaking: open a session, scan shelves, close it, and the report (page, XLSX, CSV) with
missing copies to mark. Thin, as the desk: the actions in actions/stocktaking.py write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.core import csvsafe, denials, xlsx
from reol.core.middleware import school_for
from reol.core.models import Location, School
from reol.core.permissions import Perm, has_perm

from . import selectors
from .actions import stocktaking
from .errors import CirculationError
from .forms import (
    StocktakeOpenForm,
)
from .models import (
    StocktakeSession,
)
from .stocktake_export import stocktake_sheets
from .views import MAX_CODE, Answer, _actor


def _session(request: HttpRequest, school: School, pk: int) -> StocktakeSession:
    return denials.get_or_404(
        request,
        StocktakeSession.objects.select_related("school", "location", "opened_by").filter(
            school=school
        ),
        pk=pk,
    )


@login_required
def stocktakes(request: HttpRequest) -> HttpResponse:
    """The school's stocktaking sessions, and a form to open one."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    form = StocktakeOpenForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        session = stocktaking.open_stocktake(
            _actor(request),
            school,
            location=form.cleaned_data["location"],
            name=form.cleaned_data["name"],
        )
        return redirect("circulation-stocktake", pk=session.pk)
    sessions = (
        StocktakeSession.objects.filter(school=school)
        .select_related("location", "opened_by")
        .annotate(scanned=Count("scans"))
        .order_by("-opened_at", "-id")[:50]
    )
    return render(request, "circulation/stocktakes.html", {"form": form, "sessions": sessions})


def _scan_context(session: StocktakeSession, location_id: int | None) -> dict[str, Any]:
    return {
        "session": session,
        "count": session.scans.count(),
        "last": selectors.last_scans(session),
        "locations": Location.objects.filter(school=session.school).order_by("name"),
        "location_id": location_id,
    }


@login_required
def stocktake(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan page: one field, made for a phone; each scan answers with the count so far."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    raw = request.POST.get("location") or request.GET.get("location") or ""
    location_id = int(raw) if raw.isdigit() else session.location_id
    answer: Answer | None = None
    if request.method == "POST":
        if request.POST.get("action") == "close":
            stocktaking.close_stocktake(_actor(request), session)
            return redirect("circulation-stocktake-report", pk=session.pk)
        code = request.POST.get("scan", "").strip()[:MAX_CODE]
        if code:
            try:
                result = stocktaking.record_scan(
                    _actor(request), session, code, location=location_id
                )
                item = result.scan.item
                if result.created:
                    counted = _("Counted “%(title)s” (%(barcode)s).") % {
                        "title": item.record.title,
                        "barcode": item.barcode,
                    }
                    answer = Answer(
                        "notice" if result.warning else "ok",
                        f"{counted} {result.warning}".strip(),
                    )
                else:
                    answer = Answer(
                        "notice",
                        _("“%(title)s” (%(barcode)s) was counted already.")
                        % {"title": item.record.title, "barcode": item.barcode},
                    )
            except CirculationError as error:
                answer = Answer("error", error.message)
    context = {**_scan_context(session, location_id), "answer": answer}
    if request.headers.get("HX-Request"):
        return render(request, "circulation/_stocktake_response.html", context)
    return render(request, "circulation/stocktake.html", context)


@login_required
def stocktake_report(request: HttpRequest, pk: int) -> HttpResponse:
    """What the count found; copies not found can be marked missing, all or some."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    may_mark = has_perm(request.user, Perm.CATALOG_EDIT, school)
    if request.method == "POST":
        if not may_mark:
            raise PermissionDenied(_("Marking copies missing is for the catalogue's editors."))
        chosen = None
        if request.POST.get("which") != "all":
            chosen = [int(v) for v in request.POST.getlist("item") if v.isdigit()]
        changed = stocktaking.mark_missing(_actor(request), session, chosen)
        messages.success(
            request,
            ngettext(
                "%(count)s copy is now registered as missing.",
                "%(count)s copies are now registered as missing.",
                len(changed),
            )
            % {"count": len(changed)},
        )
        return redirect("circulation-stocktake-report", pk=session.pk)
    report = selectors.stocktake_report(session)
    missing = Paginator(report.missing, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "circulation/stocktake_report.html",
        {
            "session": session,
            "report": report,
            "missing": missing,
            "on_loan": report.on_loan[:500],
            "may_mark": may_mark,
        },
    )


@login_required
def stocktake_report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole report as a spreadsheet: the numbers, and each list in the page's order."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    sheets = stocktake_sheets(session, selectors.stocktake_report(session))
    return xlsx.response(f"stocktaking-{session.pk}.xlsx", sheets)


@login_required
def stocktake_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The copies not found, in shelf order, as CSV (safe to open in a spreadsheet)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    session = _session(request, school, pk)
    report = selectors.stocktake_report(session)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="stocktaking-{session.pk}.csv"'
    response.write("\ufeff")  # a spreadsheet then reads æ, ø and å right
    out = csvsafe.writer(response)
    out.writerow([_("Location"), _("Shelf mark"), _("Title"), _("Barcode"), _("Status")])
    for item in report.missing.select_related("record", "location"):
        out.writerow(
            [
                item.location.name if item.location else "",
                item.effective_shelf_mark,
                item.record.title,
                item.barcode,
                item.get_status_display(),
            ]
        )
    return response
