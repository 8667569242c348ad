"""Collection and use: how the collection is balanced (classification, language, reading level,
age band), how hard each part works (turnover: loans per copy per year), copies per student;
class-set use per class; loans by patron category.

The balance reports share one runner: copies and titles held now, grouped by a raw value in
SQL and folded into bands here (a CASE in GROUP BY is what made top titles slow), beside the
loans of those copies in the filters' dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from reol.circulation.models import Loan
from reol.core.languages import filled_lazily
from reol.patrons.models import Group, Patron, PatronCategory
from reol.reading.levels import absolute_words

from .collection import GROWTH_FILTERS, copies
from .framework import Column, Filters, Report, Row, Table, register
from .loans import (
    MARC_LANGUAGES,
    RECORD_FILTERS,
    apply_record_filters,
    counted,
    section_expression,
)

SECTION = gettext_lazy("Collection")
USE_FILTERS = GROWTH_FILTERS
LIX_BANDS = (15, 25, 35, 45)  # the edges of reading.levels' words
AGE_BANDS = ((0, 5), (6, 8), (9, 11), (12, 13), (14, 16), (17, 99))


@dataclass(frozen=True)
class Dimension:
    key: str
    title: Any
    heading: Any
    field: str  # the record's field (after the prefix) or "section"/"language"
    band: Callable[[Any], tuple[int | str, str]]  # raw value → (sort key, label)
    order: int


def _copies_grouped(filters: Filters, dim: Dimension) -> QuerySet[Any]:
    items = copies(filters)
    if dim.field == "language":
        items = items.annotate(
            language=Coalesce(
                KeyTextTransform("0", "record__languages"), Value(""), output_field=CharField()
            )
        )
    name = dim.field if dim.field in ("section", "language") else f"record__{dim.field}"
    return items.values(name).annotate(n=Count("pk"), titles=Count("record", distinct=True))


def _loans_grouped(filters: Filters, dim: Dimension) -> QuerySet[Any]:
    """Every loan (students' and staff's) of the schools' copies lent in the dates."""
    loans = apply_record_filters(
        Loan.objects.filter(
            school_id__in=filters.school_ids,
            loan_date__gte=filters.starts,
            loan_date__lte=filters.ends,
        ),
        filters,
        "item__record__",
    )
    if dim.field == "section":
        loans = loans.annotate(section=section_expression("item__record__"))
        name = "section"
    elif dim.field == "language":
        loans = loans.annotate(
            language=Coalesce(
                KeyTextTransform("0", "item__record__languages"),
                Value(""),
                output_field=CharField(),
            )
        )
        name = "language"
    else:
        name = f"item__record__{dim.field}"
    return loans.values(name).annotate(n=counted()).order_by()


def years_of(filters: Filters) -> Decimal:
    """The filters' dates in years, up to today (a year still running counts what has been)."""
    ends = min(filters.ends, timezone.localdate())
    days = max((ends - filters.starts).days + 1, 1)
    return Decimal(days) / Decimal("365.25")


def _students(filters: Filters) -> int:
    return Patron.objects.filter(
        school_id__in=filters.school_ids, category=PatronCategory.STUDENT, active=True
    ).count()


def _ratio(part: int | Decimal, whole: int | Decimal, places: str = "0.1") -> Decimal | str:
    if not whole:
        return ""
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _balance(filters: Filters, dim: Dimension) -> Table:
    bands: dict[int | str, dict[str, Any]] = {}

    def into(raw: Any) -> dict[str, Any]:
        key, label = dim.band(raw)
        return bands.setdefault(key, {"label": label, "copies": 0, "titles": 0, "loans": 0})

    for r in _copies_grouped(filters, dim).order_by():
        band = into(r[_raw_key(r)])
        band["copies"] += r["n"]
        band["titles"] += r["titles"]
    for r in _loans_grouped(filters, dim):
        into(r[_raw_key(r)])["loans"] += r["n"]
    total = sum(b["copies"] for b in bands.values())
    students = _students(filters)
    years = years_of(filters)
    rows = [
        Row(
            {
                "label": b["label"],
                "copies": b["copies"],
                "titles": b["titles"],
                "share": _ratio(100 * b["copies"], total),
                "per_student": _ratio(b["copies"], students),
                "loans": b["loans"],
                "turnover": _ratio(b["loans"], b["copies"] * years, "0.01"),
            }
        )
        for _key, b in sorted(bands.items(), key=lambda kv: str(kv[0]).zfill(6))
    ]
    return Table(
        columns=[
            Column("label", dim.heading, measure=False),
            Column("copies", gettext_lazy("Copies")),
            Column("titles", gettext_lazy("Titles")),
            Column("share", gettext_lazy("Share of the copies, %"), chart=True),
            Column("per_student", gettext_lazy("Copies per student")),
            Column("loans", gettext_lazy("Loans in the period")),
            Column("turnover", gettext_lazy("Turnover (loans per copy per year)")),
        ],
        rows=rows,
        caption=dim.title,
        note=gettext_lazy(
            "Copies held now (not withdrawn or lost); loans of every borrower in the dates. "
            "Turnover is the loans over the copies, per year of the dates up to today."
        ),
    )


def _raw_key(row: dict[str, Any]) -> str:
    return next(k for k in row if k not in ("n", "titles"))


def _section(value: Any) -> tuple[str, str]:
    return (str(value or "–"), str(value or "–"))


def _language(value: Any) -> tuple[str, str]:
    if not value:
        return ("~", _("unknown"))
    return (str(value), str(MARC_LANGUAGES.get(value, value)))


def _lix(value: Any) -> tuple[int, str]:
    if value is None:
        return (99, _("no LIX given"))
    index = sum(1 for edge in LIX_BANDS if value >= edge)
    lo = ([0, *LIX_BANDS])[index]
    hi = f"–{LIX_BANDS[index] - 1}" if index < len(LIX_BANDS) else "+"
    return (index, f"LIX {lo}{hi}: {absolute_words(lo)}")


def _age(value: Any) -> tuple[int, str]:
    for index, (lo, hi) in enumerate(AGE_BANDS):
        if value is not None and lo <= value <= hi:
            ages = f"{lo}+" if hi == 99 else f"{lo}–{hi}"
            return (index, _("age %(ages)s") % {"ages": ages})
    return (99, _("no age given"))


DIMENSIONS = (
    Dimension(
        "turnover",
        gettext_lazy("Turnover by classification"),
        gettext_lazy("Section"),
        "section",
        _section,
        53,
    ),
    Dimension(
        "balance-language",
        gettext_lazy("Collection balance by language"),
        gettext_lazy("Language"),
        "language",
        _language,
        54,
    ),
    Dimension(
        "balance-reading-level",
        gettext_lazy("Collection balance by reading level"),
        gettext_lazy("Reading level"),
        "reading_level",
        _lix,
        55,
    ),
    Dimension(
        "balance-age",
        gettext_lazy("Collection balance by age band"),
        gettext_lazy("For ages"),
        "age_min",
        _age,
        56,
    ),
)


def _class_sets(filters: Filters) -> Table:
    """Class-set loans in the dates, per class: copies lent, titles, sets (a title lent to a
    class on one day). One grouped query, folded per class here; names in one more."""
    loans = apply_record_filters(
        Loan.objects.filter(
            school_id__in=filters.school_ids,
            group__isnull=False,
            loan_date__gte=filters.starts,
            loan_date__lte=filters.ends,
        ),
        filters,
        "item__record__",
    )
    per: dict[int, dict[str, Any]] = {}
    for r in (
        loans.values("group_id", "item__record_id", "loan_date").annotate(n=counted()).order_by()
    ):
        into = per.setdefault(r["group_id"], {"sets": 0, "titles": set(), "copies": 0})
        into["sets"] += 1
        into["titles"].add(r["item__record_id"])
        into["copies"] += r["n"]
    groups = Group.objects.select_related("school").in_bulk(list(per))
    several = len(filters.schools) > 1
    rows = [
        Row(
            {
                "label": f"{group.school.name} {group.name}" if several else group.name,
                "sets": per[pk]["sets"],
                "titles": len(per[pk]["titles"]),
                "copies": per[pk]["copies"],
            }
        )
        for pk, group in sorted(groups.items(), key=lambda kv: (kv[1].school.name, kv[1].name))
    ]
    return Table(
        columns=[
            Column("label", gettext_lazy("Class"), measure=False),
            Column("sets", gettext_lazy("Class sets"), chart=True),
            Column("titles", gettext_lazy("Titles")),
            Column("copies", gettext_lazy("Copies lent"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Class-set use, per class"),
        note=gettext_lazy("A class set is one title lent to a class on one day."),
    )


def _by_category(filters: Filters) -> Table:
    """Who borrowed: the borrower's patron category at the loan's school; a loan whose borrower
    is forgotten keeps the rules' category (a student's: only students' loans are forgotten).
    Grouped by borrower in SQL and by category here (a per-row subquery in GROUP BY was 4× the
    bare SQL)."""
    loans = apply_record_filters(
        Loan.objects.filter(
            school_id__in=filters.school_ids,
            loan_date__gte=filters.starts,
            loan_date__lte=filters.ends,
        ),
        filters,
        "item__record__",
    )
    grouped = list(
        loans.values("patron_id", "school_id", "patron_category").annotate(n=counted()).order_by()
    )
    # Every patron of the schools (a few hundred a school), not those of the loans by id: a
    # list of thousands of ids made the statement 3× the bare SQL on PostgreSQL.
    known = {
        (user, school): category
        for user, school, category in Patron.objects.filter(
            school_id__in=filters.school_ids
        ).values_list("user_id", "school_id", "category")
    }
    loans_of: dict[str, int] = {}
    borrowers: dict[str, set[int]] = {}
    forgotten: dict[str, int] = {}  # each anonymised loan is a person of its own
    for r in grouped:
        category = known.get((r["patron_id"], r["school_id"]), r["patron_category"])
        loans_of[category] = loans_of.get(category, 0) + r["n"]
        borrowers.setdefault(category, set())
        if r["patron_id"] is None:
            forgotten[category] = forgotten.get(category, 0) + r["n"]
        else:
            borrowers[category].add(r["patron_id"])
    rows = []
    for c in sorted(loans_of):
        people = len(borrowers[c]) + forgotten.get(c, 0)
        rows.append(
            Row(
                {"label": _category_label(c), "loans": loans_of[c], "borrowers": people},
                people=people,
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Patron category"), measure=False),
            Column("loans", gettext_lazy("Loans"), chart=True),
            Column("borrowers", gettext_lazy("Borrowers"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Loans by patron category"),
        note=gettext_lazy(
            "Every borrower's loans. A loan whose borrower has been forgotten (privacy) counts "
            "as one borrower. Rows about fewer than 5 people are withheld."
        ),
    )


def _category_label(value: Any) -> str:
    return str(PatronCategory(value).label) if value in PatronCategory.values else str(value)


def _runner(dim: Dimension) -> Callable[[Filters], Table]:
    def run(filters: Filters) -> Table:
        return _balance(filters, dim)

    return run


def register_all() -> None:
    register(
        *[
            Report(
                dim.key,
                dim.title,
                filled_lazily(
                    gettext_noop("Copies, share, copies per student, loans and turnover, %(by)s."),
                    by=dim.heading,
                ),
                SECTION,
                _runner(dim),
                filters=USE_FILTERS,
                about_people=False,
                order=dim.order,
            )
            for dim in DIMENSIONS
        ],
        Report(
            "class-set-use",
            gettext_lazy("Class-set use"),
            gettext_lazy("Class sets, titles and copies lent to each class."),
            gettext_lazy("Circulation"),
            _class_sets,
            filters=RECORD_FILTERS,
            about_people=False,
            order=35,
        ),
        Report(
            "loans-by-patron-category",
            gettext_lazy("Loans by patron category"),
            gettext_lazy("Loans and distinct borrowers of students, teachers, staff, others."),
            gettext_lazy("Circulation"),
            _by_category,
            filters=RECORD_FILTERS,
            order=19,
        ),
    )
