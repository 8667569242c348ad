"""Displays: the librarian's and teachers' recommendations and the week's display, on the front
page and as a printable poster with a QR code to each title. Writes (audited) and reads."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, has_perm, require

from .models import Cover, CoverSource, Display, DisplayItem, DisplayKind

MAX_ITEMS = 24
POSTER_ITEMS = 9  # a 3 × 3 grid on one A4 page


class DisplayError(ValueError):
    pass


def may_edit(actor: Actor, display: Display) -> bool:
    """Librarians edit every display of their school; a teacher their own recommendations."""
    if has_perm(actor, Perm.CATALOG_EDIT, display.school):
        return True
    return (
        display.kind == DisplayKind.TEACHER
        and isinstance(actor, User)
        and display.created_by_id == actor.pk
        and has_perm(actor, Perm.PLANNING, display.school)
    )


def create_display(
    actor: Actor,
    school: School,
    *,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    subject: str = "",
    grade: int | None = None,
) -> Display:
    if kind == DisplayKind.TEACHER:
        require(actor, Perm.PLANNING, school)
    else:
        require(actor, Perm.CATALOG_EDIT, school)
    if not title.strip():
        raise DisplayError(_("Give the display a title."))
    if ends_on < starts_on:
        raise DisplayError(_("The display must end on or after the day it starts."))
    with transaction.atomic():
        display = Display.objects.create(
            school=school,
            kind=kind,
            title=title.strip(),
            subject=subject.strip(),
            grade=grade,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor if isinstance(actor, User) else None,
        )
        audit.record(actor, "display.create", display, school=school)
    return display


def add_title(actor: Actor, display: Display, record: Record, note: str = "") -> DisplayItem:
    if not may_edit(actor, display):
        raise DisplayError(_("You may not change this display."))
    if record.municipality_id != display.school.municipality_id:
        raise DisplayError(_("That title is not in your school's catalogue."))
    with transaction.atomic():
        items = DisplayItem.objects.select_for_update().filter(display=display)
        if items.filter(record=record).exists():
            raise DisplayError(_("The title is on the display already."))
        if items.count() >= MAX_ITEMS:
            raise DisplayError(_("A display holds at most %(n)s titles.") % {"n": MAX_ITEMS})
        last = items.aggregate(m=Max("position"))["m"] or 0
        item = DisplayItem.objects.create(
            display=display, record=record, note=note.strip()[:140], position=last + 1
        )
        audit.record(
            actor, "display.add", display, school=display.school, details={"record": record.pk}
        )
    return item


def remove_title(actor: Actor, item: DisplayItem) -> None:
    if not may_edit(actor, item.display):
        raise DisplayError(_("You may not change this display."))
    with transaction.atomic():
        audit.record(
            actor,
            "display.remove",
            item.display,
            school=item.display.school,
            details={"record": item.record_id},
        )
        item.delete()


def current(school: School | None, today: dt.date | None = None) -> list[Display]:
    """The displays shown today at ``school``, with their titles (two queries)."""
    if school is None:
        return []
    today = today or timezone.localdate()
    return list(
        Display.objects.filter(school=school, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(items__isnull=False))
        .distinct()
        .prefetch_related("items__record")
        .order_by("kind", "-starts_on")
    )


def editable(actor: object, school: School | None) -> list[Display]:
    """The displays ``actor`` may add a title to, running now or later."""
    if school is None or not isinstance(actor, User):
        return []
    if not has_perm(actor, Perm.STAFF_SHELL, school):
        return []
    today = timezone.localdate()
    found = Display.objects.filter(school=school, ends_on__gte=today)
    return [d for d in found if may_edit(actor, d)]


@dataclass(frozen=True)
class PosterLine:
    title: str
    author: str
    note: str
    url: str
    cover: bytes | None


def poster_pdf(display: Display, base_url: str) -> bytes:
    """One A4 page: the display's title and up to nine titles, each with its cover and a QR code
    to its page in the catalogue (``base_url`` is this site's address)."""
    items = list(display.items.select_related("record")[:POSTER_ITEMS])
    stored = {
        c.record_id: bytes(c.image)
        for c in Cover.objects.filter(record__in=[i.record for i in items]).exclude(
            source=CoverSource.NONE
        )
    }
    lines = [
        PosterLine(
            i.record.title,
            str((i.record.contributors or [{}])[0].get("name", "")),
            i.note,
            f"{base_url.rstrip('/')}/opac/records/{i.record_id}/",
            stored.get(i.record_id),
        )
        for i in items
    ]
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(display.title)
    width, height = A4
    canvas.setFont("Helvetica-Bold", 28)
    canvas.drawCentredString(width / 2, height - 25 * mm, display.title[:60])
    cell_w, cell_h = (width - 20 * mm) / 3, (height - 45 * mm) / 3
    for n, line in enumerate(lines):
        x = 10 * mm + (n % 3) * cell_w
        y = height - 40 * mm - (n // 3 + 1) * cell_h
        _poster_cell(canvas, line, x, y, cell_w, cell_h)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _poster_cell(canvas: Canvas, line: PosterLine, x: float, y: float, w: float, h: float) -> None:
    cover_h = h * 0.55
    if line.cover:
        canvas.drawImage(
            ImageReader(io.BytesIO(line.cover)),
            x + 4 * mm,
            y + h - cover_h - 4 * mm,
            width=cover_h * 2 / 3,
            height=cover_h,
            preserveAspectRatio=True,
        )
    else:
        canvas.setFillColorRGB(0.12, 0.31, 0.47)
        canvas.rect(
            x + 4 * mm, y + h - cover_h - 4 * mm, cover_h * 2 / 3, cover_h, fill=1, stroke=0
        )
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(x + 6 * mm, y + h - 12 * mm, line.title[:18])
    canvas.setFillColorRGB(0, 0, 0)
    qr = QrCodeWidget(line.url)
    left, bottom, right, top = qr.getBounds()
    size = 26 * mm
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(qr)
    renderPDF.draw(drawing, canvas, x + w - size - 2 * mm, y + h - cover_h - 4 * mm)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(x + 4 * mm, y + h - cover_h - 10 * mm, line.title[:40])
    canvas.setFont("Helvetica", 9)
    canvas.drawString(x + 4 * mm, y + h - cover_h - 15 * mm, line.author[:48])
    if line.note:
        canvas.drawString(x + 4 * mm, y + h - cover_h - 20 * mm, line.note[:52])
