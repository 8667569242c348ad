"""Reads worth a name: devices in scope, a class's devices, the year-end count, the
replacement plan and what repairs cost."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet, Sum

from reol.catalog.models import CirculationType
from reol.circulation.models import Loan
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, scope
from reol.patrons.models import Group, GroupMember, Patron

from .models import (
    OPEN_WORK_ORDER_STATES,
    ChargeSettlement,
    Device,
    DeviceModel,
    DeviceState,
    Handover,
    LoanCharge,
    WorkOrder,
)


def devices(actor: Actor | AnonymousUser, perm: Perm = Perm.CIRCULATION_DESK) -> QuerySet[Device]:
    return scope(Device.objects.all(), actor, perm).select_related("item__record", "school")


def work_orders(actor: Actor | AnonymousUser) -> QuerySet[WorkOrder]:
    return scope(WorkOrder.objects.all(), actor, Perm.TECHNOLOGY).select_related(
        "device__item__record", "reporter", "assignee", "school"
    )


def reported_by(user: User) -> QuerySet[WorkOrder]:
    """What a person reported (they see its state), any school."""
    return WorkOrder.objects.filter(reporter=user).select_related("device__item", "school")


def device_loans(school: School) -> QuerySet[Loan]:
    """The open loans of devices at a school."""
    return (
        Loan.objects.open()
        .filter(school=school, item__circulation_type=CirculationType.DEVICE)
        .select_related("item__record", "patron", "group")
    )


@dataclass
class Seat:
    """A member of a class and the device they have (or None)."""

    patron: Patron
    loan: Loan | None


def class_seats(group: Group) -> list[Seat]:
    """The class's students in name order, each with the device on loan to them."""
    members = (
        GroupMember.objects.filter(group=group, role=GroupMember.Role.STUDENT)
        .select_related("patron__user")
        .order_by("patron__user__last_name", "patron__user__first_name", "patron__user__id")
    )
    loans = {
        loan.patron_id: loan
        for loan in device_loans(group.school).filter(
            patron__in=[m.patron.user_id for m in members]
        )
    }
    return [Seat(m.patron, loans.get(m.patron.user_id)) for m in members]


def next_without_device(seats: list[Seat]) -> Seat | None:
    return next((s for s in seats if s.loan is None and s.patron.active), None)


@dataclass
class YearEndCount:
    group: Group
    missing: list[Loan]
    short: list[Any]  # handovers returned without an accessory
    leavers: list[Loan] = field(default_factory=list)


def year_end_count(group: Group) -> YearEndCount:
    """The class's devices still out (lent for the class, or to a member of it), with their
    borrowers; the devices returned without an accessory; and, for the school, the devices
    still out with students who have left."""
    member_ids = GroupMember.objects.filter(group=group).values("patron__user_id")
    missing = list(
        device_loans(group.school)
        .filter(Q(group=group) | Q(patron__in=member_ids))
        .order_by("patron__last_name", "patron__first_name", "item__barcode")
    )
    short = list(
        Handover.objects.filter(returned=True, loan__group=group)
        .exclude(accessories_missing=[])
        .select_related("device__item", "loan")
    )
    return YearEndCount(
        group=group, missing=missing, short=short, leavers=leavers_with_devices(group.school)
    )


def leavers_with_devices(school: School) -> list[Loan]:
    """Devices still out with students who have left the school (rollover, or by hand)."""
    gone = Patron.objects.filter(school=school).filter(Q(active=False) | Q(left_on__isnull=False))
    return list(
        device_loans(school)
        .filter(patron__in=gone.values("user_id"))
        .order_by("patron__last_name", "patron__first_name", "item__barcode")
    )


# --- The replacement plan --------------------------------------------------------------------


@dataclass
class ModelLine:
    record_id: int
    title: str
    life: int
    price: Decimal | None
    states: dict[str, int] = field(default_factory=dict)
    ages: dict[int, int] = field(default_factory=dict)  # years old → devices
    due: dict[int, int] = field(default_factory=dict)  # year → devices to replace
    cost: dict[int, Decimal] = field(default_factory=dict)  # year → replacement cost
    repairs: Decimal = Decimal("0")


@dataclass
class Plan:
    years: list[int]
    models: list[ModelLine]
    totals: dict[int, Decimal]


def replacement_plan(schools: QuerySet[School], today: dt.date, years: int = 5) -> Plan:
    """Devices in service or repair by model, age and state; per year ahead, how many reach
    their model's expected life and what replacing them costs (the model's replacement price,
    else what each device cost); repair costs per model from the work orders."""
    horizon = [today.year + n for n in range(years)]
    rows = Device.objects.filter(school__in=schools).select_related("item__record")
    lives = {
        d.record_id: d
        for d in DeviceModel.objects.filter(record__items__device__school__in=schools).distinct()
    }
    lines: dict[int, ModelLine] = {}
    for device in rows:
        record = device.item.record
        model = lives.get(record.pk)
        line = lines.setdefault(
            record.pk,
            ModelLine(
                record.pk,
                record.title,
                model.expected_life_years if model else 4,
                model.replacement_price if model else None,
            ),
        )
        line.states[device.state] = line.states.get(device.state, 0) + 1
        if device.state in (DeviceState.LOST, DeviceState.RETIRED):
            continue
        bought = device.purchase_date or device.item.acquired_on or today
        age = max(0, (today - bought).days // 365)
        line.ages[age] = line.ages.get(age, 0) + 1
        year = max(today.year, bought.year + line.life)
        if year in horizon:
            line.due[year] = line.due.get(year, 0) + 1
            price = line.price if line.price is not None else (device.price or Decimal("0"))
            line.cost[year] = line.cost.get(year, Decimal("0")) + price
    for record_id, total in repair_costs(schools).items():
        if record_id in lines:
            lines[record_id].repairs = total
    totals: dict[int, Decimal] = defaultdict(lambda: Decimal("0"))
    for line in lines.values():
        for year, cost in line.cost.items():
            totals[year] += cost
    ordered = sorted(lines.values(), key=lambda m: m.title.casefold())
    return Plan(years=horizon, models=ordered, totals={y: totals[y] for y in horizon})


def repair_costs(schools: QuerySet[School]) -> dict[int, Decimal]:
    """Record (model) → what its devices' repairs cost, all years."""
    rows = (
        WorkOrder.objects.filter(school__in=schools, device__isnull=False)
        .values("device__item__record_id")
        .annotate(total=Sum("costs__amount"))
    )
    # To the cent: SQLite sums decimals as floats.
    cent = Decimal("0.01")
    return {r["device__item__record_id"]: Decimal(r["total"] or 0).quantize(cent) for r in rows}


def open_orders_of(device: Device) -> QuerySet[WorkOrder]:
    return device.work_orders.filter(state__in=OPEN_WORK_ORDER_STATES)


def lost_devices(schools: QuerySet[School]) -> QuerySet[Device]:
    return (
        Device.objects.filter(school__in=schools, state=DeviceState.LOST)
        .select_related("item__record", "last_borrower", "school")
        .order_by("-lost_on", "item__barcode")
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def charges_export(user: User, schools: QuerySet[School]) -> list[dict[str, Any]]:
    """The person's damage and replacement charges at ``schools``, for their data export."""
    charges = LoanCharge.objects.filter(patron=user, school__in=schools).select_related(
        "school", "device__item"
    )
    return [
        {
            "school": c.school.name,
            "device": c.device.item.barcode,
            "kind": c.kind,
            "note": c.note,
            "amount": _money(c.amount),
            "paid": _money(c.paid),
            "waived": _money(c.waived),
            "outstanding": _money(c.outstanding),
            "created": c.created_at.isoformat(),
        }
        for c in charges.order_by("created_at", "pk")
    ]


def settlements_export(user: User, schools: QuerySet[School]) -> list[dict[str, Any]]:
    """What the person paid, and what was waived for them, at ``schools``."""
    entries = ChargeSettlement.objects.filter(
        charge__patron=user, charge__school__in=schools
    ).select_related("charge__device__item")
    return [
        {
            "device": e.charge.device.item.barcode,
            "kind": e.kind,
            "amount": _money(e.amount),
            "method": e.method,
            "reference": e.reference,
            "why": e.reason,
            "at": e.created_at.isoformat(),
        }
        for e in entries.order_by("created_at", "pk")
    ]
