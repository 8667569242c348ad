"""Reading CSV as school offices write it: encodings, BOMs, delimiters, quoted line breaks,
trailing empty columns, Excel dates. The property tests write messy tables with the csv module
and read them back."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reol.core.text import one_line
from reol.rosters.reader import (
    TableError,
    decode,
    grade_of_group,
    parse_date,
    parse_grade,
    read_table,
    sniff_delimiter,
)

from .helpers import csv_bytes


def test_semicolons_latin1_with_a_bom_and_trailing_columns():
    text = "Fornavn;Efternavn;Klasse;;;\r\nÆble;Ørsted;5.B;;;\r\nÅse;Øvergård;5.A\r\n"
    data = b"\xef\xbb\xbf" + text.encode("cp1252")
    table = read_table(data, "elever.csv")
    assert (table.encoding, table.delimiter) == ("Windows-1252", ";")
    assert table.header == ["Fornavn", "Efternavn", "Klasse"]
    assert [r.cells for r in table.rows] == [["Æble", "Ørsted", "5.B"], ["Åse", "Øvergård", "5.A"]]
    assert [r.line for r in table.rows] == [2, 3]


def test_quoted_line_breaks_keep_the_line_numbers_of_the_file():
    data = csv_bytes(
        [["navn", "note"], ["Anna", "to\nlinjer"], ["Bo", "x"], ["Cy", "a\r\nb\r\nc"], ["Di", ""]],
        delimiter=",",
    )
    table = read_table(data)
    assert [(r.line, r.cells[0]) for r in table.rows] == [
        (2, "Anna"),
        (4, "Bo"),
        (5, "Cy"),
        (8, "Di"),
    ]
    assert table.rows[0].cells[1] == "to\nlinjer"


def test_utf8_with_a_few_windows_1252_lines_is_read_line_by_line_and_said():
    data = "navn;klasse\nÆble;5.B\n".encode() + "Øster;5.C\n".encode("cp1252")
    table = read_table(data)
    assert [r.cells[0] for r in table.rows] == ["Æble", "Øster"]
    assert table.warnings and table.warnings[0][0] == 3


def test_a_title_above_the_column_names_and_excels_sep_line():
    data = "Elevliste 5.B, skoleåret 2026/27\n\nFornavn;Efternavn\nÆble;Ørsted\n".encode()
    table = read_table(data)
    assert (table.delimiter, table.header) == (";", ["Fornavn", "Efternavn"])
    assert [(r.line, r.cells) for r in table.rows] == [(4, ["Æble", "Ørsted"])]
    assert table.warnings[0][0] == 1
    excel = read_table(b"sep=,\r\nnavn,klasse\r\nAnna;Hansen,5.B\r\n")
    assert (excel.delimiter, excel.header) == (",", ["navn", "klasse"])
    assert [(r.line, r.cells) for r in excel.rows] == [(3, ["Anna;Hansen", "5.B"])]
    twice = read_table(b"Navn;E-mail;;E-mail\nAnna;a@x.dk;x;mor@x.dk\n")
    assert twice.header == ["Navn", "E-mail", "Column 3", "E-mail (2)"]
    single = read_table(b"navn\nAnna\nBo\n")
    assert (single.header, [r.cells for r in single.rows]) == (["navn"], [["Anna"], ["Bo"]])


def test_utf16_from_excel_unicode_text():
    data = "Fornavn\tEfternavn\r\nÆble\tØ\r\n".encode("utf-16")
    table = read_table(data)
    assert (table.encoding, table.delimiter, table.rows[0].cells) == ("UTF-16", "\t", ["Æble", "Ø"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\n\n;;\n", "empty"),
        (b"PK\x03\x04rest of an xlsx", "Excel"),
        (b"\x00\x01\x02binary", "not a text file"),
    ],
)
def test_what_is_not_a_table_says_why(data, message):
    with pytest.raises(TableError, match=message):
        read_table(data)


def test_the_delimiter_is_found_even_when_names_hold_commas():
    assert sniff_delimiter('navn;klasse\n"Hansen, Anna";5.B\n') == ";"
    assert sniff_delimiter('"Navn, fuldt",klasse\nx,y\n') == ","
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter("navn\nAnna\n") == ","


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-07-31", dt.date(2027, 7, 31)),
        ("2027-07-31T00:00:00Z", dt.date(2027, 7, 31)),
        ("31.07.2027", dt.date(2027, 7, 31)),
        ("31.7.27", dt.date(2027, 7, 31)),
        ("31-07-2027", dt.date(2027, 7, 31)),
        ("31/07/2027", dt.date(2027, 7, 31)),
        ("07/31/2027", dt.date(2027, 7, 31)),
        ("46599", dt.date(2027, 7, 31)),  # Excel's serial number
        ("46599.0", dt.date(2027, 7, 31)),
    ],
)
def test_dates_as_school_systems_write_them(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31.02.2027", "tomorrow", "2027-13-01", "123"])
def test_bad_dates_say_so(text):
    with pytest.raises(ValueError, match="date"):
        parse_date(text)


def test_grades_and_class_names():
    assert [parse_grade(g) for g in ["5", "05", "5. klasse", "5.kl", "KG", "0.kl", ""]] == [
        5,
        5,
        5,
        5,
        0,
        0,
        None,
    ]
    with pytest.raises(ValueError, match="grade"):
        parse_grade("14")
    assert [grade_of_group(n) for n in ["5.B", "5B", "5 b", "10.A", "Læseklub", "0.X"]] == [
        5,
        5,
        5,
        10,
        None,
        0,
    ]


# --- Properties -------------------------------------------------------------------------------

HEADER = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=1, max_size=8),
    min_size=2,
    max_size=6,
    unique_by=str.casefold,
)
# Characters a Danish or Norwegian school office's export holds, and the ones that break CSV.
LATIN = "abcxyzABCXYZ æøåÆØÅéüöäß0123456789.-@'"
TRICKY = ';,\t|"\n\r='


def cells(alphabet: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=12)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]], str, str, str, bool, str]:
    header = draw(HEADER)
    encoding = draw(st.sampled_from(["utf-8", "cp1252", "utf-16"]))
    alphabet = LATIN + TRICKY + ("€漢字" if encoding != "cp1252" else "")
    rows = draw(
        st.lists(
            st.lists(cells(alphabet), min_size=len(header), max_size=len(header)).filter(
                lambda r: any(c.strip() for c in r)
            ),
            max_size=8,
        )
    )
    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    bom = draw(st.booleans()) and encoding != "utf-16"
    trailing = draw(st.sampled_from(["", delimiter * 3]))
    return header, rows, delimiter, encoding, newline, bom, trailing


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_whatever_the_csv_module_writes_is_read_back(example):
    header, rows, delimiter, encoding, newline, bom, trailing = example
    out = io.StringIO()
    for row in [header, *rows]:
        out.write(_line(row, delimiter) + trailing + newline)
    data = (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode(encoding)

    table = read_table(data)

    assert table.header == header
    assert table.delimiter == delimiter
    assert [r.cells for r in table.rows] == rows


def _line(row: list[str], delimiter: str) -> str:
    """One record without its line ending (the test adds trailing delimiters after it).

    The writer's line ending is "\r\n" whatever the file's, so that a cell holding either
    character is quoted (written with "\n", a bare "\r\n" in a cell would be a line end)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(row)
    return buffer.getvalue()[:-2]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=LATIN + "\n", max_size=200))
def test_latin1_text_is_never_taken_for_utf8(text):
    """Windows-1252 letters (æ, ø, å …) never form UTF-8 sequences with what follows them."""
    decoded, encoding, _warnings = decode(text.encode("cp1252"))
    assert decoded == text
    assert encoding in ("UTF-8", "Windows-1252")


NAME = st.text(alphabet=LATIN + ';,"\t|=+@\n', min_size=1, max_size=15).map(str.strip).filter(bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    people=st.lists(st.tuples(NAME, NAME), min_size=1, max_size=6),
    delimiter=st.sampled_from([";", ",", "\t"]),
    encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]),
    bom=st.booleans(),
)
def test_the_csv_roster_reads_back_every_name_written(people, delimiter, encoding, bom):
    """Names with delimiters, quotes and formula signs come back as written; a line break or
    tab in one comes back as one line (a name is one line: ``core.text.one_line``)."""
    from reol.rosters.csvsource import roster_from_csv

    rows = [["Kortnummer", "Fornavn", "Efternavn"]]
    rows += [[f"K{n}", first, last] for n, (first, last) in enumerate(people)]
    data = csv_bytes(rows, delimiter=delimiter, encoding=encoding, bom=bom and encoding != "utf-16")
    table = read_table(data, "elever.csv")
    mapping = {"card_barcode": "Kortnummer", "first_name": "Fornavn", "last_name": "Efternavn"}

    roster = roster_from_csv(table, mapping, school_year="2026/27")

    assert not roster.errors
    expected = [(one_line(first), one_line(last)) for first, last in people]
    assert [(p.first_name, p.last_name) for p in roster.people] == expected
    assert [p.line for p in roster.people] == [r.line for r in table.rows]
