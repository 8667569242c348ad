"""Reading the CSV files school offices really export, with the standard library's csv module.

What arrives: a byte-order mark (or none), UTF-8 or Windows-1252/Latin-1 (or UTF-16 from
Excel's "Unicode text"), ``;`` or ``,`` or a tab between fields, names with quoted line breaks,
rows with trailing empty columns, dates as Excel serial numbers or ``dd.mm.yyyy``.
``read_table`` turns the bytes into a header and rows, each row with the line it starts on,
and says how it read them (encoding, delimiter), so a report can point at a line.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DELIMITERS = ";,\t|"
SNIFF_BYTES = 64 * 1024


class TableError(ValueError):
    """The file cannot be read as a table at all (no header, not text)."""


@dataclass
class Row:
    line: int  # the line of the file the row starts on (the header is line 1, or later)
    cells: list[str]


@dataclass
class Table:
    name: str
    header: list[str]
    rows: list[Row]
    encoding: str
    delimiter: str
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, text)

    def column(self, name: str) -> int | None:
        """The index of a column by its header, ignoring case, spaces and a BOM."""
        columns = self.__dict__.get("_columns")
        if columns is None:
            columns = {}
            for i, head in enumerate(self.header):
                columns.setdefault(header_key(head), i)
            self.__dict__["_columns"] = columns
        return columns.get(_KEYS.get(name) or _key(name))


def header_key(name: str) -> str:
    return _SEPARATORS.sub("", name.replace("\ufeff", "")).casefold()


_SEPARATORS = re.compile(r"[\s_\-.]+")
_KEYS: dict[str, str] = {}


def _key(name: str) -> str:
    _KEYS[name] = key = header_key(name)
    return key


# --- Encoding ---------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _latin1_for_undefined(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("reol-latin1", _latin1_for_undefined)


def _cp1252(data: bytes) -> str:
    """Windows-1252, with the five bytes it leaves undefined read as Latin-1 (the C1 codes)."""
    return data.decode("cp1252", errors="reol-latin1")


def decode(data: bytes) -> tuple[str, str, list[tuple[int, str]]]:
    """The text, the encoding's name as shown to people, and warnings (line, text).

    A UTF-16 or UTF-32 BOM decides. Else (after a UTF-8 BOM, if any) valid UTF-8 is UTF-8, and
    anything else is Windows-1252 (a superset of Latin-1's letters, what Excel writes on a
    Danish or Norwegian Windows). A file that is
    mostly UTF-8 with a few lines in Windows-1252 (two exports pasted together) is read line by
    line, and each such line is reported.
    """
    if data.startswith(codecs.BOM_UTF8):
        # Usually UTF-8; but some tools put the mark before Windows-1252 text, read on below.
        data = data[len(codecs.BOM_UTF8) :]
    for bom, name in _BOMS[1:]:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as error:
                raise TableError(
                    _("The file starts as %(encoding)s but is not: %(error)s")
                    % {"encoding": name.upper(), "error": error.reason}
                ) from None
            return text.lstrip("\ufeff"), name.upper(), []
    try:
        return data.decode("utf-8"), "UTF-8", []
    except UnicodeDecodeError:
        pass
    if _looks_like_utf8(data):
        warnings: list[tuple[int, str]] = []
        lines = []
        for number, chunk in enumerate(data.split(b"\n"), start=1):
            try:
                lines.append(chunk.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(_cp1252(chunk))
                warnings.append(
                    (number, _("This line is not UTF-8 like the rest; read as Windows-1252."))
                )
        return "\n".join(lines), "UTF-8", warnings
    return _cp1252(data), "Windows-1252", []


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def _looks_like_utf8(data: bytes) -> bool:
    """More than half of the non-ASCII bytes form UTF-8 sequences."""
    high = len(_HIGH_BYTE.findall(data))
    in_sequences = sum(len(m) for m in _UTF8_MULTIBYTE.findall(data))
    return high > 0 and in_sequences * 2 > high


# --- Delimiter --------------------------------------------------------------------------------


def _count_outside_quotes(line: str, char: str) -> int:
    count, quoted = 0, False
    for c in line:
        if c == '"':
            quoted = not quoted
        elif c == char and not quoted:
            count += 1
    return count


def _first_records(text: str, most: int = 10) -> list[str]:
    """The first non-empty records of the text, quoted line breaks kept inside them."""
    records: list[str] = []
    rest = text.lstrip("\r\n")
    while rest and len(records) < most:
        quoted, end = False, len(rest)
        for i, c in enumerate(rest):
            if c == '"':
                quoted = not quoted
            elif c in "\r\n" and not quoted:
                end = i
                break
        records.append(rest[:end])
        rest = rest[end:].lstrip("\r\n")
    return records


def sniff_delimiter(text: str) -> str:
    """The delimiter: of ; , tab and |, the one found the same number of times on the most of
    the first lines (a title line above the column names does not count); csv.Sniffer breaks
    a tie; "," for a one-column file."""
    lines = _first_records(text)
    scores: dict[str, int] = {}
    for d in DELIMITERS:
        counts = [_count_outside_quotes(line, d) for line in lines]
        found = [n for n in counts if n]
        if found:
            usual = max(set(found), key=found.count)
            scores[d] = counts.count(usual)
    if not scores:
        return ","
    best = max(scores.values())
    tied = [d for d, score in scores.items() if score == best]
    if len(tied) == 1:
        return tied[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:SNIFF_BYTES], delimiters="".join(tied)).delimiter
    except csv.Error:
        sniffed = ""
    return sniffed if sniffed in tied else tied[0]


# --- The table --------------------------------------------------------------------------------


def read_table(data: bytes, name: str = "", *, delimiter: str | None = None) -> Table:
    """The whole file as a header and rows (see the module's docstring)."""
    if b"\x00" in data[:4096] and not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    ):
        raise TableError(_("This is not a text file (is it a spreadsheet? Save it as CSV)."))
    if data.startswith(b"PK\x03\x04"):
        raise TableError(
            _(
                "This is a zip file or an Excel workbook. Save the sheet as CSV, or choose "
                "OneRoster."
            )
        )
    text, encoding, warnings = decode(data)
    first_line = 1
    excel_hint = _EXCEL_SEP.match(text)  # "sep=;", Excel's own note of the delimiter
    if excel_hint:
        delimiter = delimiter or excel_hint[1]
        text, first_line = text[excel_hint.end() :], 2
    delimiter = delimiter or sniff_delimiter(text)
    records = _records(text, delimiter, first_line)
    header: list[str] | None = None
    rows: list[Row] = []
    ahead: list[tuple[int, list[str]]] = []
    for line, cells in records:
        if header is None:
            filled = sum(1 for c in cells if c.strip())
            if not filled:
                continue
            ahead.append((line, cells))
            if filled < 2 and len(ahead) < 10:
                continue  # perhaps a title above the column names
            at = next((i for i, (_l, c) in enumerate(ahead) if _filled(c) >= 2), 0)
            for skipped, _cells in ahead[:at]:
                warnings.append(
                    (skipped, _("This line is above the column names and was not read."))
                )
            header = [c.strip().lstrip("\ufeff") for c in ahead[at][1]]
            while header and not header[-1]:
                header.pop()  # trailing empty columns (";;;" from Excel)
            later, ahead = ahead[at + 1 :], []
            rows.extend(_row(n, c, len(header)) for n, c in later if _filled(c))
            continue
        if not any(c.strip() for c in cells):
            continue  # an empty line, or one of only delimiters
        rows.append(_row(line, cells, len(header)))
    if header is None and ahead:  # a file of one column
        header = [c.strip().lstrip("\ufeff") for c in ahead[0][1]]
        rows = [_row(n, c, len(header)) for n, c in ahead[1:]]
    if header is None:
        raise TableError(_("The file is empty."))
    return Table(name, _unique(header), rows, encoding, delimiter, warnings)


def _unique(header: list[str]) -> list[str]:
    """Column names a mapping can tell apart: an empty one is "Column 3", a second "E-mail"
    is "E-mail (2)"."""
    seen: dict[str, int] = {}
    names = []
    for i, name in enumerate(header):
        name = name or _("Column %(n)d") % {"n": i + 1}
        count = seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
        names.append(name if count == 1 else f"{name} ({count})")
    return names


_EXCEL_SEP = re.compile(r"sep=([;,\t|])\r?\n")


def _filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _row(line: int, cells: list[str], width: int) -> Row:
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        cells = cells[:width]
    elif len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    return Row(line, cells)


def _records(text: str, delimiter: str, first_line: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for every record; quoted line breaks kept."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    line = first_line
    try:
        for cells in reader:
            yield line, cells
            line = reader.line_num + first_line
    except csv.Error as error:
        raise TableError(
            _("Line %(line)d cannot be read: %(error)s") % {"line": line, "error": error}
        ) from None


def delimiter_label(delimiter: str) -> str:
    labels = {";": _("semicolon (;)"), ",": _("comma (,)"), "\t": _("tab"), "|": _("bar (|)")}
    return labels.get(delimiter, delimiter)


# --- Values -----------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0 (it counts 1900 as a leap year)


def parse_date(value: str) -> dt.date:
    """A date as school systems write it; ``ValueError`` with a readable reason otherwise.

    2027-07-31, 2027-07-31T00:00:00, 31.07.2027, 31-07-2027, 31/07/2027 (07/31/2027 when the
    first number cannot be a month), 31.7.27, and Excel serial numbers such as 46599.
    """
    text = value.strip()
    if re.fullmatch(r"\d{4,5}(\.0+)?", text):
        serial = int(text.split(".")[0])
        if 20000 <= serial <= 80000:  # 1954 … 2119
            return EXCEL_EPOCH + dt.timedelta(days=serial)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})([T ].*)?", text)
    if iso:
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
        return _date(year, month, day, value)
    local = re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})( .*)?", text)
    if local:
        day, month, year = int(local[1]), int(local[2]), int(local[3])
        if year < 100:
            year += 2000
        if month > 12 and day <= 12 and "/" in text:  # 07/31/2027, an American export
            day, month = month, day
        return _date(year, month, day, value)
    raise ValueError(
        _("“%(value)s” is not a date (write 31.07.2027 or 2027-07-31).") % {"value": value}
    )


def _date(year: int, month: int, day: int, value: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date in the calendar.") % {"value": value}
        ) from None


_GRADE_WORDS = {
    "k": 0,
    "kg": 0,
    "tk": 0,
    "0": 0,
    "00": 0,
    "b": 0,
    "bh": 0,
    "bhkl": 0,
    "børnehaveklasse": 0,
}


def parse_grade(value: str) -> int | None:
    """A grade 0–13 from "5", "05", "5. klasse", "5.kl", "KG", "0.kl", "børnehaveklasse";
    ``None`` for an empty value; ``ValueError`` for anything else."""
    text = value.strip().casefold()
    if not text:
        return None
    if text in _GRADE_WORDS:
        return _GRADE_WORDS[text]
    found = re.fullmatch(r"(\d{1,2})\.?\s*(kl\.?|klasse|klasses?trin|trinn?|grade|årgang)?", text)
    if found and int(found[1]) <= 13:
        return int(found[1])
    raise ValueError(_("“%(value)s” is not a grade from 0 to 13.") % {"value": value})


def grade_of_group(name: str) -> int | None:
    """The grade a class name starts with: "5.B", "5B", "5 b", "10.A" → 5, 5, 5, 10."""
    found = re.match(r"\s*(\d{1,2})\s*\.?\s*[A-Za-zÆØÅæøå]{0,3}\s*$", name)
    if found and int(found[1]) <= 13:
        return int(found[1])
    return None


def split_list(value: str) -> list[str]:
    """Several values in one cell: separated by commas, semicolons, bars or line breaks."""
    if not _LIST_SEPARATORS.search(value):  # the common case: one value
        stripped = value.strip()
        return [stripped] if stripped else []
    return [part.strip() for part in _LIST_SEPARATORS.split(value) if part.strip()]


_LIST_SEPARATORS = re.compile(r"[,;|\n\r]+")
