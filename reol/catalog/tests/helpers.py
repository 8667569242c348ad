"""Small builders for the catalogue's tests: MARC records as bytes, imports, comparisons."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pymarc
import pytest
from django.test import Client
from pymarc import Field, Indicators, Subfield

from conftest import PASSWORD
from reol.catalog import importer
from reol.catalog import marc as marcio

REPO_ROOT = Path(__file__).resolve().parents[3]
SHARED_DATA = (REPO_ROOT / ".." / "shared" / "data").resolve()
MARC_DATA = SHARED_DATA / "marc"
MARC_SUFFIXES = {".mrc", ".marc", ".xml", ".marcxml"}

# Valid ISBNs (check digits right), as the add-by-ISBN page and the importer normalise them.
ISBN_A = "9788702284294"  # ISBN-13
ISBN_B = "9780306406157"  # ISBN-13, also typed as ISBN-10 0-306-40615-2
ISBN_B10 = "0-306-40615-2"
ISBN_C = "9788711439463"
ISBN_BAD = "9788702284299"  # ISBN_A with a wrong check digit


def signed_in(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def shared_marc_files() -> list[Path]:
    """Every MARC file (ISO 2709 and MARCXML) in the shared test data; empty when absent."""
    if not MARC_DATA.is_dir():
        return []
    return sorted(
        p for p in MARC_DATA.rglob("*") if p.is_file() and p.suffix.lower() in MARC_SUFFIXES
    )


def require_shared_data() -> Path:
    if not MARC_DATA.is_dir():
        pytest.skip(f"the shared MARC test data is not at {MARC_DATA} (../shared/data/marc)")
    return MARC_DATA


def book(
    title: str = "Rejsen til Saturn",
    *,
    isbn: str | Sequence[str] = "",
    control: str = "",
    source: str = "DK-710100",
    author: str = "Jensen, Carsten",
    year: str = "2023",
    holdings: Iterable[dict[str, str]] = (),
    holdings_tag: str = "952",
    extra: Iterable[Field] = (),
    leader: str = "00000nam a2200000 a 4500",
) -> pymarc.Record:
    """A MARC21 book record; ``holdings`` become 952 fields ({"p": barcode, "o": ...})."""
    record = pymarc.Record(to_unicode=True, force_utf8=True, leader=leader)
    if control:
        record.add_field(Field(tag="001", data=control))
        record.add_field(Field(tag="003", data=source))
    record.add_field(Field(tag="005", data="20240101120000.0"))
    record.add_field(Field(tag="008", data=f"240101s{year}    dk            000 1 dan d"))
    for value in [isbn] if isinstance(isbn, str) else isbn:
        if value:
            record.add_field(
                Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", value)])
            )
    if author:
        record.add_field(
            Field(tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", author)])
        )
    record.add_field(
        Field(
            tag="245",
            indicators=Indicators("1", "0"),
            subfields=[Subfield("a", title), Subfield("c", author)],
        )
    )
    record.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[Subfield("a", "København"), Subfield("b", "Gyldendal"), Subfield("c", year)],
        )
    )
    for f in extra:
        record.add_field(f)
    for copy in holdings:
        record.add_field(
            Field(
                tag=holdings_tag,
                indicators=Indicators(" ", " "),
                subfields=[Subfield(code, value) for code, value in copy.items()],
            )
        )
    return record


def iso(*records: pymarc.Record) -> bytes:
    return b"".join(marcio.as_iso2709(r) for r in records)


def marcxml(*records: pymarc.Record) -> bytes:
    body = b"".join(
        marcio.as_marcxml(r).replace(b' xmlns="http://www.loc.gov/MARC21/slim"', b"")
        for r in records
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<collection xmlns="http://www.loc.gov/MARC21/slim">\n' + body + b"\n</collection>\n"
    )


def run_import(actor: Any, school: Any, data: bytes, **options: Any) -> importer.ImportReport:
    return importer.import_marc(actor, school, io.BytesIO(data), **options)


def read(data: bytes) -> list[marcio.RecordResult]:
    return list(marcio.read_records(io.BytesIO(data)))


# --- comparing records ------------------------------------------------------------------------

IGNORED_LEADER = {0, 1, 2, 3, 4, 9, 12, 13, 14, 15, 16}


NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def comparable(record: pymarc.Record, *, xml: bool = False) -> tuple[Any, ...]:
    """Everything a round trip must keep: the leader (but its computed positions), and every
    field but 005 with its indicators and subfields, in order. ``xml``: as MARCXML carries
    it (XML 1.0 has no C0 control characters: the exporter writes U+FFFD for them, and the
    reader makes a leader's or indicator's character that is not ASCII a blank)."""

    def text(value: str | None) -> str | None:
        return NOT_XML.sub("\ufffd", value) if xml and value else value

    def code(value: str) -> str:
        return (
            "".join(c if c.isascii() and c.isprintable() else " " for c in value) if xml else value
        )

    leader = "".join(
        " " if i in IGNORED_LEADER else ch for i, ch in enumerate(str(record.leader).ljust(24))
    )
    fields: list[tuple[Any, ...]] = []
    for f in record.fields:
        if f.tag == "005":
            continue
        if f.is_control_field():
            fields.append((f.tag, text(f.data)))
        else:
            fields.append(
                (
                    f.tag,
                    code(f.indicator1),
                    code(f.indicator2),
                    tuple((text(s.code), text(s.value)) for s in f.subfields),
                )
            )
    return (code(leader), tuple(fields))
