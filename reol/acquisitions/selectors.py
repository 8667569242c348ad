"""Reads of acquisitions worth a name. The expenditure report is a plain selector (rows of
dicts) so the reports framework can adopt it as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from reol.catalog.selectors import new_copies
from reol.core import calendar
from reol.core.models import School
from reol.core.permissions import Actor, Perm, scope

from .models import (
    Fund,
    InvoiceLine,
    Order,
    OrderLine,
    SelectionEntry,
    SelectionList,
    SelectionPolicy,
    Suggestion,
    Vendor,
)


def funds(actor: Actor, school: School, school_year: str | None = None) -> QuerySet[Fund]:
    rows = scope(Fund.objects.filter(school=school), actor, Perm.ACQUISITIONS)
    return rows.filter(school_year=school_year) if school_year else rows


def vendors(actor: Actor, school: School) -> QuerySet[Vendor]:
    return scope(Vendor.objects.filter(school=school), actor, Perm.ACQUISITIONS)


def orders(actor: Actor, school: School) -> QuerySet[Order]:
    return scope(Order.objects.filter(school=school), actor, Perm.ACQUISITIONS).select_related(
        "vendor"
    )


def order_lines(order: Order) -> QuerySet[OrderLine]:
    return order.lines.select_related("fund", "record", "location").prefetch_related("suggestions")


def late_lines(actor: Actor, school: School, today: dt.date) -> list[OrderLine]:
    """Sent lines with copies still to come after the vendor's claim period."""
    lines = (
        scope(
            OrderLine.objects.filter(order__school=school),
            actor,
            Perm.ACQUISITIONS,
            "order__school",
        )
        .filter(order__state="sent")
        .select_related("order__vendor", "fund")
    )
    return [
        line
        for line in lines
        if line.outstanding > 0
        and line.order.sent_at is not None
        and (today - line.order.sent_at.date()).days >= line.order.vendor.claim_after_days
    ]


def suggestions_of(actor: Actor, school: School) -> QuerySet[Suggestion]:
    return scope(Suggestion.objects.filter(school=school), actor, Perm.ACQUISITIONS).select_related(
        "suggester", "order_line"
    )


CENT = Decimal("0.01")  # sums of products come back with SQLite's extra digits
_AMOUNT = ExpressionWrapper(
    F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)
)
REPORT_GROUPS = {
    "fund": ("order_line__fund__name", "order_line__fund__currency"),
    "vendor": ("invoice__vendor__name", "order_line__fund__currency"),
    "material": ("order_line__record__material_type", "order_line__fund__currency"),
    "school": ("invoice__school__name", "order_line__fund__currency"),
}


def expenditure(
    actor: Actor,
    *,
    by: str = "fund",
    school: School | None = None,
    school_year: str | None = None,
) -> list[dict[str, Any]]:
    """Money invoiced, per fund, vendor, material type or school (one row per group and
    currency): the schools where ``actor`` may see reports (a consultant: the municipality's)."""
    rows = scope(InvoiceLine.objects.all(), actor, Perm.REPORTS_VIEW, "invoice__school")
    if school is not None:
        rows = rows.filter(invoice__school=school)
    if school_year:
        rows = rows.filter(order_line__fund__school_year=school_year)
    name, currency = REPORT_GROUPS[by]
    grouped = (
        rows.values(name, currency)
        .annotate(amount=Sum(_AMOUNT), copies=Sum("quantity"))
        .order_by(name, currency)
    )
    return [
        {
            "group": r[name] or "—",
            "currency": r[currency],
            "amount": Decimal(r["amount"] or 0).quantize(CENT),
            "copies": r["copies"],
        }
        for r in grouped
    ]


def arrivals(
    school: School, since: dt.date, *, subject: str = "", grade: int | None = None
) -> list[dict[str, Any]]:
    """Titles whose copies came to ``school`` since a day, newest first, optionally only those
    with a subject (case-insensitive, part of a word) and for a grade (its age range).

    Every copy that came counts, however it came (received on an order, catalogued, imported):
    the same copies as the catalogue's new arrivals (``catalog.selectors.new_copies``)."""
    seen: dict[int, dict[str, Any]] = {}
    for copy in new_copies(school, since).select_related("record"):
        record = copy.record
        if record.pk in seen:
            seen[record.pk]["copies"] += 1
            continue
        if subject and not any(subject.lower() in str(s).lower() for s in _subjects(record)):
            continue
        if grade is not None and not _fits_grade(record, grade):
            continue
        seen[record.pk] = {"record": record, "arrived": copy.created_at, "copies": 1}
    return list(seen.values())


def _subjects(record: Any) -> list[str]:
    return [s.get("term", "") if isinstance(s, dict) else str(s) for s in record.subjects or []]


def _fits_grade(record: Any, grade: int) -> bool:
    age = calendar.typical_age(grade)
    low, high = record.age_min, record.age_max
    if low is None and high is None:
        return True
    return (low is None or low <= age) and (high is None or age <= high)


def selection_lists(actor: Actor, school: School) -> QuerySet[SelectionList]:
    """The school's selection lists, for its teachers and library staff."""
    return scope(SelectionList.objects.filter(school=school), actor, Perm.PLANNING)


def entries_with_votes(selection: SelectionList, voter: Actor) -> list[SelectionEntry]:
    """The list's titles with ``votes_for``, ``votes_against``, ``my_vote`` and the comments."""
    rows: list[SelectionEntry] = list(
        selection.entries.annotate(
            votes_for=Count("votes", filter=Q(votes__value=1)),
            votes_against=Count("votes", filter=Q(votes__value=-1)),
        ).prefetch_related("votes__voter")
    )
    for entry in rows:
        mine = [v for v in entry.votes.all() if v.voter_id == getattr(voter, "pk", None)]
        entry.my_vote = mine[0].value if mine else 0  # type: ignore[attr-defined]
    return rows


def policy_of(school: School) -> SelectionPolicy | None:
    return SelectionPolicy.objects.filter(school=school).first()
