"""Dashboards per role, and the schools side by side.

* The librarian's day: due back today, holds ready, overdue, class sets out — the school's own
  working figures (the desk shows each of these loans to the same staff anyway), not withheld.
* The school leader's year at a glance: figures of the reports, suppressed as everywhere.
* The municipal consultant: every school side by side (``schools-side-by-side``), the
  municipality's totals and per-student comparisons — aggregates only, suppressed per school.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from reol.catalog.models import Item
from reol.circulation import selectors as circulation
from reol.circulation.models import Loan
from reol.core import calendar
from reol.core.models import School
from reol.patrons.models import Patron, PatronCategory
from reol.planning import selectors as planning

from . import framework
from .collection import GONE
from .framework import Column, Filters, Report, Row, Table, register
from .loans import (
    RECORD_FILTERS,
    apply_record_filters,
    counted,
    people_expression,
    student_loans,
)


@dataclass(frozen=True)
class Today:
    due_today: int
    holds_ready: int
    overdue: int
    class_sets_out: int
    heavy_use: list[str]  # this week's heavy-use classes and their topics, from the plans


def librarian_today(school: School) -> Today:
    today = timezone.localdate()
    open_loans = Loan.objects.open().of_school(school)
    return Today(
        due_today=open_loans.filter(due_date=today).count(),
        holds_ready=circulation.hold_shelf(school).count(),
        overdue=Loan.objects.overdue(today).of_school(school).count(),
        class_sets_out=len(circulation.class_sets_out(school, today)),
        heavy_use=[
            f"{entry.group.name}: {entry.title}"
            for entry in planning.heavy_use_between(
                school,
                today - dt.timedelta(days=today.weekday()),
                today + dt.timedelta(days=6 - today.weekday()),
            )
        ],
    )


@dataclass(frozen=True)
class Year:
    """The school leader's year at a glance: the school's row of the side-by-side report and
    its loans by month, both suppressed like every report."""

    filters: Filters
    figures: dict[str, object]
    withheld: bool
    by_month: Table


def year_at_a_glance(school: School) -> Year:
    from_year = calendar.current_school_year(school)
    starts, ends = calendar.school_year_bounds(school, from_year)
    filters = Filters(schools=(school,), starts=starts, ends=ends, school_year=from_year)
    table = framework.result(SCHOOLS, filters)
    row = table.rows[0]
    figures = {c.key: v for c, v in zip(table.columns, table.cells(row), strict=True)}
    by_month = framework.get("loans-by-month")
    assert by_month is not None
    return Year(filters, figures, row.suppressed, framework.result(by_month, filters))


def side_by_side(schools: tuple[School, ...], like: Filters) -> Table:
    """Every school of ``schools`` in the same dates as ``like``, suppressed."""
    return framework.result(SCHOOLS, replace(like, schools=schools))


def _ratio(part: int, whole: int) -> Decimal | str:
    return (Decimal(part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else ""


def _schools(filters: Filters) -> Table:
    students = dict(
        Patron.objects.filter(
            school_id__in=filters.school_ids, category=PatronCategory.STUDENT, active=True
        )
        .values("school_id")
        .annotate(n=Count("pk"))
        .values_list("school_id", "n")
    )
    items = apply_record_filters(
        Item.objects.filter(school_id__in=filters.school_ids).exclude(status__in=GONE),
        filters,
        "record__",
    )
    copies = dict(items.values("school_id").annotate(n=counted()).values_list("school_id", "n"))
    loans = {
        r["school_id"]: r
        for r in student_loans(filters)
        .values("school_id")
        .annotate(n=counted(), people=people_expression())
        .order_by()
    }
    rows = []
    totals = {"students": 0, "loans": 0, "borrowers": 0, "copies": 0}
    for school in sorted(filters.schools, key=lambda s: s.name):
        got = loans.get(school.pk, {"n": 0, "people": 0})
        figures = {
            "students": students.get(school.pk, 0),
            "loans": got["n"],
            "borrowers": got["people"],
            "copies": copies.get(school.pk, 0),
        }
        for key, value in figures.items():
            totals[key] += value
        rows.append(_school_row(school.name, figures))
    if len(rows) > 1:
        rows.append(_school_row(str(gettext_lazy("All schools")), totals))
    return Table(
        columns=[
            Column("label", gettext_lazy("School"), measure=False),
            Column("students", gettext_lazy("Students")),
            Column("loans", gettext_lazy("Loans")),
            Column("borrowers", gettext_lazy("Borrowers")),
            Column("loans_per_student", gettext_lazy("Loans per student"), chart=True),
            Column("copies", gettext_lazy("Copies")),
            Column("copies_per_student", gettext_lazy("Copies per student"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Schools side by side"),
        note=gettext_lazy(
            "Aggregates only. A school whose figures rest on fewer than 5 borrowers is withheld."
        ),
    )


def _school_row(name: str, figures: dict[str, int]) -> Row:
    return Row(
        {
            "label": name,
            **figures,
            "loans_per_student": _ratio(figures["loans"], figures["students"]),
            "copies_per_student": _ratio(figures["copies"], figures["students"]),
        },
        people=figures["borrowers"],
    )


SCHOOLS = Report(
    "schools-side-by-side",
    gettext_lazy("Schools side by side"),
    gettext_lazy("Every school's loans, borrowers and copies, per student, and the totals."),
    gettext_lazy("Municipality"),
    _schools,
    filters=RECORD_FILTERS,
    order=5,
)


def _collaborations(filters: Filters) -> Table:
    """Courses and guidance sessions of the learning centre in the school year, per grade and
    per subject (planning's collaborations): activity, not people."""
    grades: Counter[str] = Counter()
    subjects: Counter[str] = Counter()
    for school in filters.schools:
        summary = planning.collaboration_summary(school, filters.school_year)
        for grade, n in summary.grades:
            label = gettext_lazy("no class") if grade is None else gettext_lazy("grade %(grade)s")
            grades[str(label) % {"grade": grade} if grade is not None else str(label)] += n
        for subject, n in summary.subjects:
            subjects[subject or str(gettext_lazy("no subject"))] += n
    rows = [
        Row({"kind": str(gettext_lazy("Grade")), "label": k, "n": v}) for k, v in grades.items()
    ]
    rows += [
        Row({"kind": str(gettext_lazy("Subject")), "label": k, "n": v})
        for k, v in sorted(subjects.items())
    ]
    return Table(
        columns=[
            Column("kind", gettext_lazy("By"), measure=False),
            Column("label", gettext_lazy("Grade or subject"), measure=False),
            Column("n", gettext_lazy("Courses and guidance sessions"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Teaching collaborations"),
    )


COLLABORATIONS = Report(
    "collaborations",
    gettext_lazy("Teaching collaborations"),
    gettext_lazy("The learning centre's courses and guidance sessions, per grade and subject."),
    gettext_lazy("Learning centre"),
    _collaborations,
    filters=("school", "school_year"),
    about_people=False,
    order=70,
)


def register_all() -> None:
    register(SCHOOLS, COLLABORATIONS)
