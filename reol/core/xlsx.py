"""XLSX workbooks for exports (openpyxl: the one library for spreadsheets in Reol).

Every text cell is written as text: a value that starts with ``=`` is never a formula (the
XLSX side of ``csvsafe``), so a title or a name cannot run in the librarian's spreadsheet.
Numbers stay numbers and dates dates, so the sheet can sum and sort them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_TITLE = 31  # Excel's limit for a sheet's name


@dataclass
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as one XLSX file: a bold header row, frozen, and the rows under it."""
    book = Workbook(write_only=False)
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(_title(sheet.title))
        ws.append(list(sheet.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(list(row))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text, even when it starts with "="
        ws.freeze_panes = "A2"
        for n, width in enumerate(sheet.widths):
            ws.column_dimensions[chr(ord("A") + n)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """An attachment ``filename`` (ending .xlsx) holding ``sheets``."""
    answer = HttpResponse(workbook(sheets), content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer


def _title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, " ")
    return title[:MAX_TITLE] or "Sheet"
