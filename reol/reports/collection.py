"""Collection reports: size and growth, age against the weeding guidance, dead stock, and the
weeding list a librarian acts on. About copies, not people: nothing here is withheld."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy

from reol.catalog.models import Item, ItemStatus
from reol.circulation.models import Loan
from reol.core.models import School
from reol.patrons.models import Patron, PatronCategory

from .framework import Column, Filters, Report, Row, Table, register
from .loans import apply_record_filters, section_expression
from .weeding import FALLBACK, Guidance, guidance, rule_for

SECTION = gettext_lazy("Collection")
GONE = (ItemStatus.WITHDRAWN, ItemStatus.LOST)
COPY_FILTERS = ("school", "material_type", "fiction", "class_from", "class_to", "language")
GROWTH_FILTERS = ("school", "school_year", "date_from", "date_to", *COPY_FILTERS[1:])


def copies(filters: Filters) -> QuerySet[Any]:
    """The schools' copies that are still held (not withdrawn or lost), with their section."""
    items = Item.objects.filter(school_id__in=filters.school_ids).exclude(status__in=GONE)
    items = apply_record_filters(items, filters, "record__")
    return items.annotate(section=section_expression("record__"))


def _last_loan() -> Subquery:
    return Subquery(
        Loan.objects.filter(item=OuterRef("pk")).order_by("-loan_date").values("loan_date")[:1],
        output_field=DateField(),
    )


def _rules(filters: Filters) -> list[Guidance]:
    return guidance(filters.schools[0]) if len(filters.schools) == 1 else guidance_default()


def guidance_default() -> list[Guidance]:
    return guidance(School(pk=0))


def _share(part: int, whole: int) -> Decimal | str:
    if not whole:
        return ""
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _size(filters: Filters) -> Table:
    # Added in the period: acquired then, or (no acquisition date) created then. Compared as
    # stored, so SQLite needs no per-row date function.
    first = timezone.make_aware(dt.datetime.combine(filters.starts, dt.time.min))
    last = timezone.make_aware(dt.datetime.combine(filters.ends, dt.time.max))
    added = Q(acquired_on__gte=filters.starts, acquired_on__lte=filters.ends) | Q(
        acquired_on__isnull=True, created_at__gte=first, created_at__lte=last
    )
    rows = []
    total = added_total = 0
    for r in (
        copies(filters)
        .values("section")
        .annotate(
            n=Count("pk"), titles=Count("record", distinct=True), added=Count("pk", filter=added)
        )
        .order_by("section")
    ):
        total += r["n"]
        added_total += r["added"]
        rows.append(
            Row(
                {
                    "label": r["section"],
                    "copies": r["n"],
                    "titles": r["titles"],
                    "added": r["added"],
                }
            )
        )
    students = Patron.objects.filter(
        school_id__in=filters.school_ids, category=PatronCategory.STUDENT, active=True
    ).count()
    per = (Decimal(total) / students).quantize(Decimal("0.1")) if students else ""
    rows.append(
        Row(
            {
                "label": gettext_lazy("All sections"),
                "copies": total,
                "titles": "",
                "added": added_total,
                "per_student": per,
            }
        )
    )
    return Table(
        columns=[
            Column("label", gettext_lazy("Section"), measure=False),
            Column("copies", gettext_lazy("Copies"), chart=True),
            Column("titles", gettext_lazy("Titles")),
            Column("added", gettext_lazy("Added in the period"), chart=True),
            Column("per_student", gettext_lazy("Copies per student")),
        ],
        rows=rows,
        caption=gettext_lazy("Collection size and growth"),
    )


def age_table(filters: Filters) -> Table:
    """Per section: copies, average age, and how many are older than the section's weeding age."""
    this_year = timezone.localdate().year
    rules = _rules(filters)
    by_section: dict[str, list[tuple[int | None, int]]] = defaultdict(list)
    for r in copies(filters).values("section", "record__year").annotate(n=Count("pk")).order_by():
        by_section[r["section"]].append((r["record__year"], r["n"]))
    rows = []
    for section in sorted(by_section):
        rule = rule_for(section, rules)
        years = by_section[section]
        n = sum(c for _y, c in years)
        dated = [(this_year - y, c) for y, c in years if y]
        weight = sum(c for _a, c in dated)
        average = (
            Decimal(sum(a * c for a, c in dated) / weight).quantize(Decimal("0.1"))
            if weight
            else ""
        )
        old = sum(c for a, c in dated if a > rule.max_age_years)
        rows.append(
            Row(
                {
                    "label": section,
                    "guidance": rule.label,
                    "copies": n,
                    "average_age": average,
                    "max_age": rule.max_age_years,
                    "too_old": old,
                    "too_old_share": _share(old, n),
                }
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Section"), measure=False),
            Column("guidance", gettext_lazy("Weeding guidance"), measure=False),
            Column("copies", gettext_lazy("Copies")),
            Column("average_age", gettext_lazy("Average age (years)"), chart=True),
            Column("max_age", gettext_lazy("Weed when older than")),
            Column("too_old", gettext_lazy("Older than that")),
            Column("too_old_share", gettext_lazy("Older than that, %"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Collection age by section, against the weeding guidance"),
        note=gettext_lazy("Age is counted from the year of publication (CREW's first number)."),
    )


def _lent_since(day: dt.date | None) -> Exists:
    loans = Loan.objects.filter(item=OuterRef("pk"))
    return Exists(loans.filter(loan_date__gte=day) if day else loans)


def _dead(filters: Filters) -> Table:
    """Per section: copies with no loan in the section's "unused" years (CREW's second number),
    counted in SQL once per distinct number of years the guidance uses (usually one)."""
    today = timezone.localdate()
    rules = _rules(filters)
    spans = sorted({r.unused_years for r in rules} | {FALLBACK.unused_years})
    dead_after = {
        years: Count("pk", filter=~_lent_since(today - dt.timedelta(days=round(365.25 * years))))
        for years in spans
    }
    counted = (
        copies(filters)
        .values("section")
        .annotate(
            n=Count("pk"),
            never=Count("pk", filter=~_lent_since(None)),
            **{f"dead{years}": count for years, count in dead_after.items()},
        )
        .order_by("section")
    )
    rows = []
    for r in counted:
        rule = rule_for(r["section"], rules)
        dead = r[f"dead{rule.unused_years}"]
        rows.append(
            Row(
                {
                    "label": r["section"],
                    "copies": r["n"],
                    "years": rule.unused_years,
                    "dead": dead,
                    "never": r["never"],
                    "dead_share": _share(dead, r["n"]),
                }
            )
        )
    return Table(
        columns=[
            Column("label", gettext_lazy("Section"), measure=False),
            Column("copies", gettext_lazy("Copies")),
            Column("years", gettext_lazy("Unused for (years)")),
            Column("dead", gettext_lazy("No loan in that time"), chart=True),
            Column("never", gettext_lazy("Never lent")),
            Column("dead_share", gettext_lazy("No loan, %")),
        ],
        rows=rows,
        caption=gettext_lazy("Dead stock: copies not lent for years"),
    )


@dataclass(frozen=True)
class Candidate:
    item: Item
    section: str
    age: int | None
    last_loan: Any
    rule: Guidance


def weeding_candidates(school: School, limit: int = 300) -> list[Candidate]:
    """Copies older than their section's weeding age *and* unused for its years (CREW's
    "age / unused", both), the oldest first: what the librarian then judges by MUSTIE."""
    today = timezone.localdate()
    rules = guidance(school)
    youngest = min(r.max_age_years for r in rules)
    items: QuerySet[Any] = (
        Item.objects.filter(school=school, record__year__lt=today.year - youngest)
        .exclude(status__in=GONE)
        .exclude(status=ItemStatus.ON_LOAN)
        .annotate(section=section_expression("record__"), last=_last_loan())
        .select_related("record")
        .order_by("record__year", "record__sort_title", "id")
    )
    found = []
    for item in items.iterator(chunk_size=500):
        rule = rule_for(item.section, rules)
        age = today.year - item.record.year if item.record.year else None
        last = item.last
        if age is None or age <= rule.max_age_years:
            continue
        if last is not None and last.year >= today.year - rule.unused_years:
            continue
        found.append(Candidate(item, item.section, age, last, rule))
        if len(found) >= limit:
            break
    return found


def register_all() -> None:
    register(
        Report(
            "collection-size",
            gettext_lazy("Collection size and growth"),
            gettext_lazy("Copies and titles per section, added in the period, copies per student."),
            SECTION,
            _size,
            filters=GROWTH_FILTERS,
            about_people=False,
            order=50,
        ),
        Report(
            "collection-age",
            gettext_lazy("Collection age against the weeding guidance"),
            gettext_lazy("Average age per section and how much is older than CREW's age."),
            SECTION,
            age_table,
            filters=COPY_FILTERS,
            about_people=False,
            order=51,
        ),
        Report(
            "dead-stock",
            gettext_lazy("Dead stock"),
            gettext_lazy("Copies with no loan in the section's years."),
            SECTION,
            _dead,
            filters=COPY_FILTERS,
            about_people=False,
            order=52,
        ),
    )
