"""Charts as server-side SVG, drawn here from a report's ``Table``.

Why our own SVG rather than a JavaScript chart library: the page works without scripts (and
so on an old tablet, and in the PDF and print, where the same figures appear); the markup is
ours to make accessible (``role="img"``, ``<title>``/``<desc>``, every bar labelled with its
figure in text, series told apart by pattern as well as colour, so no figure depends on colour
alone); nothing to vendor or update. The table under each chart is its full text alternative.

Horizontal bars: long category names (titles, groups) stay readable on a narrow screen. A row
withheld for privacy gets no bar, only the words "fewer than 5".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .framework import SUPPRESSED, Table

BAR = 18
GAP = 6
LABEL_WIDTH = 190
PLOT_WIDTH = 330
VALUE_WIDTH = 90
# Series: a fill colour and a pattern, so two series differ in print and for colour-blind eyes.
SERIES = [("#1f5f8b", ""), ("#b35c00", "hatch"), ("#2e7d32", "dots")]
MAX_ROWS = 40


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is SUPPRESSED or value in ("", None):
        return None
    if isinstance(value, int | float | Decimal):
        return float(value)
    return None


def _shown(value: Any) -> str:
    return str(localize(value))


def _defs(uid: str) -> str:
    return (
        "<defs>"
        f'<pattern id="{uid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/>'
        f'<rect width="3" height="6" fill="{SERIES[1][0]}"/></pattern>'
        f'<pattern id="{uid}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#fff"/>'
        f'<circle cx="3" cy="3" r="2" fill="{SERIES[2][0]}"/>'
        "</pattern></defs>"
    )


def _fill(index: int, uid: str) -> str:
    colour, pattern = SERIES[index % len(SERIES)]
    return f"url(#{uid}-{pattern})" if pattern else colour


def _legend(series: list[Any], uid: str) -> list[str]:
    """A swatch and a name per series, in a row above the bars."""
    parts, x = [], LABEL_WIDTH
    for i, column in enumerate(series):
        parts.append(
            f'<rect x="{x}" y="4" width="14" height="14" fill="{_fill(i, uid)}" '
            f'stroke="#222" stroke-width="0.5"/><text x="{x + 18}" y="16">'
            f"{escape(str(column.label))}</text>"
        )
        x += 30 + 8 * len(str(column.label))
    return parts


def bar_chart(table: Table, uid: str, title: str = "") -> SafeString:
    """An SVG bar chart of ``table``'s chart columns (at most ``MAX_ROWS`` rows)."""
    series = table.chart_columns
    rows = table.rows[:MAX_ROWS]
    if not series or not rows:
        return mark_safe("")
    top = max(
        (_number(r.values.get(c.key)) or 0.0 for r in rows if not r.suppressed for c in series),
        default=0.0,
    )
    scale = PLOT_WIDTH / top if top > 0 else 0.0
    group = len(series) * BAR + GAP
    legend = 22 if len(series) > 1 else 0
    height = legend + len(rows) * group + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + VALUE_WIDTH
    title = title or str(table.caption)
    desc = _("Bar chart of %(series)s for %(n)s rows; the table below gives every figure.") % {
        "series": ", ".join(str(c.label) for c in series),
        "n": len(rows),
    }
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{uid}-t {uid}-d">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        _defs(uid),
    ]
    if legend:
        parts += _legend(series, uid)
    y = legend
    for row in rows:
        label = table.label_of(row)
        short = label if len(label) <= 30 else label[:29] + "…"
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + group / 2 + 1}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(short)}</text>'
        )
        for i, column in enumerate(series):
            by = y + i * BAR
            if row.suppressed:
                parts.append(
                    f'<text x="{LABEL_WIDTH + 4}" y="{by + BAR - 5}" class="withheld">'
                    f"{escape(str(SUPPRESSED))}</text>"
                )
                continue
            value = row.values.get(column.key)
            number = _number(value) or 0.0
            w = max(number * scale, 1.0 if number else 0.0)
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{by + 2}" width="{w:.1f}" height="{BAR - 4}" '
                f'fill="{_fill(i, uid)}" stroke="#222" stroke-width="0.5"/>'
                f'<text x="{LABEL_WIDTH + w + 4:.1f}" y="{by + BAR - 5}">'
                f"{escape(_shown(value))}</text>"
            )
        y += group
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
