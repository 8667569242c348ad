"""Every write of the technology app, one transaction each, audited.

Loans and a copy's status change only through ``circulation.actions.devices``; what is the
asset's own (its state, accessories, the work orders) is written here in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog import services as catalog
from reol.catalog.models import Item, MaterialType, Record
from reol.circulation.actions import devices as circulation
from reol.circulation.actions.loans import checkin
from reol.circulation.errors import CirculationError
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, roles_at
from reol.core.text import one_line
from reol.patrons.models import Group

from .models import (
    OPEN_WORK_ORDER_STATES,
    Device,
    DeviceModel,
    DeviceState,
    Handover,
    WorkOrder,
    WorkOrderCost,
    WorkOrderNote,
    WorkOrderState,
)
from .states import REPAIR_STATES, can_change


def _person(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def device_at(school: School, tag: str) -> Device:
    """The device with this asset tag at ``school`` (ignoring case), locked; else refused."""
    code = tag.strip()
    found = (
        Device.objects.select_for_update(of=("self",))
        .select_related("item__record", "school")
        .filter(school=school, item__barcode__iexact=code)
        .first()
    )
    if found is None:
        raise ValidationError(
            _("%(school)s has no device with the asset tag %(tag)s.")
            % {"school": school.name, "tag": code[:64]}
        )
    return found


# --- Device models ---------------------------------------------------------------------------


def device_model(actor: Actor, school: School, name: str) -> Record:
    """The municipality's device-model record of this name, made when there is none."""
    title = " ".join(name.split())[:500]
    record = (
        Record.objects.filter(
            municipality_id=school.municipality_id,
            material_type=MaterialType.DEVICE,
            title__iexact=title,
            merged_into__isnull=True,
        )
        .order_by("id")
        .first()
    )
    if record is None:
        record = catalog.create_record_from_form(
            actor, school.municipality, title=title, material_type=MaterialType.DEVICE
        )
    DeviceModel.objects.get_or_create(record=record)
    return record


@transaction.atomic
def save_device_model(
    actor: Actor,
    school: School,
    record: Record,
    *,
    expected_life_years: int,
    replacement_price: Decimal | None,
) -> DeviceModel:
    require(actor, Perm.TECHNOLOGY, school)
    if record.municipality_id != school.municipality_id or record.material_type != "device":
        raise ValidationError(_("That is not a device model of this municipality."))
    row, _created = DeviceModel.objects.select_for_update().get_or_create(record=record)
    row.expected_life_years = expected_life_years
    row.replacement_price = replacement_price
    row.full_clean()
    row.save()
    audit.record(
        actor,
        "device_model.change",
        record,
        school=school,
        details={"life": expected_life_years, "price": str(replacement_price or "")},
    )
    return row


# --- One-to-one loans ------------------------------------------------------------------------


def _lendable(device: Device) -> None:
    if device.state != DeviceState.IN_SERVICE:
        raise ValidationError(
            _("Device %(tag)s is %(state)s and cannot be lent.")
            % {"tag": device.item.barcode, "state": DeviceState(device.state).label}
        )


@transaction.atomic
def assign_device(
    actor: Actor,
    school: School,
    patron: User | str,
    tag: str,
    *,
    group: Group | None = None,
    today: dt.date | None = None,
) -> Handover:
    """Lend a device to a student or teacher for the school year, with its accessories."""
    device = device_at(school, tag)
    _lendable(device)
    lent = circulation.lend_for_school_year(
        actor, school, patron, device.item, group=group, today=today
    )
    handover = Handover.objects.create(
        loan=lent.loan, device=device, accessories_out=list(device.accessories)
    )
    audit.record(
        actor,
        "device.assign",
        device.item,
        school=school,
        details={"item": device.item.barcode, "due": lent.loan.due_date.isoformat()},
    )
    return handover


@dataclass
class Collected:
    device: Device
    borrower: User | None
    missing: list[str] = field(default_factory=list)


@transaction.atomic
def collect_device(
    actor: Actor, school: School, tag: str, *, missing: list[str] | None = None
) -> Collected:
    """A device comes back (the year-end collection, or any day): checked in, and the
    accessories that did not come with it noted on its handover."""
    device = device_at(school, tag)
    result = checkin(actor, school, device.item)
    borrower = result.loan.patron if result.loan is not None else None
    gone = [a for a in device.accessories if a in set(missing or [])]
    if result.loan is not None:
        Handover.objects.filter(loan=result.loan).update(returned=True, accessories_missing=gone)
    audit.record(
        actor,
        "device.collect",
        device.item,
        school=school,
        details={"item": device.item.barcode, "missing": gone},
    )
    return Collected(device=device, borrower=borrower, missing=gone)


@dataclass
class Swapped:
    broken: Device
    loaner: Device
    patron: User
    order: WorkOrder


@transaction.atomic
def swap_for_loaner(
    actor: Actor, school: School, broken_tag: str, loaner_tag: str, *, problem: str = ""
) -> Swapped:
    """At the desk, in one action: the broken device in, a loaner out to the same borrower
    until the same date, the broken one in repair with a work order (the open one reported
    for it, or a new one) that names the loaner."""
    broken = device_at(school, broken_tag)
    loaner = device_at(school, loaner_tag)
    _lendable(loaner)
    swap = circulation.swap_device(actor, school, broken.item, loaner.item)
    Handover.objects.filter(loan__item=broken.item, returned=False).update(returned=True)
    Handover.objects.create(
        loan=swap.lent.loan, device=loaner, accessories_out=list(loaner.accessories)
    )
    broken.state = DeviceState.IN_REPAIR
    broken.save(update_fields=["state", "updated_at"])
    order = broken.work_orders.filter(state__in=OPEN_WORK_ORDER_STATES).first()
    if order is None:
        order = _new_order(actor, school, broken, "", problem or _("Swapped at the desk."))
    order.loaner = loaner.item
    order.save(update_fields=["loaner", "updated_at"])
    _note(
        actor, order, _("Loaner %(tag)s lent to %(name)s.") % {"tag": loaner, "name": swap.patron}
    )
    audit.record(
        actor,
        "device.swap",
        order,
        school=school,
        details={"broken": broken.item.barcode, "loaner": loaner.item.barcode},
    )
    return Swapped(broken=broken, loaner=loaner, patron=swap.patron, order=order)


# --- Work orders -----------------------------------------------------------------------------


def _new_order(
    actor: Actor, school: School, device: Device | None, subject: str, problem: str
) -> WorkOrder:
    order = WorkOrder.objects.create(
        school=school,
        device=device,
        subject=subject.strip()[:200],
        problem=problem.strip(),
        reporter=_person(actor),
    )
    _note(actor, order, "", to_state=WorkOrderState.REPORTED)
    return order


def _note(actor: Actor, order: WorkOrder, text: str, *, to_state: str = "") -> WorkOrderNote:
    return WorkOrderNote.objects.create(
        work_order=order,
        author=_person(actor),
        from_state=order.state if to_state and to_state != WorkOrderState.REPORTED else "",
        to_state=to_state,
        text=text,
    )


@transaction.atomic
def report_problem(
    actor: Actor, school: School, *, problem: str, tag: str = "", subject: str = ""
) -> WorkOrder:
    """Anyone with a role at the school reports a problem with a device (by its asset tag),
    a room or a piece of equipment (in words)."""
    if not isinstance(actor, User) or not roles_at(actor, school):
        require(actor, Perm.TECHNOLOGY, school)  # the system, or raises
    if not problem.strip():
        raise ValidationError({"problem": _("Say what is wrong.")})
    device = None
    if tag.strip():
        device = (
            Device.objects.select_related("item")
            .filter(school=school, item__barcode__iexact=tag.strip())
            .first()
        )
        if device is None:
            raise ValidationError({"tag": _("No device here has that asset tag.")})
    elif not subject.strip():
        raise ValidationError({"subject": _("Say which device, room or equipment it is.")})
    order = _new_order(actor, school, device, subject, problem)
    audit.record(
        actor,
        "work_order.report",
        order,
        school=school,
        details={"item": device.item.barcode if device else None, "subject": order.subject},
    )
    return order


def _device_follows(actor: Actor, order: WorkOrder, new: str) -> None:
    """The device's state (and its copy's status, through circulation) follows the order."""
    device = order.device
    if device is None:
        return
    school = order.school
    if new in REPAIR_STATES and device.state == DeviceState.IN_SERVICE:
        if device.item.status != "on_loan":
            circulation.take_out_of_service(actor, school, device.item)
        device.state = DeviceState.IN_REPAIR
    elif new == WorkOrderState.FIXED and device.state == DeviceState.IN_REPAIR:
        circulation.return_to_service(actor, school, device.item)
        device.state = DeviceState.IN_SERVICE
    elif new == WorkOrderState.WRITTEN_OFF and device.state != DeviceState.RETIRED:
        circulation.retire_device(actor, school, device.item)
        device.state = DeviceState.RETIRED
    device.save(update_fields=["state", "updated_at"])


@transaction.atomic
def change_work_order(
    actor: Actor, order: WorkOrder, new_state: str, *, note: str = ""
) -> WorkOrder:
    """Move a work order through its state machine (``states``), with a note."""
    locked = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("device__item", "school")
        .get(pk=order.pk)
    )
    require(actor, Perm.TECHNOLOGY, locked.school)
    if not can_change(locked.state, new_state):
        raise ValidationError(
            _("A work order that is %(old)s cannot become %(new)s.")
            % {
                "old": WorkOrderState(locked.state).label,
                "new": WorkOrderState(new_state).label
                if new_state in WorkOrderState.values
                else new_state,
            }
        )
    try:
        _device_follows(actor, locked, new_state)
    except CirculationError as error:
        raise ValidationError(error.message) from error
    _note(actor, locked, note.strip(), to_state=new_state)
    old, locked.state = locked.state, new_state
    locked.save(update_fields=["state", "updated_at"])
    audit.record(
        actor,
        "work_order.change",
        locked,
        school=locked.school,
        details={"from": old, "to": new_state},
    )
    return locked


@transaction.atomic
def update_work_order(
    actor: Actor,
    order: WorkOrder,
    *,
    assignee: User | None = None,
    warranty_claim: bool | None = None,
    insurance_claim: bool | None = None,
    claim_reference: str | None = None,
    note: str = "",
) -> WorkOrder:
    """The assignee, the warranty or insurance claim and its reference, and a note (no change
    of state)."""
    locked = WorkOrder.objects.select_for_update().get(pk=order.pk)
    require(actor, Perm.TECHNOLOGY, locked.school)
    if assignee is not None:
        if not roles_at(assignee, locked.school) and not assignee.is_superuser:
            raise ValidationError({"assignee": _("The assignee works at another school.")})
        locked.assignee = assignee
    if warranty_claim is not None:
        locked.warranty_claim = warranty_claim
    if insurance_claim is not None:
        locked.insurance_claim = insurance_claim
    if claim_reference is not None:
        locked.claim_reference = one_line(claim_reference)[:100]
    locked.save(
        update_fields=[
            "assignee",
            "warranty_claim",
            "insurance_claim",
            "claim_reference",
            "updated_at",
        ]
    )
    if note.strip():
        _note(actor, locked, note.strip())
    audit.record(
        actor,
        "work_order.update",
        locked,
        school=locked.school,
        details={
            "assignee": str(locked.assignee or ""),
            "warranty": locked.warranty_claim,
            "insurance": locked.insurance_claim,
            "reference": locked.claim_reference,
        },
    )
    return locked


@transaction.atomic
def add_cost(
    actor: Actor, order: WorkOrder, *, description: str, amount: Decimal, is_part: bool = False
) -> WorkOrderCost:
    require(actor, Perm.TECHNOLOGY, order.school)
    if amount < 0:
        raise ValidationError({"amount": _("A cost cannot be negative.")})
    cost = WorkOrderCost(
        work_order=order, description=description.strip()[:200], amount=amount, is_part=is_part
    )
    cost.full_clean()
    cost.save()
    audit.record(
        actor,
        "work_order.cost",
        order,
        school=order.school,
        details={"description": cost.description, "amount": str(amount)},
    )
    return cost


# --- Lost ------------------------------------------------------------------------------------


@transaction.atomic
def flag_lost(actor: Actor, school: School, tag: str, *, on: dt.date | None = None) -> Device:
    """A lost device in one action: its loan written off, the copy lost, and the date and the
    last borrower noted on the asset for IT's own tools (the export and the API)."""
    require(actor, Perm.TECHNOLOGY, school)
    device = device_at(school, tag)
    if device.state == DeviceState.RETIRED:
        raise PermissionDenied(_("A retired device cannot be flagged as lost."))
    try:
        lost = circulation.flag_lost(actor, school, device.item)
    except CirculationError as error:
        raise ValidationError(error.message) from error
    device.state = DeviceState.LOST
    device.lost_on = on or timezone.localdate()
    if lost.last_borrower is not None:
        device.last_borrower = lost.last_borrower
    device.save(update_fields=["state", "lost_on", "last_borrower", "updated_at"])
    audit.record(
        actor,
        "device.lost",
        device.item,
        school=school,
        details={"item": device.item.barcode, "last_borrower": str(device.last_borrower or "")},
    )
    return device


def is_device(item: Item) -> bool:
    return hasattr(item, "device")
