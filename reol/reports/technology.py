"""The technology app's reports: devices per state and model, repairs per model and what
they cost, devices out per class, and licences to renew. They read the technology app's
tables (reports sits above it on the ladder); money stays Decimal, summed in Python to the cent
(SQLite sums decimals as floats)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy

from reol.circulation.models import Loan
from reol.technology.licences import renewals_ahead
from reol.technology.models import Device, DeviceState, Licence, WorkOrder, WorkOrderCost

from .framework import Column, Filters, Report, Row, Table, register

SECTION = gettext_lazy("Technology")
CENT = Decimal("0.01")
RENEWAL_DAYS = 365


def _devices_by_state(filters: Filters) -> Table:
    counted = (
        Device.objects.filter(school__in=filters.school_ids)
        .values("item__record__title", "state")
        .annotate(n=Count("pk"))
        .order_by("item__record__title", "state")
    )
    per_model: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DeviceState.values, 0))
    for r in counted:
        per_model[r["item__record__title"]][r["state"]] = r["n"]
    rows = [
        Row({"label": model, **states, "total": sum(states.values())})
        for model, states in sorted(per_model.items(), key=lambda kv: kv[0].casefold())
    ]
    return Table(
        columns=[
            Column("label", gettext_lazy("Model"), measure=False),
            *(Column(value, label, chart=True) for value, label in DeviceState.choices),
            Column("total", gettext_lazy("Total")),
        ],
        rows=rows,
        caption=gettext_lazy("Devices per model and state"),
    )


def _repairs_by_model(filters: Filters) -> Table:
    orders = WorkOrder.objects.filter(
        school__in=filters.school_ids,
        device__isnull=False,
        created_at__date__gte=filters.starts,
        created_at__date__lte=filters.ends,
    )
    counts = {
        r["device__item__record__title"]: r["n"]
        for r in orders.values("device__item__record__title").annotate(n=Count("pk"))
    }
    costs: dict[str, Decimal] = defaultdict(Decimal)
    for title, amount in WorkOrderCost.objects.filter(work_order__in=orders).values_list(
        "work_order__device__item__record__title", "amount"
    ):
        costs[title] += amount
    rows = [
        Row(
            {
                "label": title,
                "orders": n,
                "cost": costs[title].quantize(CENT),
                "per_order": (costs[title] / n).quantize(CENT),
            }
        )
        for title, n in sorted(counts.items(), key=lambda kv: kv[0].casefold())
    ]
    return Table(
        columns=[
            Column("label", gettext_lazy("Model"), measure=False),
            Column("orders", gettext_lazy("Work orders"), chart=True),
            Column("cost", gettext_lazy("Repair cost")),
            Column("per_order", gettext_lazy("Cost per work order")),
        ],
        rows=rows,
        caption=gettext_lazy("Repairs per model and what they cost"),
    )


def _devices_out_by_class(filters: Filters) -> Table:
    counted = (
        Loan.objects.open()
        .filter(item__device__school__in=filters.school_ids)
        .values("group__name", "group__school_year")
        .annotate(n=Count("pk"), people=Count("patron", distinct=True))
        .order_by("group__name", "group__school_year")
    )
    rows = [
        Row(
            {
                "label": (
                    f"{r['group__name']} ({r['group__school_year']})"
                    if r["group__name"]
                    else str(gettext_lazy("no class"))
                ),
                "devices": r["n"],
            },
            people=r["people"],
        )
        for r in counted
    ]
    return Table(
        columns=[
            Column("label", gettext_lazy("Class"), measure=False),
            Column("devices", gettext_lazy("Devices out"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Devices out per class"),
    )


def _licence_renewals(filters: Filters, today: dt.date | None = None) -> Table:
    today = today or timezone.localdate()
    ahead = renewals_ahead(
        Licence.objects.filter(school__in=filters.school_ids), today, RENEWAL_DAYS
    ).select_related("school")
    rows = [
        Row(
            {
                "label": licence.name,
                "school": licence.school.name,
                "vendor": licence.vendor,
                "ends": licence.ends.isoformat(),
                "days": (licence.ends - today).days,
                "cost": licence.cost,
            }
        )
        for licence in ahead.order_by("ends", "name", "pk")
    ]
    return Table(
        columns=[
            Column("label", gettext_lazy("Licence"), measure=False),
            Column("school", gettext_lazy("School"), measure=False),
            Column("vendor", gettext_lazy("Vendor"), measure=False),
            Column("ends", gettext_lazy("Ends"), measure=False),
            Column("days", gettext_lazy("Days left"), chart=True),
            Column("cost", gettext_lazy("Cost per period")),
        ],
        rows=rows,
        caption=gettext_lazy("Licences to renew within a year"),
    )


def register_all() -> None:
    register(
        Report(
            "devices-by-state",
            gettext_lazy("Devices per state and model"),
            gettext_lazy(
                "How many devices of each model are in service, in repair, lost or retired."
            ),
            SECTION,
            _devices_by_state,
            filters=("school",),
            about_people=False,
            order=80,
        ),
        Report(
            "repairs-by-model",
            gettext_lazy("Repairs per model and cost"),
            gettext_lazy("Work orders per device model in the period and what the repairs cost."),
            SECTION,
            _repairs_by_model,
            filters=("school", "school_year", "date_from", "date_to"),
            about_people=False,
            order=81,
        ),
        Report(
            "devices-out-by-class",
            gettext_lazy("Devices out per class"),
            gettext_lazy("Devices lent now, per class (classes of fewer than five withheld)."),
            SECTION,
            _devices_out_by_class,
            filters=("school",),
            about_people=True,
            order=82,
        ),
        Report(
            "licence-renewals",
            gettext_lazy("Licence renewals ahead"),
            gettext_lazy("Licences that end within a year: renew or let go."),
            SECTION,
            _licence_renewals,
            filters=("school",),
            about_people=False,
            order=83,
        ),
    )
