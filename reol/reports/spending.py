"""Weeding beside spending (the acquisitions issue's "weeding to budget"): per classification
section, the collection's size and age, what was withdrawn, what arrived and what was spent in
the dates, so a librarian sees where to buy.

Withdrawn in the dates: a withdrawn copy whose last change falls in them (withdrawing is the
last thing that happens to a copy). Arrived: copies received on an order (acquisitions'
``Receipt``). Spent: invoice lines dated in the dates, by the ordered title's section; a line
without a catalogue record counts under "–". About copies and money, not people.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from reol.acquisitions.models import InvoiceLine, Receipt
from reol.catalog.models import Item, ItemStatus

from .collection import GROWTH_FILTERS, age_table
from .framework import Column, Filters, Report, Row, Table, register
from .loans import apply_record_filters, section_expression

CENT = Decimal("0.01")
AMOUNT = ExpressionWrapper(
    F("quantity") * F("unit_price"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


def _bounds(filters: Filters) -> tuple[dt.datetime, dt.datetime]:
    return (
        timezone.make_aware(dt.datetime.combine(filters.starts, dt.time.min)),
        timezone.make_aware(dt.datetime.combine(filters.ends, dt.time.max)),
    )


def _withdrawn(filters: Filters) -> dict[str, int]:
    first, last = _bounds(filters)
    items = apply_record_filters(
        Item.objects.filter(
            school_id__in=filters.school_ids,
            status=ItemStatus.WITHDRAWN,
            updated_at__gte=first,
            updated_at__lte=last,
        ),
        filters,
        "record__",
    ).annotate(section=section_expression("record__"))
    return dict(items.values("section").annotate(n=Count("pk")).values_list("section", "n"))


def _arrived(filters: Filters) -> dict[str, int]:
    first, last = _bounds(filters)
    receipts = apply_record_filters(
        Receipt.objects.filter(
            item__school_id__in=filters.school_ids, received_at__gte=first, received_at__lte=last
        ),
        filters,
        "item__record__",
    ).annotate(section=section_expression("item__record__"))
    return dict(receipts.values("section").annotate(n=Count("pk")).values_list("section", "n"))


def _spent(filters: Filters) -> dict[str, dict[str, Decimal]]:
    lines = InvoiceLine.objects.filter(
        invoice__school_id__in=filters.school_ids,
        invoice__invoice_date__gte=filters.starts,
        invoice__invoice_date__lte=filters.ends,
    )
    lines = apply_record_filters(lines, filters, "order_line__record__")
    spent: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for r in (
        lines.annotate(section=section_expression("order_line__record__"))
        .values("section", "order_line__fund__currency")
        .annotate(total=Sum(AMOUNT))
        .order_by()
    ):
        section = r["section"] or "–"
        currency = r["order_line__fund__currency"]
        spent[section][currency] = Decimal(r["total"] or 0).quantize(CENT)
    return spent


def _money(amounts: dict[str, Decimal], currencies: set[str]) -> Decimal | str:
    if not amounts:
        return Decimal(0).quantize(CENT) if len(currencies) <= 1 else ""
    if len(currencies) == 1:
        return next(iter(amounts.values()))
    return " + ".join(f"{v} {c}" for c, v in sorted(amounts.items()))


def _weeding_and_spending(filters: Filters) -> Table:
    ages = {str(r.values["label"]): r.values for r in age_table(filters).rows}
    withdrawn, arrived, spent = _withdrawn(filters), _arrived(filters), _spent(filters)
    currencies = {c for amounts in spent.values() for c in amounts}
    sections = sorted(set(ages) | set(withdrawn) | set(arrived) | set(spent))
    rows = []
    for section in sections:
        age: dict[str, Any] = ages.get(section, {})
        rows.append(
            Row(
                {
                    "label": section,
                    "copies": age.get("copies", 0),
                    "average_age": age.get("average_age", ""),
                    "too_old_share": age.get("too_old_share", ""),
                    "withdrawn": withdrawn.get(section, 0),
                    "arrived": arrived.get(section, 0),
                    "spent": _money(spent.get(section, {}), currencies),
                }
            )
        )
    currency = f" ({next(iter(currencies))})" if len(currencies) == 1 else ""
    return Table(
        columns=[
            Column("label", gettext_lazy("Section"), measure=False),
            Column("copies", gettext_lazy("Copies")),
            Column("average_age", gettext_lazy("Average age (years)")),
            Column("too_old_share", gettext_lazy("Older than the weeding guidance, %")),
            Column("withdrawn", gettext_lazy("Withdrawn"), chart=True),
            Column("arrived", gettext_lazy("Arrived on orders"), chart=True),
            Column("spent", f"{gettext_lazy('Spent')}{currency}"),
        ],
        rows=rows,
        caption=gettext_lazy("Weeding beside spending, by section"),
        note=gettext_lazy(
            "Withdrawn: copies withdrawn in the dates. Arrived: copies received on orders. "
            "Spent: invoice lines dated in the dates, by the title's section. A section old "
            "and weeded hard but bought little is where to buy."
        ),
    )


def register_all() -> None:
    register(
        Report(
            "weeding-and-spending",
            gettext_lazy("Weeding beside spending"),
            gettext_lazy("Per section: age, copies withdrawn, copies arrived and money spent."),
            gettext_lazy("Collection"),
            _weeding_and_spending,
            filters=GROWTH_FILTERS,
            about_people=False,
            order=57,
        ),
    )
