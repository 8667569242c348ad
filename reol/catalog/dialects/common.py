"""Pieces both dialect converters use: field building, the line form kept in 887, dates
and ages in Danish and Norwegian notes, and danMARC2's sort mark."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pymarc import Field, Indicators, Subfield

SUBFIELD = "\x1f"
SORT_MARK = "¤"  # danMARC2: what comes before it is not sorted on ("Den ¤sammenhængende by")


def nonfiling(title: str) -> tuple[str, int]:
    """A danMARC2 title without its sort mark, and how many characters not to sort on."""
    at = title.find(SORT_MARK)
    return plain(title), len(plain(title[:at])) if at > 0 else 0


# danMARC2 writes an "aa" that sorts as "å" as the ligature ꜳ ("Søndergꜳrd"): shown as "aa".
_LIGATURES = str.maketrans({SORT_MARK: "", "\ua733": "aa", "\ua732": "Aa"})


def plain(value: str) -> str:
    """A danMARC2 value as it is shown: no sort mark, no sorting ligature."""
    return value.translate(_LIGATURES) if value.isascii() is False else value


def make_field(tag: str, ind1: str, ind2: str, subfields: Iterable[tuple[str, str]]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind1, ind2),
        subfields=[Subfield(c, v) for c, v in subfields if v],
    )


def line_form(f: Field, marker: str) -> str:
    """A field as its dialect writes it on a line: "245 00 *aTitel*cUndertitel"."""
    if f.control_field:
        data = f.data or ""
        if SUBFIELD in data:  # danMARC2's 001-009: "00" and subfields
            at = data.index(SUBFIELD)
            data = f"{data[:at]} {data[at:].replace(SUBFIELD, marker)}"
        return f"{f.tag} {data}"
    escape = "@" + marker
    body = "".join(f"{marker}{s.code}{s.value.replace(marker, escape)}" for s in f.subfields)
    return f"{f.tag} {f.indicator1}{f.indicator2} {body}"


_DATES = re.compile(r"^\s*(?:f\.|født|b\.)\s*(.+?)\s*$", re.IGNORECASE)
_DIED = re.compile(r"^\s*(?:d\.|død)\s*(.+?)\s*$", re.IGNORECASE)


def dates_of(value: str) -> str:
    """danMARC2's "f. 1961" (born) / "d. 1900" (died) as MARC21 $d "1961-" / "-1900"."""
    born = _DATES.match(value)
    if born:
        return f"{born.group(1)}-"
    died = _DIED.match(value)
    return f"-{died.group(1)}" if died else value.strip()


AGES = re.compile(r"(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?\s*år", re.IGNORECASE)
