"""Loans as the reports see them: circulation's ``Loan.objects`` narrowed by ``Filters`` and
annotated with the dimensions a report groups by.

A loan's borrower may be forgotten at return (``circulation.actions.privacy``); what the loan
keeps for statistics is ``LoanStatistic`` (grade and group at the time). So a loan's grade is
the statistic's, else (an open loan, a borrower still known) the borrower's patron record at
the loan's school; likewise its group. Dates, copy and title stay on the loan itself.

**People behind a figure.** ``people_expression()`` counts distinct known borrowers, and every
anonymised loan as a person of its own: the database no longer knows whose it was, so nobody
can tie it back to a child, and a cell of four anonymised loans is still withheld.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, Concat, NullIf, Substr
from django.utils.translation import gettext_lazy

from reol.catalog.models import Record
from reol.circulation.models import Loan, LoanCategory
from reol.patrons.models import GroupMember, Patron, PatronCategory

from .framework import Filters

FICTION_DK5 = "sk"  # DK5's skønlitteratur
# A record's languages are MARC (ISO 639-2/B) codes, as 008 and 041 give them.
MARC_LANGUAGES = {
    "dan": gettext_lazy("Danish"),
    "nob": gettext_lazy("Norwegian Bokmål"),
    "nno": gettext_lazy("Norwegian Nynorsk"),
    "nor": gettext_lazy("Norwegian"),
    "swe": gettext_lazy("Swedish"),
    "eng": gettext_lazy("English"),
    "ger": gettext_lazy("German"),
    "fre": gettext_lazy("French"),
    "spa": gettext_lazy("Spanish"),
    "ara": gettext_lazy("Arabic"),
    "ukr": gettext_lazy("Ukrainian"),
    "pol": gettext_lazy("Polish"),
    "tur": gettext_lazy("Turkish"),
    "som": gettext_lazy("Somali"),
}


def fiction_condition(prefix: str = "") -> Q:
    """Fiction by classification: DK5 "sk…", or no DK5 and a DDC in the 800s (literature)."""
    return Q(**{f"{prefix}dk5__istartswith": FICTION_DK5}) | (
        Q(**{f"{prefix}dk5": ""}) & Q(**{f"{prefix}ddc__startswith": "8"})
    )


def class_number(prefix: str = "") -> Coalesce:
    """The copy's class number for ranges and sections: DK5 if catalogued, else DDC."""
    return Coalesce(NullIf(F(f"{prefix}dk5"), Value("")), F(f"{prefix}ddc"))


def section_expression(prefix: str = "") -> Coalesce:
    """A classification section: DK5's main class ("sk", "79"), else the DDC hundred ("500")."""
    return Coalesce(
        NullIf(Substr(F(f"{prefix}dk5"), 1, 2), Value("")),
        NullIf(Concat(Substr(F(f"{prefix}ddc"), 1, 1), Value("00")), Value("00")),
        Value("–"),
        output_field=CharField(),
    )


def _patron_grade() -> Subquery:
    # A user has one patron record per school (``patron_one_per_school``), so no order: the
    # model's default one joined school and user into the subquery, run for every open loan.
    return Subquery(
        Patron.objects.filter(user=OuterRef("patron_id"), school=OuterRef("school_id"))
        .order_by()
        .values("grade")[:1],
        output_field=IntegerField(),
    )


def _patron_group() -> Subquery:
    return Subquery(
        GroupMember.objects.filter(
            patron__user=OuterRef("patron_id"),
            patron__school=OuterRef("school_id"),
            role=GroupMember.Role.STUDENT,
        )
        .order_by("-group__school_year", "group__name")
        .values("group__name")[:1],
        output_field=CharField(),
    )


def _language() -> Coalesce:
    return Coalesce(
        KeyTextTransform("0", "item__record__languages"), Value(""), output_field=CharField()
    )


# The dimensions a report may group loans by, each annotated only when asked for: an unused
# annotation still joins its tables (copy, record, statistic), which made the reports that
# need none of them (busiest hours, the schools side by side) 3–4× their bare SQL.
DIMENSIONS: dict[str, Any] = {
    "grade_of": lambda: Coalesce(F("statistic__grade"), _patron_grade()),
    "group_of": lambda: Coalesce(
        NullIf(F("statistic__group_name"), Value("")), _patron_group(), output_field=CharField()
    ),
    "material": lambda: F("item__record__material_type"),
    "section": lambda: section_expression("item__record__"),
    "language": _language,
}


def student_loans(filters: Filters, *dimensions: str) -> QuerySet[Any]:
    """Students' loans lent in the filters' dates at their schools, every filter applied, with
    the ``dimensions`` asked for annotated (of ``grade_of``, ``group_of``, ``material``,
    ``section`` and ``language``; a grade or group filter annotates its own)."""
    wanted = set(dimensions)
    if filters.grade is not None:
        wanted.add("grade_of")
    if filters.group:
        wanted.add("group_of")
    loans: QuerySet[Any] = (
        Loan.objects.filter(school_id__in=filters.school_ids, patron_category=LoanCategory.STUDENT)
        .filter(loan_date__gte=filters.starts, loan_date__lte=filters.ends)
        .annotate(**{name: DIMENSIONS[name]() for name in sorted(wanted)})
    )
    return apply_record_filters(apply_people_filters(loans, filters), filters, "item__record__")


def apply_people_filters(loans: QuerySet[Any], filters: Filters) -> QuerySet[Any]:
    if filters.grade is not None:
        loans = loans.filter(grade_of=filters.grade)
    if filters.group:
        loans = loans.filter(group_of=filters.group)
    return loans


# The filters a report on loans and the copies behind them offers (``apply_record_filters``).
RECORD_FILTERS = (
    "school",
    "school_year",
    "date_from",
    "date_to",
    "material_type",
    "fiction",
    "class_from",
    "class_to",
    "language",
)


def apply_record_filters(rows: QuerySet[Any], filters: Filters, prefix: str) -> QuerySet[Any]:
    """Material type, fiction, classification range and language, on anything that reaches a
    ``Record`` through ``prefix`` (loans: ``item__record__``; copies: ``record__``)."""
    if filters.material_type:
        rows = rows.filter(**{f"{prefix}material_type": filters.material_type})
    if filters.fiction == "fiction":
        rows = rows.filter(fiction_condition(prefix))
    elif filters.fiction == "nonfiction":
        rows = rows.exclude(fiction_condition(prefix))
    if filters.class_from or filters.class_to:
        rows = rows.annotate(class_no=class_number(prefix))
        if filters.class_from:
            rows = rows.filter(class_no__gte=filters.class_from)
        if filters.class_to:
            # "to 79" includes 79.41: compare against the range's end followed by the top.
            rows = rows.filter(class_no__lte=filters.class_to + "\uffff")
    if filters.language:
        # The record's first language (JSON ``contains`` is not available on SQLite).
        rows = rows.filter(**{f"{prefix}languages__0": filters.language})
    return rows


def counted(condition: Q | None = None) -> Count:
    """How many loans or copies (of those meeting ``condition``): ``COUNT(*)``, or a count of the
    school, which every loan and copy has; never of the id. PostgreSQL answers from an index
    alone only when every column the query names is in it, and the report indexes hold school,
    day lent, kind of borrower and borrower (loans), school and status (copies): ``COUNT(id)``
    made it read every row (4–9× the bare SQL at a municipality's size, bench/reports.py)."""
    return Count("*") if condition is None else Count("school", filter=condition)


def people_expression() -> Any:
    """Distinct known borrowers plus one per anonymised loan (see the module)."""
    return Count("patron", distinct=True) + counted(Q(patron__isnull=True))


def population(filters: Filters) -> int | None:
    """How many students the filters' grade or group describe (None when they do not narrow):
    a figure about a group of three is about three children, whatever the cells count."""
    if not filters.narrows_people:
        return None
    students = Patron.objects.filter(
        school_id__in=filters.school_ids, category=PatronCategory.STUDENT
    )
    if filters.grade is not None:
        students = students.filter(grade=filters.grade)
    if filters.group:
        students = students.filter(
            memberships__group__name=filters.group,
            memberships__role=GroupMember.Role.STUDENT,
        )
    return students.values("user").distinct().count()


def records_of(loans: QuerySet[Loan]) -> QuerySet[Record]:
    return Record.objects.filter(pk__in=loans.values("item__record"))
