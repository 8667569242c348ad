"""Library cards as a PDF sheet per class (reportlab): name, class, school and a Code128
barcode the desk's scanner reads. Ten cards of credit-card size (85.6 × 54 mm) per A4 page,
with cut marks; a patron without a card number gets their username (the desk accepts both)
when it scans back as it is (``scannable``); a code that would not (æ, ø, å, accents) is never
printed: the page lists those students and offers to give them card numbers
(``services.assign_cards``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reol.catalog.labels import _fit

CARD_W, CARD_H = 85.6 * mm, 54 * mm
COLUMNS, ROWS = 2, 5
MARGIN_X = (A4[0] - COLUMNS * CARD_W) / 2
MARGIN_Y = (A4[1] - ROWS * CARD_H) / 2


# What a card code may hold: what Code 128 carries and a scanner types back unchanged, and what
# LOWER() folds the same way on SQLite and PostgreSQL (like the copies' barcodes).
SCANNABLE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_FOLDS = str.maketrans(
    {
        "æ": "ae",
        "Æ": "Ae",
        "ø": "oe",
        "Ø": "Oe",
        "å": "aa",
        "Å": "Aa",
        "ß": "ss",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "Th",
        "ł": "l",
        "Ł": "L",
        "œ": "oe",
        "Œ": "Oe",
    }
)


def scannable(code: str | None) -> bool:
    """Would a scanner read back exactly ``code`` from a Code 128 barcode of it?"""
    return bool(code) and SCANNABLE.fullmatch(code or "") is not None


def fold_ascii(value: str) -> str:
    """``value`` in ASCII: æ → ae, ø → oe, å → aa, other accents stripped, the rest dropped."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_FOLDS))
    return "".join(c for c in decomposed if c.isascii())


def code_for(card_barcode: str | None, username: str) -> str | None:
    """The code to print on a person's card, or None when nothing they have would scan."""
    for code in (card_barcode, username):
        if code and scannable(code):
            return code
    return None


@dataclass(frozen=True)
class Card:
    name: str
    group: str
    school: str
    code: str


def render(cards: list[Card], title: str = "Reol library cards") -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(title)
    per_page = COLUMNS * ROWS
    for n, card in enumerate(cards):
        if n and n % per_page == 0:
            canvas.showPage()
        row, col = divmod(n % per_page, COLUMNS)
        x = MARGIN_X + col * CARD_W
        y = A4[1] - MARGIN_Y - (row + 1) * CARD_H
        _card(canvas, card, x, y)
    if not cards:
        canvas.setFont("Helvetica", 10)
        canvas.drawString(20 * mm, A4[1] - 20 * mm, title)
    canvas.save()
    return buffer.getvalue()


def _card(canvas: Canvas, card: Card, x: float, y: float) -> None:
    pad = 4 * mm
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)
    canvas.rect(x, y, CARD_W, CARD_H)
    school, size = _fit(canvas, card.school, "Helvetica", 8, CARD_W - 2 * pad)
    canvas.setFont("Helvetica", size)
    canvas.drawString(x + pad, y + CARD_H - pad - size, school)
    name, size = _fit(canvas, card.name, "Helvetica-Bold", 13, CARD_W - 2 * pad)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(x + pad, y + CARD_H - pad - 8 - 4 - size, name)
    group, small = _fit(canvas, card.group, "Helvetica", 10, CARD_W - 2 * pad)
    canvas.setFont("Helvetica", small)
    canvas.drawString(x + pad, y + CARD_H - pad - 8 - 4 - 13 - 4 - small, group)
    code = Code128(card.code, barHeight=14 * mm, barWidth=1.0, quiet=False)
    scale = min(1.0, (CARD_W - 2 * pad) / code.width)
    canvas.saveState()
    canvas.translate(x + (CARD_W - code.width * scale) / 2, y + pad + 9)
    canvas.scale(scale, 1)
    code.drawOn(canvas, 0, 0)
    canvas.restoreState()
    canvas.setFont("Courier", 9)
    canvas.drawCentredString(x + CARD_W / 2, y + pad, card.code)
