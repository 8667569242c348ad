"""One date format per language, everywhere (settings.FORMAT_MODULE_PATH points here).

Templates write ``|date:"DATE_FORMAT"`` or ``|date:"SHORT_DATE_FORMAT"`` and Python code
``formats.date_format(value)``; both names give the same, so a date reads the same on every
page, mail and PDF: "4 Jan 2027" in English, "4. jan. 2027" in Danish and Norwegian (``N``
gives the abbreviations of the language's own style: "jan.", "marts", "maj", "sep."). A day
without its year (a calendar's week rows) is MONTH_DAY_FORMAT: "4 Jan", "4. jan.".
Input formats are left to Django's locale files.

A span of days is written one way too (``days``, and ``{{ starts|days:ends }}`` in templates
with ``{% load dates %}``): "15. dec. – 16. dec. 2026", "21. dec. 2026 – 8. jan. 2027".
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format


def days(starts: dt.date, ends: dt.date | None) -> str:
    """The days from ``starts`` to ``ends``: one date when they are one day; else both, with a
    spaced en dash, the first without its year when both are in one year."""
    if ends is None or ends == starts:
        return date_format(starts, "DATE_FORMAT")
    first = date_format(starts, "MONTH_DAY_FORMAT" if starts.year == ends.year else "DATE_FORMAT")
    return f"{first} – {date_format(ends, 'DATE_FORMAT')}"
