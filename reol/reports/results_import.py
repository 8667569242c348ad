"""Reading a file of aggregated reading-test results (CSV or XLSX) into checked rows.

One row is one class's result in one test on one day: the class, the test, the date, how many
took it, and counts per level ("Level 1", "Niveau 2", "Nivå 3" columns) and/or a mean. Nothing
about a single student is read: a column that is not one of these refuses the whole file (a
"Name" or "Score" column means the file is not what a school may import), and a row about
fewer than five students is refused as too close to one child's result.

Every problem is reported with its line, all of them at once, and nothing is written unless
every row is right (the service imports all or none). The cost is bounded: at most
``MAX_BYTES`` uploaded and ``MAX_ROWS`` rows; a workbook's zip directory is checked by
``core.uploads`` before openpyxl unpacks anything.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from reol.core.uploads import ArchiveLimits, UploadRefused, check_archive
from reol.rosters import reader

from .framework import THRESHOLD

MAX_BYTES: Final = 2 * 2**20
MAX_ROWS: Final = 2000
MAX_LEVELS: Final = 12
XLSX_LIMITS: Final = ArchiveLimits(members=64, unpacked=32 * 2**20, ratio=100)
COLUMNS: Final = {
    "class": ("class", "klasse", "klass", "group", "gruppe"),
    "grade": ("grade", "klassetrin", "trin", "trinn", "årgang"),
    "test": ("test", "prøve", "prove"),
    "date": ("date", "dato"),
    "tested": ("tested", "testede", "testet", "antal", "antall", "students", "elever"),
    "mean": ("mean", "average", "gennemsnit", "gjennomsnitt", "snitt"),
}
_LEVEL = re.compile(r"^\s*(level|niveau|nivå|niva)\s*[:\-]?\s*(?P<name>.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    line: int
    group_name: str
    grade: int | None
    test: str
    taken_on: dt.date
    tested: int
    mean: Decimal | None
    levels: list[tuple[str, int]]


@dataclass
class Parsed:
    rows: list[Result] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, what is wrong)


@dataclass(frozen=True)
class _Layout:
    columns: dict[str, int]
    levels: list[tuple[str, int]]  # (level's name, column)


def read(name: str, data: bytes, today: dt.date) -> Parsed:
    """The file's rows, checked; ``UploadRefused`` when the file as a whole cannot be read."""
    if len(data) > MAX_BYTES:
        raise UploadRefused(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20})
    header, rows = _xlsx(data) if data.startswith(b"PK\x03\x04") else _csv(data, name)
    if len(rows) > MAX_ROWS:
        raise UploadRefused(_("At most %(n)s rows at a time.") % {"n": MAX_ROWS})
    layout = _layout(header)
    parsed = Parsed()
    seen: dict[tuple[str, str, dt.date], int] = {}
    for line, cells in rows:
        problems: list[str] = []
        result = _row(line, cells, layout, today, problems)
        if result is not None:
            key = (result.group_name.casefold(), result.test.casefold(), result.taken_on)
            if key in seen:
                problems.append(
                    _("The same class, test and date as line %(line)s.") % {"line": seen[key]}
                )
            seen.setdefault(key, line)
        if problems:
            parsed.errors.extend((line, p) for p in problems)
        elif result is not None:
            parsed.rows.append(result)
    if not parsed.rows and not parsed.errors:
        raise UploadRefused(_("The file has no rows under its column names."))
    return parsed


def _csv(data: bytes, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        table = reader.read_table(data, name)
    except reader.TableError as error:
        raise UploadRefused(str(error)) from None
    return table.header, [(r.line, r.cells) for r in table.rows]


def _xlsx(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            check_archive(archive, XLSX_LIMITS)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except UploadRefused:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise UploadRefused(_("The workbook is damaged or not an XLSX file.")) from None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_text(v) for v in values]
            if not any(cells):
                continue
            if header is None:
                header = cells
                continue
            rows.append((line, cells))
            if len(rows) > MAX_ROWS:
                break  # read() refuses the file; read no further
    finally:
        book.close()
    if header is None:
        raise UploadRefused(_("The file is empty."))
    while header and not header[-1]:
        header.pop()
    return header, rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _layout(header: list[str]) -> _Layout:
    columns: dict[str, int] = {}
    levels: list[tuple[str, int]] = []
    unknown: list[str] = []
    names = {reader.header_key(n): key for key, ns in COLUMNS.items() for n in ns}
    for index, head in enumerate(header):
        key = names.get(reader.header_key(head))
        level = _LEVEL.match(head)
        if key and key not in columns:
            columns[key] = index
        elif level:
            levels.append((level["name"][:40], index))
        elif head.strip():
            unknown.append(head.strip()[:40])
    if unknown:
        raise UploadRefused(
            _(
                "These columns are not read: %(names)s. A file holds a class's results "
                "(class, test, date, tested, mean, Level …), never a student's."
            )
            % {"names": ", ".join(f"“{u}”" for u in unknown)}
        )
    missing = [n for n in ("class", "test", "date") if n not in columns]
    if missing:
        raise UploadRefused(
            _("The file lacks the columns %(names)s.") % {"names": ", ".join(missing)}
        )
    if "mean" not in columns and not levels:
        raise UploadRefused(_("Give a mean or the students per level (Level 1, Level 2, …)."))
    if len(levels) > MAX_LEVELS:
        raise UploadRefused(_("At most %(n)s levels.") % {"n": MAX_LEVELS})
    return _Layout(columns, levels)


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _count(value: str, what: str, problems: list[str]) -> int | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ".").replace(" ", ""))
    except InvalidOperation:
        number = Decimal(-1)
    if number < 0 or number != number.to_integral_value() or number > 100_000:
        problems.append(_("%(what)s: “%(value)s” is not a count.") % {"what": what, "value": value})
        return None
    return int(number)


def _mean(value: str, problems: list[str]) -> Decimal | None:
    if not value:
        return None
    try:
        mean = Decimal(value.replace(",", ".").replace(" ", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        problems.append(_("Mean: “%(value)s” is not a number.") % {"value": value})
        return None
    if not Decimal(0) <= mean < Decimal(100_000):
        problems.append(_("Mean: “%(value)s” is out of range.") % {"value": value})
        return None
    return mean


def _row(
    line: int, cells: list[str], layout: _Layout, today: dt.date, problems: list[str]
) -> Result | None:
    col = layout.columns
    group = _cell(cells, col["class"])[:64]
    test = _cell(cells, col["test"])[:100]
    if not group:
        problems.append(_("The class is missing."))
    if not test:
        problems.append(_("The test is missing."))
    taken_on: dt.date | None = None
    try:
        taken_on = reader.parse_date(_cell(cells, col["date"]))
    except ValueError as error:
        problems.append(str(error))
    if taken_on and taken_on > today:
        problems.append(_("The date is in the future."))
    grade: int | None = None
    try:
        grade = reader.parse_grade(_cell(cells, col.get("grade"))) if "grade" in col else None
    except ValueError as error:
        problems.append(str(error))
    if grade is None:
        grade = reader.grade_of_group(group)
    levels = [(n, _count(_cell(cells, i), n, problems)) for n, i in layout.levels]
    counted = [(n, c) for n, c in levels if c is not None]
    mean = _mean(_cell(cells, col.get("mean")), problems)
    tested = _count(_cell(cells, col.get("tested")), _("Tested"), problems)
    if tested is None and counted:
        tested = sum(c for _n, c in counted)
    if mean is None and not counted:
        problems.append(_("Give a mean or the students per level."))
    if tested is not None and sum(c for _n, c in counted) > tested:
        problems.append(_("The levels count more students than took the test."))
    if tested is None or tested < THRESHOLD:
        problems.append(
            _("Fewer than %(n)s students tested: too close to one child's result.")
            % {"n": THRESHOLD}
        )
    if problems or taken_on is None or tested is None:
        return None
    return Result(line, group, grade, test, taken_on, tested, mean, counted)
