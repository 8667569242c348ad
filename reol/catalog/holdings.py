"""Where a record's copies are in its MARC and what they say: Koha's 952 by default, MARC21's
852+876, the 949 of vendors, or any tag with its subfields named (``HoldingsSpec``); and the
price and date of a copy as libraries write them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pymarc
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class HoldingsSpec:
    """Where copies are in the MARC: Koha's 952 by default; 852 (+876) and the 949 of vendors
    and Sirsi/Evergreen exports also understood, and any tag with its subfields named."""

    tag: str = "952"
    barcode: str = "p"
    shelf_mark: str = "o"
    location: str = "c"
    price: str = "g"
    acquired: str = "d"

    @classmethod
    def for_tag(cls, tag: str) -> HoldingsSpec:
        if tag == "852":
            return cls(
                tag="852", barcode="p", shelf_mark="h", location="b", price="9", acquired="x"
            )
        if tag == "949":  # $a call number, $i barcode, $l location, $p price (no ISO date)
            return cls(tag="949", barcode="i", shelf_mark="a", location="l", price="p", acquired="")
        return cls(tag=tag)

    @classmethod
    def parse(cls, text: str) -> HoldingsSpec:
        """``952``, ``949`` or a tag with a mapping: ``949:barcode=i,shelf_mark=a,location=l``
        (the names are this class's fields). ValueError with a translated message if not."""
        tag, _colon, mapping = text.strip().partition(":")
        if not re.fullmatch(r"9\d\d|8[5-8]\d", tag):
            raise ValueError(
                _("“%(tag)s” is not a holdings field: give a tag such as 952, 852 or 949")
                % {"tag": tag}
            )
        spec = cls.for_tag(tag)
        names = [f for f in cls.__dataclass_fields__ if f != "tag"]
        for pair in filter(None, (p.strip() for p in mapping.split(","))):
            name, _eq, code = pair.partition("=")
            name, code = name.strip().replace("-", "_"), code.strip()
            if name not in names or len(code) > 1 or (code and not code.isalnum()):
                raise ValueError(
                    _(
                        "“%(pair)s” is not a holdings mapping: write name=subfield with the "
                        "names %(names)s, e.g. 949:barcode=i,shelf_mark=a"
                    )
                    % {"pair": pair, "names": ", ".join(names)}
                )
            spec = dataclasses.replace(spec, **{name: code})
        return spec


# Holdings fields of other systems, with the subfield that holds a copy's barcode there: a
# record with one of them that the import does not read is counted, so that the report can
# say "choose 949" instead of silently creating no copies.
OTHER_HOLDINGS = {"952": "p", "852": "p", "949": "i", "945": "i"}


HOLDINGS_TAGS = frozenset({"952", "852", "876", "949", "945"})


_BLANKS = pymarc.Indicators(" ", " ")


def items_876(locations: list[pymarc.Field], items: list[pymarc.Field]) -> list[pymarc.Field]:
    """MARC21 holdings: an 852 per location and an 876 per copy, linked by $8 ("1" and
    "1.2"; else in order). One 852-like field per copy: the copy's barcode ($p), cost ($c as
    852 $9) and date acquired ($d as 852 $x), with its location's $b and $h."""
    by_link = {(f.get("8") or "").strip(): f for f in locations}
    copies = []
    for n, item in enumerate(items):
        link = (item.get("8") or "").split(".")[0].strip()
        where = by_link.get(link) if link else None
        if where is None and locations:
            where = locations[min(n, len(locations) - 1)]
        subfields = [s for s in (where.subfields if where else []) if s.code not in "p9x"]
        subfields += [
            pymarc.Subfield("p", item.get("p") or ""),
            pymarc.Subfield("9", item.get("c") or ""),
            pymarc.Subfield("x", item.get("d") or ""),
        ]
        copies.append(pymarc.Field(tag="852", indicators=_BLANKS, subfields=subfields))
    return copies


def price_of(value: str | None) -> Decimal | None:
    """A price as libraries write it: "129,95", "kr. 89", "DKK 1.299,95", "1,299.95 NOK"."""
    found = re.search(r"-?\d[\d.,\s]*", value or "")
    if not found or found.group().startswith("-"):
        return None
    number = re.sub(r"\s", "", found.group()).rstrip(".,")
    last = max(number.rfind(","), number.rfind("."))
    decimals = number[last + 1 :] if 0 <= last >= len(number) - 3 else ""  # 1-2 digits: decimals
    whole = re.sub(r"[.,]", "", number[:last] if decimals else number)
    try:
        price = Decimal(f"{whole}.{decimals}" if decimals else whole)
    except InvalidOperation:
        return None
    return price if price < Decimal("10000000") else None


def date_of(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
