"""A catalogue record as the protocols send it: MARCXML with our holdings, or Dublin Core.

The stored MARC is sent as catalogued, less any holdings it arrived with (852/952/949 of the
library it came from); in their place one 852 per published school that holds it:
$a the school's name, $b its code, $h the shelf mark, $z "N of M available". That is how
SRU and OAI-PMH clients of other library systems read holdings without a second schema.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

from .selectors import Holdings

MARC_NS = "http://www.loc.gov/MARC21/slim"
DC_NS = "http://purl.org/dc/elements/1.1/"
FOREIGN_HOLDINGS = ("852", "949", "952")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


_SPECIAL = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')


def _x(value: object) -> str:
    """Text or an attribute value as XML, characters XML cannot carry as U+FFFD. Most values
    need nothing, and are returned after one scan."""
    text = value if isinstance(value, str) else str(value)
    if _SPECIAL.search(text) is None:
        return text
    text = _NOT_XML.sub("\ufffd", text)
    return escape(text, {'"': "&quot;"})


# In a record's stored JSON text: what XML would have to escape or refuse: ``&<>``, a quote
# inside a value, and the control characters and non-characters, which JSON writes as ``\b``,
# ``\f`` or ``\uXXXX`` (Python's json and PostgreSQL's jsonb text both escape every control
# character; jsonb writes U+FFFE and U+FFFF as themselves). A record without any is written
# without looking at each value again. Plain substrings, each found by a fast search: one
# pattern of alternatives took as long as writing the XML (``bench/protocols.py``).
_NEEDS_ESCAPING = (
    "&",
    "<",
    ">",
    '\\"',
    "\\b",
    "\\f",
    "\\u000",
    "\\u001",
    "\\ufffe",
    "\\uffff",
    "\\uFFFE",
    "\\uFFFF",
    "\ufffe",
    "\uffff",
)


def is_clean(marc_text: str) -> bool:
    """Whether no value in this MARC-in-JSON text needs escaping as XML (a false "no" only
    costs the slower, escaping path)."""
    return all(needle not in marc_text for needle in _NEEDS_ESCAPING)


def marcxml(marc_json: dict[str, Any], holdings: Holdings | None, *, clean: bool = False) -> str:
    """One ``<record xmlns="http://www.loc.gov/MARC21/slim">`` element, as text, written
    straight from the stored MARC-in-JSON (no pymarc objects: a harvest writes thousands a
    second). ``clean``: the caller checked the stored text with ``is_clean``, so the values go
    in as they are."""
    leader = str(marc_json.get("leader", "")).ljust(24)[:24]
    parts = [f'<record xmlns="{MARC_NS}"><leader>{_x(leader)}</leader>']
    parts += _fields_clean(marc_json) if clean else _fields(marc_json)
    for held in holdings.live if holdings else []:
        live = held.total - held.withdrawn
        subfields = [("a", held.school_name), ("b", held.school_code)]
        if held.shelf_mark:
            subfields.append(("h", held.shelf_mark))
        subfields.append(("z", f"{held.available} of {live} available"))
        parts.append('<datafield tag="852" ind1=" " ind2=" ">')
        parts += [f'<subfield code="{c}">{_x(v)}</subfield>' for c, v in subfields]
        parts.append("</datafield>")
    parts.append("</record>")
    return "".join(parts)


def _fields(marc_json: dict[str, Any]) -> list[str]:
    parts = []
    for entry in marc_json.get("fields", []):
        ((tag, value),) = entry.items()
        if tag in FOREIGN_HOLDINGS:
            continue
        if isinstance(value, str):
            parts.append(f'<controlfield tag="{_x(tag)}">{_x(value)}</controlfield>')
            continue
        parts.append(
            f'<datafield tag="{_x(tag)}" ind1="{_x(value.get("ind1") or " ")}" '
            f'ind2="{_x(value.get("ind2") or " ")}">'
        )
        for sub in value.get("subfields", []):
            for code, text in sub.items():
                parts.append(f'<subfield code="{_x(code)}">{_x(text)}</subfield>')
        parts.append("</datafield>")
    return parts


def _fields_clean(marc_json: dict[str, Any]) -> list[str]:
    """``_fields`` for a record whose values need no escaping (one f-string a field, list
    comprehensions rather than generators: SRU writes twenty records a request)."""
    parts = []
    for entry in marc_json.get("fields", ()):
        for tag, value in entry.items():
            if tag in FOREIGN_HOLDINGS:
                continue
            if value.__class__ is str:
                parts.append(f'<controlfield tag="{tag}">{value}</controlfield>')
                continue
            subfields = "".join(
                [
                    f'<subfield code="{code}">{text}</subfield>'
                    for sub in value.get("subfields", ())
                    for code, text in sub.items()
                ]
            )
            parts.append(
                f'<datafield tag="{tag}" ind1="{value.get("ind1") or " "}" '
                f'ind2="{value.get("ind2") or " "}">{subfields}</datafield>'
            )
    return parts


def dublin_core_elements(row: dict[str, Any]) -> list[tuple[str, str]]:
    """(element, value) pairs of unqualified Dublin Core from the record's columns."""
    out: list[tuple[str, str]] = []
    title = row.get("title") or ""
    if row.get("subtitle"):
        title = f"{title} : {row['subtitle']}"
    if title:
        out.append(("title", title))
    for contributor in row.get("contributors") or []:
        name = str(contributor.get("name") or "")
        if name:
            relators = str(contributor.get("relator") or "")
            out.append(("creator" if "aut" in relators or not relators else "contributor", name))
    out += [("subject", str(s)) for s in row.get("subjects") or [] if s]
    if row.get("summary"):
        out.append(("description", row["summary"]))
    if row.get("publisher"):
        out.append(("publisher", row["publisher"]))
    if row.get("year"):
        out.append(("date", str(row["year"])))
    if row.get("material_type"):
        out.append(("type", row["material_type"]))
    out += [("identifier", f"urn:isbn:{isbn}") for isbn in row.get("isbns") or []]
    if row.get("url"):
        out.append(("identifier", row["url"]))
    out += [("language", str(code)) for code in row.get("languages") or [] if code]
    return out


def dublin_core(row: dict[str, Any], wrapper: str, wrapper_ns: str, schema_location: str) -> str:
    """``<oai_dc:dc>`` or ``<srw_dc:dc>`` with the record's Dublin Core elements."""
    prefix = wrapper.split(":")[0]
    parts = [
        f'<{wrapper} xmlns:{prefix}="{wrapper_ns}" xmlns:dc="{DC_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        f'xsi:schemaLocation="{wrapper_ns} {schema_location}">'
    ]
    parts += [f"<dc:{name}>{_x(value)}</dc:{name}>" for name, value in dublin_core_elements(row)]
    parts.append(f"</{wrapper}>")
    return "".join(parts)


# The columns the serialisers read (one query per page of records).
COLUMNS = (
    "id",
    "marc",
    "title",
    "subtitle",
    "contributors",
    "subjects",
    "summary",
    "publisher",
    "year",
    "material_type",
    "url",
    "languages",
    "updated_at",
    "merged_into_id",
)
