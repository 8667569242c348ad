"""Slips for the hold shelf and for copies in transit, as PDF sized for label printers.

One slip a page, the page the size of the label, so a label printer (Brother QL, DYMO, Zebra)
prints it as it is, and an ordinary printer prints it on a corner of the sheet.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class SlipSize:
    name: str | Promise
    width_mm: float
    height_mm: float


SIZES = {
    "62x100": SlipSize(gettext_lazy("62 × 100 mm (Brother QL, 62 mm roll)"), 62, 100),
    "54x101": SlipSize(gettext_lazy("54 × 101 mm (DYMO 99014)"), 54, 101),
    "102x152": SlipSize(gettext_lazy("102 × 152 mm (4 × 6 in, Zebra)"), 102, 152),
}
DEFAULT_SIZE = "62x100"


@dataclass(frozen=True)
class Slip:
    heading: str  # what the slip is for, in big letters: a name, a school
    lines: list[str]  # what follows, in order
    barcode: str  # the copy's barcode, printed as Code 128 and as text


class _Writer:
    """Writes down a slip from the top, wrapping each line to the label's width."""

    def __init__(self, canvas: Canvas, size: SlipSize) -> None:
        self.canvas = canvas
        self.margin = 4 * mm
        self.width = size.width_mm * mm - 2 * self.margin
        self.y = size.height_mm * mm - self.margin

    def text(self, value: str, font: str = "Helvetica", points: float = 10) -> None:
        self.canvas.setFont(font, points)
        for line in simpleSplit(value, font, points, self.width)[:6]:
            self.y -= points * 1.2
            self.canvas.drawString(self.margin, self.y, line)
        self.y -= points * 0.4

    def barcode(self, value: str) -> None:
        code = Code128(value, barHeight=12 * mm, barWidth=0.3 * mm, humanReadable=True)
        if code.width > self.width:  # a long code gets narrower bars rather than leave the label
            code = Code128(
                value,
                barHeight=12 * mm,
                barWidth=0.3 * mm * self.width / code.width,
                humanReadable=True,
            )
        self.y -= 12 * mm + 4 * mm
        code.drawOn(self.canvas, self.margin, self.y)


def render(slips: list[Slip], size_key: str = DEFAULT_SIZE) -> bytes:
    """The PDF: one page a slip, each page the label's size."""
    size = SIZES.get(size_key, SIZES[DEFAULT_SIZE])
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(size.width_mm * mm, size.height_mm * mm))
    canvas.setTitle(_("Slips"))
    for slip in slips:
        writer = _Writer(canvas, size)
        writer.text(slip.heading, "Helvetica-Bold", 16 if size.width_mm < 80 else 22)
        for line in slip.lines:
            writer.text(line)
        writer.barcode(slip.barcode)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def hold_slip(
    patron: str, title: str, barcode: str, pickup_by: dt.date | None, school: str
) -> Slip:
    lines = [_("On hold for %(name)s") % {"name": patron}, f"“{title}”"]
    if pickup_by is not None:
        lines.append(_("Collect by %(day)s") % {"day": date_format(pickup_by, "DATE_FORMAT")})
    lines.append(school)
    return Slip(heading=patron, lines=lines, barcode=barcode)


def transit_slip(title: str, barcode: str, to_school: str, from_school: str, day: dt.date) -> Slip:
    lines = [
        _("In transit to %(school)s") % {"school": to_school},
        f"“{title}”",
        _("Sent from %(school)s on %(day)s")
        % {"school": from_school, "day": date_format(day, "DATE_FORMAT")},
    ]
    return Slip(heading=to_school, lines=lines, barcode=barcode)
