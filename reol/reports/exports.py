"""A report's table as CSV (formula-safe, ``core.csvsafe``) and XLSX (openpyxl).

Both write exactly the suppressed table the page shows: a withheld figure is the words
"fewer than 5", never a number. The first rows say what was asked (the filters).
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from reol.core import csvsafe

from .framework import SUPPRESSED, Filters, Table


def cell(value: Any) -> Any:
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    if isinstance(value, Decimal):
        return float(value)  # a spreadsheet number; the report rounded it already
    if isinstance(value, int | float):
        return value
    return str(value)


def _header(table: Table, filters: Filters) -> list[list[Any]]:
    lines: list[list[Any]] = [[str(table.caption)]]
    lines += [[label, value] for label, value in filters.describe()]
    if table.note:
        lines.append([str(table.note)])
    lines.append([])
    lines.append([str(c.label) for c in table.columns])
    return lines


def to_csv(table: Table, filters: Filters) -> str:
    out = io.StringIO()
    out.write(csvsafe.BOM)
    writer = csvsafe.writer(out, delimiter=";")
    writer.writerows(_header(table, filters))
    for row in table.rows:
        writer.writerow([cell(v) for v in table.cells(row)])
    return out.getvalue()


def to_xlsx(table: Table, filters: Filters) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Report")[:31]
    header = _header(table, filters)
    for line in header:
        sheet.append(csvsafe.escape_row(line))
    for heading in sheet[len(header)]:
        heading.font = Font(bold=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for row in table.rows:
        sheet.append(csvsafe.escape_row(cell(v) for v in table.cells(row)))
    sheet.freeze_panes = sheet.cell(row=len(header) + 1, column=1)
    for i, column in enumerate(table.columns, start=1):
        width = max(12, min(50, len(str(column.label)) + 2))
        sheet.column_dimensions[sheet.cell(row=1, column=i).column_letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
