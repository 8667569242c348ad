"""Circulation reports: loans and borrowers by time and by kind, per student, top titles,
holds, overdue and lost, the desk's busiest hours. Each is a ``Report`` registered at import
(``ReportsConfig.ready`` imports this module); each row says how many people it counts."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.catalog.models import MaterialType
from reol.circulation.models import Hold, HoldState, LoanState, overdue_condition
from reol.core.languages import filled_lazily
from reol.patrons.models import Patron, PatronCategory

from .framework import Column, Filters, Report, Row, Table, register
from .hours import IsoWeekDay, LocalHour, MonthStart
from .loans import (
    MARC_LANGUAGES,
    RECORD_FILTERS,
    apply_record_filters,
    counted,
    people_expression,
    population,
    student_loans,
)
from .titles import top_titles

SECTION = gettext_lazy("Circulation")
BORROWER_NOTE = gettext_lazy(
    "Students' loans only. A loan whose borrower has been forgotten (privacy) counts as one "
    "borrower. Rows about fewer than 5 people are withheld."
)
PEOPLE_FILTERS = (
    "school",
    "school_year",
    "date_from",
    "date_to",
    "grade",
    "group",
    "material_type",
    "fiction",
    "class_from",
    "class_to",
    "language",
)


def _loans_and_borrowers(label: str | Any) -> list[Column]:
    return [
        Column("label", label, measure=False),
        Column("loans", gettext_lazy("Loans"), chart=True),
        Column("borrowers", gettext_lazy("Borrowers"), chart=True),
    ]


def _grouped(filters: Filters, by: Any, name: str, label: Callable[[Any], str]) -> Table:
    if callable(by):  # an expression that depends on the filters (the local hour)
        by = by(filters)
    needs = [by.name] if isinstance(by, F) else []
    rows = (
        student_loans(filters, *needs)
        .annotate(**{name: by})
        .values(name)
        .annotate(n=counted(), people=people_expression())
        .order_by(name)
    )
    return Table(
        columns=[],
        rows=[
            Row({"label": label(r[name]), "loans": r["n"], "borrowers": r["people"]}, r["people"])
            for r in rows
        ],
        note=BORROWER_NOTE,
        population=population(filters),
    )


def _dimension_report(
    key: str, title: Any, heading: Any, by: Any, label: Callable[[Any], str], order: int
) -> Report:
    def run(filters: Filters) -> Table:
        table = _grouped(filters, by, "dim", label)
        table.columns = _loans_and_borrowers(heading)
        table.caption = title
        return table

    return Report(
        key=key,
        title=title,
        description=filled_lazily(
            gettext_noop("Students' loans and distinct borrowers, %(by)s."), by=heading
        ),
        section=SECTION,
        run=run,
        filters=PEOPLE_FILTERS,
        order=order,
    )


def _month(value: Any) -> str:
    return date_format(value, "YEAR_MONTH_FORMAT") if value else "–"


def _weekday(value: Any) -> str:
    return str(WEEKDAYS[int(value) - 1]) if value else "–"


def _hour(value: Any) -> str:
    return f"{int(value):02d}:00–{int(value):02d}:59" if value is not None else "–"


def _grade(value: Any) -> str:
    return _("grade %(grade)s") % {"grade": value} if value is not None else _("no grade")


def _text(value: Any) -> str:
    return str(value) if value else _("unknown")


def _material(value: Any) -> str:
    return str(MaterialType(value).label) if value in MaterialType.values else _text(value)


def _language(value: Any) -> str:
    return str(MARC_LANGUAGES.get(value, value)) if value else _("unknown")


def _local_hour(filters: Filters) -> LocalHour:
    return LocalHour("checked_out_at", filters.starts, filters.ends)


def _tz() -> Any:
    return timezone.get_current_timezone()


DIMENSIONS = [
    (
        "loans-by-month",
        gettext_lazy("Loans by month"),
        gettext_lazy("Month"),
        MonthStart("loan_date"),
        _month,
    ),
    (
        "loans-by-weekday",
        gettext_lazy("Loans by weekday"),
        gettext_lazy("Weekday"),
        IsoWeekDay("loan_date"),
        _weekday,
    ),
    (
        "loans-by-hour",
        gettext_lazy("Loans by hour"),
        gettext_lazy("Hour"),
        _local_hour,
        _hour,
    ),
    (
        "loans-by-grade",
        gettext_lazy("Loans by grade"),
        gettext_lazy("Grade"),
        F("grade_of"),
        _grade,
    ),
    (
        "loans-by-group",
        gettext_lazy("Loans by class or group"),
        gettext_lazy("Group"),
        F("group_of"),
        _text,
    ),
    (
        "loans-by-material",
        gettext_lazy("Loans by material type"),
        gettext_lazy("Material type"),
        F("material"),
        _material,
    ),
    (
        "loans-by-section",
        gettext_lazy("Loans by classification"),
        gettext_lazy("Section"),
        F("section"),
        _text,
    ),
    (
        "loans-by-language",
        gettext_lazy("Loans by language"),
        gettext_lazy("Language"),
        F("language"),
        _language,
    ),
]


def _per_student(filters: Filters) -> Table:
    """Loans per student per grade: the grade's loans over its students at the schools."""
    students = dict(
        Patron.objects.filter(
            school_id__in=filters.school_ids, category=PatronCategory.STUDENT, active=True
        )
        .values("grade")
        .annotate(n=Count("pk"))
        .values_list("grade", "n")
    )
    rows = []
    for r in (
        student_loans(filters, "grade_of")
        .values("grade_of")
        .annotate(n=counted(), people=people_expression())
        .order_by("grade_of")
    ):
        count = students.get(r["grade_of"], 0)
        per = (Decimal(r["n"]) / count).quantize(Decimal("0.1"), ROUND_HALF_UP) if count else ""
        rows.append(
            Row(
                {
                    "label": _grade(r["grade_of"]),
                    "students": count,
                    "loans": r["n"],
                    "per_student": per,
                },
                people=min(r["people"], count) if count else r["people"],
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Grade"), measure=False),
            Column("students", gettext_lazy("Students")),
            Column("loans", gettext_lazy("Loans")),
            Column("per_student", gettext_lazy("Loans per student"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Loans per student, by grade"),
        note=BORROWER_NOTE,
        population=population(filters),
    )


def _holds(filters: Filters, limit: int = 30) -> Table:
    """Demand that says what to buy: holds placed in the dates, per title, with how many are
    still waiting or went unmet, and the days from placing to the copy being ready."""
    holds = apply_record_filters(
        Hold.objects.filter(
            school_id__in=filters.school_ids,
            placed_at__date__gte=filters.starts,
            placed_at__date__lte=filters.ends,
        ),
        filters,
        "record__",
    )
    wait = ExpressionWrapper(F("ready_at") - F("placed_at"), output_field=DurationField())
    rows = []
    for r in (
        holds.values("record_id", "record__title")
        .annotate(
            n=Count("pk"),
            people=Count("patron", distinct=True),
            waiting=Count("pk", filter=Q(state=HoldState.WAITING)),
            unmet=Count("pk", filter=Q(state__in=[HoldState.EXPIRED, HoldState.CANCELLED])),
            wait=Avg(wait, filter=Q(ready_at__isnull=False)),
        )
        .order_by("-waiting", "-n", "record__title")[:limit]
    ):
        days = (
            Decimal(r["wait"].total_seconds() / 86400).quantize(Decimal("0.1")) if r["wait"] else ""
        )
        rows.append(
            Row(
                {
                    "title": r["record__title"],
                    "holds": r["n"],
                    "waiting": r["waiting"],
                    "unmet": r["unmet"],
                    "days": days,
                },
                people=r["people"],
            )
        )
    return Table(
        columns=[
            Column("title", gettext_lazy("Title"), measure=False),
            Column("holds", gettext_lazy("Holds")),
            Column("waiting", gettext_lazy("Still waiting"), chart=True),
            Column("unmet", gettext_lazy("Unmet (expired or cancelled)")),
            Column("days", gettext_lazy("Days until ready, on average")),
        ],
        rows=rows,
        caption=gettext_lazy("Holds: unmet demand and waiting time"),
        note=gettext_lazy("Titles with many holds still waiting are candidates for more copies."),
    )


def _overdue(filters: Filters) -> Table:
    """Overdue and lost rates, by grade: of the loans lent in the dates, how many are open
    and overdue today (circulation's one definition), how many were lost or written off."""
    today = timezone.localdate()
    late = overdue_condition(today)
    rows = []
    for r in (
        student_loans(filters, "grade_of")
        .values("grade_of")
        .annotate(
            n=Count("pk"),
            people=people_expression(),
            overdue=Count("pk", filter=late),
            lost=Count("pk", filter=Q(state__in=[LoanState.LOST, LoanState.WRITTEN_OFF])),
        )
        .order_by("grade_of")
    ):
        rows.append(
            Row(
                {
                    "label": _grade(r["grade_of"]),
                    "loans": r["n"],
                    "overdue": r["overdue"],
                    "overdue_rate": _percent(r["overdue"], r["n"]),
                    "lost": r["lost"],
                    "lost_rate": _percent(r["lost"], r["n"]),
                },
                people=r["people"],
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Grade"), measure=False),
            Column("loans", gettext_lazy("Loans")),
            Column("overdue", gettext_lazy("Overdue today")),
            Column("overdue_rate", gettext_lazy("Overdue, %"), chart=True),
            Column("lost", gettext_lazy("Lost or written off")),
            Column("lost_rate", gettext_lazy("Lost, %")),
        ],
        rows=rows,
        caption=gettext_lazy("Overdue and lost rate, by grade"),
        note=BORROWER_NOTE,
        population=population(filters),
    )


def _percent(part: int, whole: int) -> Decimal | str:
    if not whole:
        return ""
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _busiest(filters: Filters, limit: int = 15) -> Table:
    """The desk's busiest hours: weekday × hour, the busiest first."""
    rows = [
        Row(
            {
                "label": f"{_weekday(r['day'])} {_hour(r['hour'])}",
                "loans": r["n"],
                "borrowers": r["people"],
            },
            people=r["people"],
        )
        for r in student_loans(filters)
        .annotate(day=IsoWeekDay("loan_date"), hour=_local_hour(filters))
        .values("day", "hour")
        .annotate(n=counted(), people=people_expression())
        .order_by("-n", "day", "hour")[:limit]
    ]
    return Table(
        columns=_loans_and_borrowers(gettext_lazy("Weekday and hour")),
        rows=rows,
        caption=gettext_lazy("The desk's busiest hours"),
        note=BORROWER_NOTE,
        population=population(filters),
    )


def register_all() -> None:
    register(
        *[
            _dimension_report(key, title, heading, by, label, 10 + i)
            for i, (key, title, heading, by, label) in enumerate(DIMENSIONS)
        ],
        Report(
            "loans-per-student",
            gettext_lazy("Loans per student, by grade"),
            gettext_lazy("How much each grade borrows for its size."),
            SECTION,
            _per_student,
            filters=PEOPLE_FILTERS,
            order=30,
        ),
        Report(
            "top-titles",
            gettext_lazy("Top titles per age band"),
            gettext_lazy("The ten most borrowed titles of each age band."),
            SECTION,
            top_titles,
            filters=PEOPLE_FILTERS,
            order=31,
        ),
        Report(
            "holds",
            gettext_lazy("Holds: unmet demand and waiting time"),
            gettext_lazy("What students waited for, and how long: what to buy."),
            SECTION,
            _holds,
            filters=RECORD_FILTERS,
            order=32,
        ),
        Report(
            "overdue",
            gettext_lazy("Overdue and lost rate"),
            gettext_lazy("Of the loans lent, how many are late today or were lost."),
            SECTION,
            _overdue,
            filters=PEOPLE_FILTERS,
            order=33,
        ),
        Report(
            "busiest-hours",
            gettext_lazy("The desk's busiest hours"),
            gettext_lazy("When students borrow most, by weekday and hour."),
            SECTION,
            _busiest,
            filters=PEOPLE_FILTERS,
            order=34,
        ),
    )
