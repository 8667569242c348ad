"""MARC export: every record of the municipality (or those with copies at one school)."""

from __future__ import annotations

from typing import IO

from django.db.models import QuerySet

from . import marc as marcio
from .models import Record

XML_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<collection xmlns="http://www.loc.gov/MARC21/slim">\n'
)
XML_TAIL = b"</collection>\n"


def export_marc(records: QuerySet[Record], out: IO[bytes], fmt: str = "iso2709") -> int:
    """Write records in id order, streaming in chunks; returns how many were written."""
    count = 0
    if fmt == "marcxml":
        out.write(XML_HEAD)
    for marc_json in (
        records.filter(merged_into__isnull=True)
        .order_by("id")
        .values_list("marc", flat=True)
        .iterator(chunk_size=2000)
    ):
        record = marcio.from_json(marc_json)
        if fmt == "marcxml":
            out.write(
                marcio.as_marcxml(record).replace(b' xmlns="http://www.loc.gov/MARC21/slim"', b"")
            )
            out.write(b"\n")
        else:
            out.write(marcio.as_iso2709(record))
        count += 1
    if fmt == "marcxml":
        out.write(XML_TAIL)
    return count
