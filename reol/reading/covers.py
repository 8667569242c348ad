"""Cover images: one resized JPEG per record, or a generated cover that is never blank.

Every image that comes in (a librarian's upload or phone photo, a cover service's answer) is
decoded with Pillow under a pixel limit, turned upright from its EXIF orientation, scaled to
``WIDTH`` pixels wide and saved as a JPEG of at most ``MAX_BYTES`` (the quality steps down until
it fits). Nothing else of the original is kept: no EXIF, no GPS position from a phone.

A record without one gets ``generated_svg``: its title and first author on a colour chosen from
its subject, in white on a background dark enough for 4.5:1 contrast, in a 2:3 book shape.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

WIDTH = 240  # pixels: sharp at 120 CSS pixels on a tablet's 2× screen, and on the record page
MAX_BYTES = 30 * 1024
MAX_UPLOAD_BYTES = 15 * 1024 * 1024  # a phone photo is 2–8 MB
MAX_PIXELS = 50_000_000  # decompression-bomb guard: a 12 MP photo is 12,000,000
ASPECT_LIMIT = 4  # a 1×1000 strip is not a cover


class CoverError(ValueError):
    """An image that cannot be a cover, with the reason in words."""


@dataclass(frozen=True)
class Resized:
    data: bytes
    width: int
    height: int
    digest: str


def resize(raw: bytes) -> Resized:
    """The cover to store for ``raw`` image bytes, or ``CoverError`` saying why not."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise CoverError(_("The picture is larger than 15 MB."))
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            w, h = probe.size
            if w * h > MAX_PIXELS:
                raise CoverError(_("The picture has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(raw)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise CoverError(
            _("This is not a picture Reol can read (JPEG, PNG, WebP or GIF).")
        ) from exc
    w, h = upright.size
    if min(w, h) < 40 or max(w, h) > ASPECT_LIMIT * min(w, h):
        raise CoverError(_("The picture is too small or too narrow to be a cover."))
    height = max(1, round(h * WIDTH / w))
    small = upright.convert("RGB").resize((WIDTH, height), Image.Resampling.LANCZOS)
    data = b""
    for quality in (85, 75, 65, 55, 45, 35):
        out = io.BytesIO()
        small.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
        data = out.getvalue()
        if len(data) <= MAX_BYTES:
            break
    return Resized(data, WIDTH, height, hashlib.sha256(data).hexdigest()[:16])


# Background colours, each with white text at ≥ 4.5:1 (checked in the tests).
PALETTE = (
    "#1f4e79",  # deep blue
    "#7a1f3d",  # wine
    "#1e5c3a",  # forest
    "#5b2a86",  # purple
    "#8a3b12",  # rust
    "#0f5257",  # teal
    "#4a4a4a",  # graphite
    "#6b3e00",  # brown
    "#a4133c",  # raspberry
    "#264653",  # slate
)


def colour_for(key: str) -> str:
    """The same subject always gets the same colour."""
    digest = hashlib.sha256(key.casefold().encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def _lines(text: str, width: int, most: int) -> list[str]:
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > most:
        lines = lines[:most]
        lines[-1] = lines[-1][: max(1, width - 1)].rstrip() + "…"
    return lines


def generated_svg(title: str, author: str, subject: str) -> str:
    """A 200×300 cover: the title large, the author small, a band in the subject's colour."""
    colour = colour_for(subject or title)
    title_lines = _lines(title, 14, 6)
    size = 24 if max(len(line) for line in title_lines) <= 12 else 20
    tspans = "".join(
        f'<tspan x="16" dy="{0 if i == 0 else size + 4}">{escape(line)}</tspan>'
        for i, line in enumerate(title_lines)
    )
    author_lines = _lines(author, 22, 2) if author else []
    author_spans = "".join(
        f'<tspan x="16" dy="{0 if i == 0 else 18}">{escape(line)}</tspan>'
        for i, line in enumerate(author_lines)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 300" width="200" height="300">'
        f'<rect width="200" height="300" fill="{colour}"/>'
        '<rect x="0" y="0" width="10" height="300" fill="#000" fill-opacity=".25"/>'
        '<circle cx="170" cy="40" r="56" fill="#fff" fill-opacity=".12"/>'
        '<g font-family="Verdana, DejaVu Sans, sans-serif" fill="#fff">'
        f'<text x="16" y="{70}" font-size="{size}" font-weight="bold">{tspans}</text>'
        f'<text x="16" y="262" font-size="14">{author_spans}</text>'
        "</g></svg>"
    )


def generated_version(title: str, author: str, subject: str) -> str:
    """The generated cover's URL version: changes when what it shows changes."""
    key = "\x1f".join(("g1", title, author, subject))
    return "g" + hashlib.sha256(key.encode()).hexdigest()[:12]
