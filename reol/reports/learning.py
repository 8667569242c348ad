"""Evidence for learning: a class's imported reading-test results beside its reading volume.

Each row is one class's aggregated result in one test (``ReadingResult``, imported by the
school; never a student's) with the class's loans in the same dates and its loans per student.
The caption says what the figures are: a correlation, not a cause.
"""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

from reol.patrons.models import GroupMember

from .framework import Column, Filters, Report, Row, Table, register
from .loans import population, student_loans
from .models import ReadingResult

SECTION = gettext_lazy("Learning")
FILTERS = ("school", "school_year", "date_from", "date_to", "grade", "group")
NOTE = gettext_lazy(
    "A correlation, not a cause: a class that borrows more may read better for many other "
    "reasons, and one year of a few classes proves nothing. Results are the classes' own "
    "aggregates as the school imported them; loans are students' loans in the same dates. A "
    "class of fewer than 5 students is withheld."
)


def results(filters: Filters) -> QuerySet[ReadingResult]:
    rows = ReadingResult.objects.filter(
        school_id__in=filters.school_ids,
        taken_on__gte=filters.starts,
        taken_on__lte=filters.ends,
    )
    if filters.grade is not None:
        rows = rows.filter(grade=filters.grade)
    if filters.group:
        rows = rows.filter(group_name=filters.group)
    return rows.select_related("school").order_by("grade", "group_name", "test", "taken_on")


def _class_sizes(found: list[ReadingResult]) -> Counter[tuple[int, str, str]]:
    """Students per (school, class, school year) for the classes the results name."""
    sizes: Counter[tuple[int, str, str]] = Counter()
    if not found:
        return sizes
    members = GroupMember.objects.filter(
        role=GroupMember.Role.STUDENT,
        group__school_id__in={r.school_id for r in found},
        group__name__in={r.group_name for r in found},
        group__school_year__in={r.school_year for r in found},
    )
    for r in members.values("group__school_id", "group__name", "group__school_year").annotate(
        n=Count("patron", distinct=True)
    ):
        sizes[(r["group__school_id"], r["group__name"], r["group__school_year"])] = r["n"]
    return sizes


def _levels(levels: list[Any]) -> str:
    return " · ".join(f"{name}: {count}" for name, count in levels)


def _per(part: int, whole: int) -> Decimal | str:
    return (Decimal(part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else ""


def _results_and_volume(filters: Filters) -> Table:
    found = list(results(filters))
    sizes = _class_sizes(found)
    # Every class's loans, the ones without a result left unread: a filter on the class in
    # SQL repeated its expression (a subquery per open loan) in WHERE beside GROUP BY.
    loans = (
        {
            (r["school_id"], r["group_of"]): r
            for r in student_loans(filters, "group_of")
            .values("school_id", "group_of")
            .annotate(n=Count("pk"))  # loans only: a class's people are its size, counted apart
            .order_by()
        }
        if found
        else {}
    )
    several = len(filters.schools) > 1
    rows = []
    for r in found:
        students = sizes.get((r.school_id, r.group_name, r.school_year)) or r.tested
        lent = loans.get((r.school_id, r.group_name), {"n": 0})
        rows.append(
            Row(
                {
                    "label": f"{r.school.name} {r.group_name}" if several else r.group_name,
                    "test": r.test,
                    "date": date_format(r.taken_on, "SHORT_DATE_FORMAT"),
                    "tested": r.tested,
                    "mean": r.mean if r.mean is not None else "",
                    "levels": _levels(r.levels),
                    "students": students,
                    "loans": lent["n"],
                    "per_student": _per(lent["n"], students),
                },
                people=min(r.tested, students),
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Class"), measure=False),
            Column("test", gettext_lazy("Test"), measure=False),
            Column("date", gettext_lazy("Date"), measure=False),
            Column("tested", gettext_lazy("Students tested")),
            Column("mean", gettext_lazy("Mean")),
            Column("levels", gettext_lazy("Students per level")),
            Column("students", gettext_lazy("Students in the class")),
            Column("loans", gettext_lazy("Loans")),
            Column("per_student", gettext_lazy("Loans per student"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Reading-test results beside reading volume, per class"),
        note=NOTE,
        population=population(filters),
    )


def register_all() -> None:
    register(
        Report(
            "reading-results",
            gettext_lazy("Reading-test results beside reading volume"),
            gettext_lazy(
                "Each class's imported reading-test results beside its loans per student in "
                "the same dates."
            ),
            SECTION,
            _results_and_volume,
            filters=FILTERS,
            order=70,
        ),
    )
