"""reol.core.csvsafe: names that are formulas are stored as typed and escaped on export."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from reol.core import csvsafe


def test_formulas_get_an_apostrophe_numbers_and_text_do_not():
    assert csvsafe.escape('=HYPERLINK("http://evil.example","x")') == (
        '\'=HYPERLINK("http://evil.example","x")'
    )
    assert csvsafe.escape("+SUM(A1:A9)") == "'+SUM(A1:A9)"
    assert csvsafe.escape("@cmd") == "'@cmd"
    assert csvsafe.escape("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert csvsafe.escape("\t=1") == "'\t=1"
    assert csvsafe.escape("-5") == "-5"
    assert csvsafe.escape("+45 12 34 56 78") == "+45 12 34 56 78"
    assert csvsafe.escape("Anna = Hansen") == "Anna = Hansen"
    assert csvsafe.escape(42) == 42 and csvsafe.escape(None) is None


def test_the_writers_escape_every_cell():
    out = io.StringIO()
    csvsafe.writer(out, delimiter=";").writerows([["Navn", "Klasse"], ["=1+1", "5.B"]])
    assert out.getvalue() == "Navn;Klasse\r\n'=1+1;5.B\r\n"
    out = io.StringIO()
    writer = csvsafe.SafeDictWriter(out, fieldnames=["navn"])
    writer.writeheader()
    writer.writerow({"navn": "@SUM(1)"})
    assert out.getvalue() == "navn\r\n'@SUM(1)\r\n"


@given(st.text())
def test_no_escaped_cell_starts_a_formula_and_text_is_kept(value):
    escaped = csvsafe.escape(value)
    assert not escaped.startswith(("=", "@", "\t", "\r")) or escaped == value
    assert escaped in (value, "'" + value)
    rows = list(csv.reader(io.StringIO(_write([escaped]), newline="")))
    assert rows in ([[escaped]], [])  # what the writer wrote is what a reader gets back


def _write(row: list[str]) -> str:
    out = io.StringIO()
    csvsafe.writer(out).writerow(row)
    return out.getvalue()
