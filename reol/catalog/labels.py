"""Spine and barcode labels as PDF (reportlab), laid out on common label sheets.

A layout is a sheet of equal labels in a grid. The presets are common A4 sheets; every
measure can be given instead for other sheets.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas


@dataclass(frozen=True)
class LabelLayout:
    name: str
    columns: int
    rows: int
    label_width_mm: float
    label_height_mm: float
    margin_left_mm: float
    margin_top_mm: float
    gap_x_mm: float = 0.0
    gap_y_mm: float = 0.0
    page: str = "A4"

    def __post_init__(self) -> None:
        if not (1 <= self.columns <= 20 and 1 <= self.rows <= 40):
            raise ValueError("a sheet has 1–20 columns and 1–40 rows")
        width, height = A4 if self.page == "A4" else LETTER
        used_w = (
            self.margin_left_mm
            + self.columns * self.label_width_mm
            + (self.columns - 1) * self.gap_x_mm
        )
        used_h = (
            self.margin_top_mm + self.rows * self.label_height_mm + (self.rows - 1) * self.gap_y_mm
        )
        if used_w * mm > width + 0.5 or used_h * mm > height + 0.5:
            raise ValueError("the labels do not fit on the page")


PRESETS = {
    "a4-3x7": LabelLayout(
        "A4 3 × 7 (63.5 × 38.1 mm, Avery L7160)", 3, 7, 63.5, 38.1, 7.2, 15.1, 2.5, 0
    ),
    "a4-4x10": LabelLayout(
        "A4 4 × 10 (48.5 × 25.4 mm, Avery L7651-like)", 4, 10, 48.5, 25.4, 8.0, 21.5, 0, 0
    ),
    "a4-5x13": LabelLayout(
        "A4 5 × 13 (38.1 × 21.2 mm, Avery L7651)", 5, 13, 38.1, 21.2, 4.7, 10.7, 2.5, 0
    ),
    "letter-3x10": LabelLayout(
        "Letter 3 × 10 (66.7 × 25.4 mm, Avery 5160)", 3, 10, 66.7, 25.4, 4.8, 12.7, 3.2, 0, "LETTER"
    ),
}


@dataclass(frozen=True)
class Label:
    barcode: str
    shelf_mark: str
    title: str
    school: str


def _cells(layout: LabelLayout, skip: int) -> Iterable[tuple[int, float, float]]:
    """(page index, x, y of the label's lower-left corner) for every label position."""
    _width, height = A4 if layout.page == "A4" else LETTER
    per_page, n = layout.columns * layout.rows, skip
    while True:
        page, slot = divmod(n, per_page)
        row, col = divmod(slot, layout.columns)
        x = (layout.margin_left_mm + col * (layout.label_width_mm + layout.gap_x_mm)) * mm
        top = (layout.margin_top_mm + row * (layout.label_height_mm + layout.gap_y_mm)) * mm
        yield page, x, height - top - layout.label_height_mm * mm
        n += 1


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> tuple[str, float]:
    while size > 5 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    while canvas.stringWidth(text, font, size) > width and len(text) > 1:
        text = text[:-2] + "…"
    return text, size


def render(
    labels: list[Label],
    layout: LabelLayout,
    kind: str = "spine",
    skip: int = 0,
    *,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """A PDF with one label per copy. ``skip`` leaves the first N positions of a used sheet;
    ``progress(n)`` is told how many labels are drawn after every sheet."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4 if layout.page == "A4" else LETTER)
    canvas.setTitle(_("Reol labels"))
    w, h = layout.label_width_mm * mm, layout.label_height_mm * mm
    pad = 1.5 * mm
    current_page = 0
    for n, (label, (page, x, y)) in enumerate(zip(labels, _cells(layout, skip), strict=False)):
        if page != current_page:
            canvas.showPage()
            current_page = page
            if progress is not None:
                progress(n)
        if kind == "barcode":
            _barcode_label(canvas, label, x, y, w, h, pad)
        else:
            _spine_label(canvas, label, x, y, w, h, pad)
    canvas.save()
    return buffer.getvalue()


# Catalogues bracket what the cataloguer supplied: the Library of Congress's 082 "[E]" and
# "[Fic]" for picture books and fiction. The brackets are for the catalogue, not the spine.
_BRACKETS = re.compile(r"[\[\]]")


def spine_text(shelf_mark: str) -> str:
    """The shelf mark as a spine shows it: without MARC's brackets ("[Fic] Gaim": "Fic Gaim")."""
    return " ".join(_BRACKETS.sub(" ", shelf_mark).split())


def sheets(count: int, layout: LabelLayout, skip: int = 0) -> int:
    """How many sheets ``count`` labels take, the first ``skip`` positions used already."""
    per_page = layout.columns * layout.rows
    return -(-(skip + count) // per_page) if count else 0


def _spine_label(
    canvas: Canvas, label: Label, x: float, y: float, w: float, h: float, pad: float
) -> None:
    parts = spine_text(label.shelf_mark).split(" ", 1) or [""]
    lines = [p for p in parts if p] or [""]
    size = min(16.0, (h - 2 * pad) / (len(lines) + 0.8) / 1.1)
    for i, line in enumerate(lines):
        text, fitted = _fit(canvas, line, "Helvetica-Bold", size, w - 2 * pad)
        canvas.setFont("Helvetica-Bold", fitted)
        canvas.drawCentredString(x + w / 2, y + h - pad - (i + 1) * size * 1.05, text)
    school, small = _fit(canvas, label.school, "Helvetica", 6, w - 2 * pad)
    canvas.setFont("Helvetica", small)
    canvas.drawCentredString(x + w / 2, y + pad, school)


def _barcode_label(
    canvas: Canvas, label: Label, x: float, y: float, w: float, h: float, pad: float
) -> None:
    title, size = _fit(canvas, label.title, "Helvetica", 7, w - 2 * pad)
    canvas.setFont("Helvetica", size)
    canvas.drawCentredString(x + w / 2, y + h - pad - size, title)
    bar_height = max(h - 4 * pad - 2 * size - 8, 4 * mm)
    code = Code128(label.barcode, barHeight=bar_height, barWidth=0.9, quiet=False)
    scale = min(1.0, (w - 2 * pad) / code.width)
    canvas.saveState()
    canvas.translate(x + (w - code.width * scale) / 2, y + pad + 8)
    canvas.scale(scale, 1)
    code.drawOn(canvas, 0, 0)
    canvas.restoreState()
    canvas.setFont("Courier", 8)
    canvas.drawCentredString(x + w / 2, y + pad, label.barcode)
    school, small = _fit(canvas, label.school, "Helvetica", 5.5, w / 2)
    canvas.setFont("Helvetica", small)
    canvas.drawRightString(x + w - pad, y + h - pad - size - small - 1, school)
