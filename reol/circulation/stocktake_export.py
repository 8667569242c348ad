"""The stocktaking report as a spreadsheet (XLSX, beside the CSV of the copies not found): the
summary's numbers, then a sheet for each list of the report page, each in the page's order."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reol.core import xlsx

from .models import StocktakeSession
from .selectors import StocktakeReport


def stocktake_sheets(session: StocktakeSession, report: StocktakeReport) -> list[xlsx.Sheet]:
    missing = list(report.missing.select_related("record", "location"))
    on_loan = list(report.on_loan.select_related("record", "location"))
    whole_school = _("The whole school")
    summary = [
        (_("Copies to count"), report.scope),
        (_("Copies counted"), report.scanned),
        (_("Not found"), len(missing)),
        (_("In the wrong place"), len(report.misplaced)),
        (_("On loan"), len(on_loan)),
        (_("Found, but registered elsewhere"), len(report.registered_away)),
    ]
    place = [_("Location"), _("Shelf mark"), _("Title"), _("Barcode"), _("Status")]
    return [
        xlsx.Sheet(
            _("Overview"),
            [str(session), session.location.name if session.location else whole_school],
            summary,
            widths=(36, 12),
        ),
        xlsx.Sheet(
            _("Not found"),
            place,
            (
                [
                    item.location.name if item.location else "",
                    item.effective_shelf_mark,
                    item.record.title,
                    item.barcode,
                    item.get_status_display(),
                ]
                for item in missing
            ),
            widths=(20, 14, 50, 16, 16),
        ),
        xlsx.Sheet(
            _("In the wrong place"),
            [_("Barcode"), _("Title"), _("Belongs at"), _("Found at")],
            (
                [
                    scan.item.barcode,
                    scan.item.record.title,
                    scan.item.school.name
                    if scan.item.school_id != session.school_id
                    else (scan.item.location.name if scan.item.location else ""),
                    scan.location.name if scan.location else whole_school,
                ]
                for scan in report.misplaced
            ),
            widths=(16, 50, 20, 20),
        ),
        xlsx.Sheet(
            _("On loan"),
            [_("Barcode"), _("Title")],
            ([item.barcode, item.record.title] for item in on_loan),
            widths=(16, 50),
        ),
    ]


def stocktake_workbook(session: StocktakeSession, report: StocktakeReport) -> bytes:
    return xlsx.workbook(stocktake_sheets(session, report))
