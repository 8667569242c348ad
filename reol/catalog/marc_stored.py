"""A MARC record as the catalogue stores it (pymarc's JSON) and as it is written out (ISO 2709,
MARCXML), refusing what the format cannot hold. ``marc`` re-exports these.
"""

from __future__ import annotations

import re
from typing import Any

import pymarc
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield

from .iso2709 import MAX_RECORD_BYTES


def to_json(record: pymarc.Record) -> dict[str, Any]:
    """MARC-in-JSON: leader, then fields in order with indicators and subfields.

    The same dictionary as pymarc's ``Record.as_dict()``, made over ``record.fields`` rather
    than the record's iterator protocol (an import does this for every record)."""
    fields: list[dict[str, Any]] = []
    for f in record.fields:
        if f.control_field:
            fields.append({f.tag: f.data})
        else:
            ind1, ind2 = f.indicators or ("", "")  # what indicator1 and indicator2 give
            fields.append({f.tag: {
                "ind1": ind1,
                "ind2": ind2,
                "subfields": [{code: value} for code, value in f.subfields],
            }})  # fmt: skip
    return {"leader": str(record.leader), "fields": fields}


def from_json(data: dict[str, Any]) -> pymarc.Record:
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    record.leader = Leader(str(data.get("leader", "")).ljust(24)[:24])
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            record.add_field(Field(tag=tag, data=value))
        else:
            record.add_field(
                Field(
                    tag=tag,
                    indicators=Indicators(value.get("ind1", " "), value.get("ind2", " ")),
                    subfields=[
                        Subfield(code=code, value=text)
                        for sub in value.get("subfields", [])
                        for code, text in sub.items()
                    ],
                )
            )
    return record


class CannotWrite(ValueError):
    """The record cannot be written in the format asked for (e.g. too long for ISO 2709)."""


def as_iso2709(record: pymarc.Record) -> bytes:
    """The record in ISO 2709 (UTF-8); CannotWrite if it is longer than the format can say
    (99,999 bytes a record, 9,999 a field): export those as MARCXML."""
    record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    data = record.as_marc21()
    try:
        length, base = int(data[:5]), int(data[12:17])
    except ValueError:
        length = base = -1
    if length != len(data) or length > MAX_RECORD_BYTES or base != 25 + 12 * len(record.fields):
        raise CannotWrite(
            _(
                "the record is %(size)d bytes or has a field longer than 9,999 bytes: "
                "too long for ISO 2709; use MARCXML"
            )
            % {"size": len(data)}
        )
    return data


# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; U+FFFE, U+FFFF): they
# are written as U+FFFD. A carriage return is written as a reference, which XML keeps.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def as_marcxml(record: pymarc.Record) -> bytes:
    data = pymarc.record_to_xml(record, namespace=True)
    return _NOT_XML.sub("\ufffd".encode(), data).replace(b"\r", b"&#13;")
