"""An order as an EDIFACT ORDERS message (UN/EDIFACT D.96A, the EDItEUR library subset that
book vendors' systems take in, as Koha and Evergreen send it).

One interchange with one message: the buyer is the school under the customer number the
vendor gave it (``NAD+BY``, code list 91), the vendor under its GLN/SAN (``NAD+SU``); each line
is a ``LIN`` with its ISBN-13 as an EAN, its title, quantity, price (with or without VAT, as
entered) and a reference the vendor quotes back (``RFF+LI``: order/line). Character set UNOC
(ISO 8859-1, which holds æ, ø and å); the separators ``+ : '`` and the release character ``?``
are released in every value.
"""

from __future__ import annotations

from django.utils import timezone

from .models import Order, OrderLine

UNA = "UNA:+.? '"


def release(value: object) -> str:
    """A value with EDIFACT's separators released: ``?`` before each of ``? + : '``."""
    text = " ".join(str(value).split())  # no line breaks inside a segment
    for char in "?+:'":
        text = text.replace(char, "?" + char)
    return text


def _trimmed(parts: list[str]) -> list[str]:
    """Without the empty elements (or components) at the end, which EDIFACT leaves out."""
    while parts and parts[-1] == "":
        parts = parts[:-1]
    return parts


def _segment(*elements: str | tuple[str, ...]) -> str:
    parts = [":".join(_trimmed(list(e))) if isinstance(e, tuple) else e for e in elements]
    return "+".join(_trimmed(parts)) + "'"


def _line(number: int, line: OrderLine) -> list[str]:
    segments = [_segment("LIN", str(number), "", (line.isbn, "EN") if line.isbn else "")]
    # IMD: free-form title, 70 characters to a component (two components at most)
    title = " ".join(line.title.split())
    first, second = release(title[:70]), release(title[70:140])
    segments.append(_segment("IMD", "L", "050", ("", "", "", first, second)))
    segments.append(_segment("QTY", ("21", str(line.quantity))))
    price_type = "AAE" if line.vat_included else "AAF"  # information price with / without tax
    segments.append(_segment("PRI", (price_type, str(line.unit_price))))
    segments.append(_segment("RFF", ("LI", f"{line.order_id}/{line.pk}")))
    return segments


def order_message(order: Order) -> bytes:
    """The ORDERS interchange of ``order``: bytes in ISO 8859-1, one segment a line."""
    now = timezone.localtime()
    lines = list(order.lines.select_related("fund").order_by("pk"))
    vendor = order.vendor
    ours = release(vendor.customer_number or order.school.code)
    theirs = release(vendor.edi_id or vendor.name)
    reference = str(order.pk)
    body = [
        _segment("UNH", "1", ("ORDERS", "D", "96A", "UN", "EAN008")),
        _segment("BGM", "220", release(reference), "9"),
        _segment("DTM", ("137", now.strftime("%Y%m%d"), "102")),
        _segment("NAD", "BY", (ours, "", "91")),
        _segment("NAD", "SU", (theirs, "", "9" if vendor.edi_id else "92")),
    ]
    if lines:
        body.append(_segment("CUX", ("2", lines[0].fund.currency, "9")))
    for number, line in enumerate(lines, start=1):
        body += _line(number, line)
    body += [_segment("UNS", "S"), _segment("CNT", ("2", str(len(lines))))]
    body.append(_segment("UNT", str(len(body) + 1), "1"))
    segments = [
        UNA,
        _segment(
            "UNB",
            ("UNOC", "3"),
            (ours, "91"),
            (theirs, "14" if vendor.edi_id else "ZZZ"),
            (now.strftime("%y%m%d"), now.strftime("%H%M")),
            release(reference),
        ),
        *body,
        _segment("UNZ", "1", release(reference)),
    ]
    return ("\n".join(segments) + "\n").encode("iso-8859-1", errors="replace")
