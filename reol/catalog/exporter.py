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


def export_marc(
    records: QuerySet[Record],
    out: IO[bytes],
    fmt: str = "iso2709",
    skipped: list[tuple[int, str]] | None = None,
) -> int:
    """Write records in id order, streaming in chunks; returns how many were written.

    A record ISO 2709 cannot hold (over 99,999 bytes, or a field over 9,999) is left out of
    an ISO 2709 export and added to ``skipped`` as (id, reason); MARCXML has no such limit.
    """
    count = 0
    if fmt == "marcxml":
        out.write(XML_HEAD)
    for pk, marc_json in (
        records.filter(merged_into__isnull=True)
        .order_by("id")
        .values_list("id", "marc")
        .iterator(chunk_size=2000)
    ):
        record = marcio.from_json(marc_json)
        if fmt == "marcxml":
            out.write(
                marcio.as_marcxml(record).replace(b' xmlns="http://www.loc.gov/MARC21/slim"', b"")
            )
            out.write(b"\n")
        else:
            try:
                out.write(marcio.as_iso2709(record))
            except marcio.CannotWrite as error:
                if skipped is not None:
                    skipped.append((pk, str(error)))
                continue
        count += 1
    if fmt == "marcxml":
        out.write(XML_TAIL)
    return count
