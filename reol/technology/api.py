"""REST endpoints of the technology app: ``/devices``, ``/work-orders``, ``/licences`` and a
patron's charges (``/patrons/{barcode}/charges``, ``/charges/{id}/payments``, ``/waive``).

A caller sees the devices of the schools where they hold ``Perm.CIRCULATION_DESK``; serial
numbers and MAC addresses only where they hold ``Perm.TECHNOLOGY`` (else they are null). Work
orders need ``Perm.TECHNOLOGY``; a report can be made by anyone with a role at the school.
Another school's device or work order is a 404.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from reol.core import denials
from reol.core.models import School, User
from reol.core.paging import DateRange, Shaped, paged
from reol.core.permissions import Perm, has_perm, roles_at
from reol.core.schemas import ManyLines, OneLine
from reol.core.selectors import person_by_identifier

from . import payments, selectors, services
from .licences import WARN_DAYS, licences_of
from .models import Device, LoanCharge, WorkOrder

router = Router(tags=["technology"])


class DeviceOut(Schema):
    asset_tag: str
    model: str
    school: str
    state: str
    item_status: str
    serial_number: str | None
    mac_addresses: list[str] | None
    purchase_date: dt.date | None
    price: Decimal | None
    warranty_end: dt.date | None
    supplier: str
    accessories: list[str]
    lost_on: dt.date | None
    last_borrower: str | None


def _device_out(request: HttpRequest, device: Device) -> dict[str, Any]:
    secret = has_perm(request.user, Perm.TECHNOLOGY, device.school)
    return {
        "asset_tag": device.item.barcode,
        "model": device.item.record.title,
        "school": device.school.code,
        "state": device.state,
        "item_status": device.item.status,
        "serial_number": device.serial_number if secret else None,
        "mac_addresses": device.mac_addresses if secret else None,
        "purchase_date": device.purchase_date,
        "price": device.price,
        "warranty_end": device.warranty_end,
        "supplier": device.supplier,
        "accessories": device.accessories,
        "lost_on": device.lost_on,
        "last_borrower": (
            device.last_borrower.username if secret and device.last_borrower else None
        ),
    }


@router.get("/devices", response=list[DeviceOut])
@paged
def list_devices(request: HttpRequest, dates: Query[DateRange], state: str = "") -> Any:
    """Devices in the caller's schools; ``state=lost`` with ``from``/``to`` (the day each was
    flagged lost) is IT's feed."""
    rows = selectors.devices(request.user).select_related("last_borrower").order_by("pk")
    if state:
        rows = rows.filter(state=state)
    if dates.from_ is not None:
        rows = rows.filter(lost_on__gte=dates.from_)
    if dates.to is not None:
        rows = rows.filter(lost_on__lte=dates.to)
    return Shaped(rows, lambda page: [_device_out(request, d) for d in page])


@router.get("/devices/{tag}", response=DeviceOut)
def get_device(request: HttpRequest, tag: str) -> Any:
    found = (
        selectors.devices(request.user)
        .select_related("last_borrower")
        .filter(item__barcode__iexact=tag)
        .first()
    )
    if found is None:
        raise Http404
    return _device_out(request, found)


class LostIn(Schema):
    on: dt.date | None = None


@router.post("/devices/{tag}/lost", response=DeviceOut)
def flag_lost(request: HttpRequest, tag: str, payload: LostIn) -> Any:
    found = selectors.devices(request.user).filter(item__barcode__iexact=tag).first()
    if found is None:
        raise Http404
    device = services.flag_lost(request.user, found.school, tag, on=payload.on)  # type: ignore[arg-type]
    return _device_out(request, device)


class WorkOrderOut(Schema):
    id: int
    school: str
    asset_tag: str | None
    subject: str
    problem: str
    state: str
    assignee: str | None
    warranty_claim: bool
    insurance_claim: bool
    claim_reference: str
    loaner: str | None
    cost: Decimal
    created_at: dt.datetime


def _order_out(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "school": order.school.code,
        "asset_tag": order.device.item.barcode if order.device else None,
        "subject": order.subject,
        "problem": order.problem,
        "state": order.state,
        "assignee": order.assignee.username if order.assignee else None,
        "warranty_claim": order.warranty_claim,
        "insurance_claim": order.insurance_claim,
        "claim_reference": order.claim_reference,
        "loaner": order.loaner.barcode if order.loaner else None,
        "cost": sum((c.amount for c in order.costs.all()), Decimal("0")),
        "created_at": order.created_at,
    }


@router.get("/work-orders", response=list[WorkOrderOut])
@paged
def list_orders(request: HttpRequest, state: str = "") -> Any:
    rows = (
        selectors.work_orders(request.user)
        .select_related("loaner")
        .prefetch_related("costs")
        .order_by("pk")
    )
    if state:
        rows = rows.filter(state=state)
    return Shaped(rows, lambda page: [_order_out(o) for o in page])


@router.get("/work-orders/{pk}", response=WorkOrderOut)
def get_order(request: HttpRequest, pk: int) -> Any:
    return _order_out(denials.get_or_404(request, selectors.work_orders(request.user), pk=pk))


class ReportIn(Schema):
    school: OneLine
    problem: ManyLines
    asset_tag: OneLine = ""
    subject: OneLine = ""


@router.post("/work-orders", response={201: WorkOrderOut})
def report(request: HttpRequest, payload: ReportIn) -> Any:
    school = School.objects.filter(code=payload.school).first()
    user = request.user
    if school is None or not isinstance(user, User) or not roles_at(user, school):
        raise PermissionDenied
    order = services.report_problem(
        user, school, problem=payload.problem, tag=payload.asset_tag, subject=payload.subject
    )
    return 201, _order_out(order)


class StateIn(Schema):
    state: OneLine
    note: ManyLines = ""


@router.post("/work-orders/{pk}/state", response=WorkOrderOut)
def change_state(request: HttpRequest, pk: int, payload: StateIn) -> Any:
    found = denials.get_or_404(request, selectors.work_orders(request.user), pk=pk)
    order = services.change_work_order(request.user, found, payload.state, note=payload.note)  # type: ignore[arg-type]
    return _order_out(order)


class LicenceOut(Schema):
    id: int
    school: str
    name: str
    vendor: str
    seats: int | None
    seats_in_use: int | None
    cost: Decimal
    starts: dt.date
    ends: dt.date
    classes: list[str]
    renew_soon: bool


@router.get("/licences", response=list[LicenceOut])
@paged
def list_licences(request: HttpRequest) -> Any:
    """Licences of the caller's schools (``Perm.TECHNOLOGY``); ``renew_soon`` within 60 days."""
    today = timezone.localdate()
    rows = licences_of(request.user).select_related("school").order_by("ends", "pk")

    def shape(page: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "id": lic.pk,
                "school": lic.school.code,
                "name": lic.name,
                "vendor": lic.vendor,
                "seats": lic.seats,
                "seats_in_use": lic.seats_in_use,
                "cost": lic.cost,
                "starts": lic.starts,
                "ends": lic.ends,
                "classes": [g.name for g in lic.groups.all()],
                "renew_soon": today <= lic.ends <= today + dt.timedelta(days=WARN_DAYS),
            }
            for lic in page
        ]

    return Shaped(rows, shape)


# --- Charges: list a patron's, pay, waive ------------------------------------------------------


class SettlementOut(Schema):
    kind: str
    amount: Decimal
    method: str | None
    reference: str
    reason: str
    at: dt.datetime


class ChargeOut(Schema):
    id: int
    school: str
    patron: str
    asset_tag: str
    kind: str
    note: str
    amount: Decimal | None
    paid: Decimal
    waived: Decimal
    outstanding: Decimal
    created_at: dt.datetime
    settlements: list[SettlementOut]


def _charge_out(charge: LoanCharge) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "school": charge.school.code,
        "patron": charge.patron.username,
        "asset_tag": charge.device.item.barcode,
        "kind": charge.kind,
        "note": charge.note,
        "amount": charge.amount,
        "paid": charge.paid,
        "waived": charge.waived,
        "outstanding": charge.outstanding,
        "created_at": charge.created_at,
        "settlements": [
            {
                "kind": s.kind,
                "amount": s.amount,
                "method": s.method or None,
                "reference": s.reference,
                "reason": s.reason,
                "at": s.created_at,
            }
            for s in charge.settlements.all()
        ],
    }


@router.get("/patrons/{barcode}/charges", response=list[ChargeOut])
@paged
def patron_charges(request: HttpRequest, barcode: str, open: bool = False) -> Any:
    """A patron's charges at the schools where the caller takes payments (``Perm.CHARGES``),
    or the caller's own; ``open=true`` for those with something still owed."""
    person = person_by_identifier(barcode)
    rows = payments.charges_in_scope(request.user)
    if person is not None and person.pk == request.user.pk:
        rows = LoanCharge.objects.all()
    # Nobody by that name answers as another school's person does (an empty page): a 404 for
    # the one and not the other told any token holder which usernames and cards exist.
    rows = rows.filter(patron=person) if person is not None else rows.none()
    rows = rows.select_related("school", "patron", "device__item")
    if open:
        rows = rows.filter(outstanding__gt=0)
    rows = rows.prefetch_related("settlements").order_by("created_at", "pk")
    return Shaped(rows, lambda page: [_charge_out(c) for c in page])


class PaymentIn(Schema):
    amount: Decimal
    method: OneLine
    reference: OneLine = ""


class WaiveIn(Schema):
    reason: OneLine


def _charge(request: HttpRequest, pk: int) -> LoanCharge:
    return denials.get_or_404(request, payments.charges_in_scope(request.user), pk=pk)


@router.post("/charges/{pk}/payments", response={201: ChargeOut})
def pay_charge(request: HttpRequest, pk: int, payload: PaymentIn) -> Any:
    """Record a payment (full or part, whole cents) by ``cash``, ``invoice``,
    ``school_account`` or ``card``; more than is owed answers 422 and records nothing."""
    entry = payments.record_payment(
        request.user,  # type: ignore[arg-type]
        _charge(request, pk),
        amount=payload.amount,
        method=payload.method,
        reference=payload.reference,
    )
    return 201, _charge_out(entry.charge)


@router.post("/charges/{pk}/waive", response=ChargeOut)
def waive_charge(request: HttpRequest, pk: int, payload: WaiveIn) -> Any:
    """Waive what is left of a charge, with the reason."""
    entry = payments.waive_charge(request.user, _charge(request, pk), reason=payload.reason)  # type: ignore[arg-type]
    return _charge_out(entry.charge)
