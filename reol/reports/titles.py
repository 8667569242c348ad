"""Top titles per age band: students' loans per title, the band being the borrower's grade
(registered with the other circulation reports in ``circulation.py``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.catalog.models import Record

from .framework import Column, Filters, Row, Table
from .loans import counted, people_expression, population, student_loans

AGE_BANDS = [(0, 2, "6–8"), (3, 5, "9–11"), (6, 7, "12–13"), (8, 13, "14–16")]


def _band_of(grade: int | None) -> int:
    for i, (lo, hi, _label) in enumerate(AGE_BANDS):
        if grade is not None and lo <= grade <= hi:
            return i
    return len(AGE_BANDS)


def _band_label(index: int) -> str:
    if index < len(AGE_BANDS):
        return _("age %(ages)s") % {"ages": AGE_BANDS[index][2]}
    return _("no grade")


def top_titles(filters: Filters, per_band: int = 10) -> Table:
    # Grouped by grade and title's id in SQL and into age bands here: a CASE over the grade
    # (itself a COALESCE with a subquery) in GROUP BY made PostgreSQL take seconds, and the
    # title's text in GROUP BY doubled the time at a municipality's size. A title's people in a
    # band are the sum over its grades (a student is in one grade).
    merged: dict[tuple[int, int], dict[str, Any]] = {}
    for r in (
        student_loans(filters, "grade_of")
        .values("grade_of", "item__record_id")
        .annotate(n=counted(), people=people_expression())
        .order_by()
    ):
        key = (_band_of(r["grade_of"]), r["item__record_id"])
        into = merged.setdefault(key, {"n": 0, "people": 0})
        into["n"] += r["n"]
        into["people"] += r["people"]
    ranked = _ranked_with_titles(merged, per_band)
    rows: list[Row] = []
    taken: dict[int, int] = {}
    for (band, _record), r in ranked:
        if taken.get(band, 0) >= per_band:
            continue
        taken[band] = taken.get(band, 0) + 1
        rows.append(
            Row(
                {
                    "band": _band_label(band),
                    "title": r["title"],
                    "loans": r["n"],
                    "borrowers": r["people"],
                },
                people=r["people"],
            )
        )
    return Table(
        columns=[
            Column("band", gettext_lazy("Age band"), measure=False),
            Column("title", gettext_lazy("Title"), measure=False),
            Column("loans", gettext_lazy("Loans"), chart=True),
            Column("borrowers", gettext_lazy("Borrowers")),
        ],
        rows=rows,
        caption=gettext_lazy("Top titles per age band"),
        note=gettext_lazy(
            "The age band is the borrower's grade. Titles borrowed by fewer than 5 people in a "
            "band are withheld."
        ),
        population=population(filters),
    )


def _ranked_with_titles(
    merged: dict[tuple[int, int], dict[str, Any]], per_band: int
) -> list[tuple[tuple[int, int], dict[str, Any]]]:
    """The titles that can be among a band's first ``per_band`` (ties on the last place
    included), with their titles read in one query, ordered by band, loans, then title."""
    by_band: dict[int, list[int]] = {}
    for (band, _record), r in merged.items():
        by_band.setdefault(band, []).append(r["n"])
    floor = {band: sorted(ns, reverse=True)[:per_band][-1] for band, ns in by_band.items()}
    candidates = {key: r for key, r in merged.items() if r["n"] >= floor[key[0]]}
    titles = dict(
        Record.objects.filter(pk__in={record for _band, record in candidates}).values_list(
            "pk", "title"
        )
    )
    for (_band, record), r in candidates.items():
        r["title"] = titles.get(record, "")
    return sorted(candidates.items(), key=lambda kv: (kv[0][0], -kv[1]["n"], kv[1]["title"]))
