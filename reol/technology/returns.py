"""A device back at the desk: which accessories came back (asked after the ordinary check-in,
through circulation's follow-up registry), and damage or a replacement charge recorded on the
borrower's loan (no fines; an amount only when the school charges for replacements).

Loans are circulation's and stay untouched here: a ``Handover`` notes the accessories, a
``LoanCharge`` the damage, each in one audited transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from reol.catalog.models import CirculationType
from reol.circulation.actions.loans import CheckinResult
from reol.circulation.models import Loan
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from .models import ChargePolicy, Device, Handover, LoanCharge, WorkOrder

# --- Accessories -------------------------------------------------------------------------------


def accessories_question(result: CheckinResult) -> list[tuple[str, str]]:
    """The desk's follow-up after a check-in: for a device with accessories, a link to say
    which came back. Ordinary copies cost no query."""
    if result.loan is None or result.item.circulation_type != CirculationType.DEVICE:
        return []
    accessories = Device.objects.filter(item=result.item).values_list("accessories", flat=True)
    if not any(accessories):
        return []
    return [
        (
            _("Which accessories came back?"),
            reverse("technology-accessories", args=[result.loan.pk]),
        )
    ]


def returned_device_loan(school: School, loan_id: int) -> tuple[Loan, Device] | None:
    """A device loan of ``school`` (open or returned) and its device, else None."""
    loan = Loan.objects.filter(pk=loan_id, item__school=school).select_related("item").first()
    device = Device.objects.filter(item_id=loan.item_id).first() if loan else None
    if loan is None or device is None:
        return None
    return loan, device


def accessories_out(loan: Loan, device: Device) -> list[str]:
    handover = Handover.objects.filter(loan=loan).first()
    return list(handover.accessories_out if handover else device.accessories)


@transaction.atomic
def record_accessories(
    actor: Actor, school: School, loan_id: int, came_back: list[str]
) -> list[str]:
    """Note which of the loan's accessories came back; answers those missing."""
    require(actor, Perm.CIRCULATION_DESK, school)
    found = returned_device_loan(school, loan_id)
    if found is None:
        raise ValidationError(_("No device loan of this school has that number."))
    loan, device = found
    out = accessories_out(loan, device)
    missing = [a for a in out if a not in set(came_back)]
    Handover.objects.update_or_create(
        loan=loan,
        defaults={
            "device": device,
            "accessories_out": out,
            "accessories_missing": missing,
            "returned": loan.returned_at is not None,
        },
    )
    audit.record(
        actor,
        "device.accessories",
        loan.item,
        school=school,
        details={"item": loan.item.barcode, "missing": missing},
    )
    return missing


# --- Damage and replacement charges -----------------------------------------------------------


def charges_on(school: School) -> bool:
    return ChargePolicy.objects.filter(school=school, replacement_charges=True).exists()


@transaction.atomic
def set_charge_policy(actor: Actor, school: School, *, replacement_charges: bool) -> ChargePolicy:
    require(actor, Perm.SCHOOL_MANAGE, school)
    policy, _created = ChargePolicy.objects.update_or_create(
        school=school, defaults={"replacement_charges": replacement_charges}
    )
    audit.record(
        actor,
        "charge_policy.change",
        school=school,
        details={"replacement_charges": replacement_charges},
    )
    return policy


def _borrower(device: Device, order: WorkOrder | None) -> tuple[Loan, User]:
    """The device's latest loan and its borrower (if the returned loan forgot the student,
    the borrower of the loaner the work order lent them meanwhile)."""
    loan = Loan.objects.filter(item=device.item).order_by("-checked_out_at", "-pk").first()
    if loan is None:
        raise ValidationError(_("This device has never been lent."))
    patron = loan.patron
    if patron is None and order is not None and order.loaner_id is not None:
        lent = Loan.objects.open().filter(item_id=order.loaner_id).first()
        patron = lent.patron if lent else None
    if patron is None:
        raise ValidationError(_("Who borrowed it is no longer known."))
    return loan, patron


@transaction.atomic
def record_charge(
    actor: Actor,
    device: Device,
    *,
    note: str,
    amount: Decimal | None = None,
    order: WorkOrder | None = None,
) -> LoanCharge:
    """Record damage on the borrower's loan of ``device``; with ``amount``, a replacement
    charge — refused unless the school charges for replacements."""
    school = device.school
    require(actor, Perm.CIRCULATION_DESK, school)
    if order is not None and order.device_id != device.pk:
        raise ValidationError(_("That work order is about another device."))
    if not note.strip():
        raise ValidationError({"note": _("Say what happened.")})
    if amount is not None:
        # Money is the business of those who take it (librarians): a volunteer at the desk,
        # who may be a pupil, notes damage but never puts a sum on a classmate.
        require(actor, Perm.CHARGES, school)
        if not charges_on(school):
            raise ValidationError(
                {"amount": _("%(school)s does not charge for replacements.") % {"school": school}}
            )
        if amount <= 0:
            raise ValidationError({"amount": _("A charge is more than zero.")})
    loan, patron = _borrower(device, order)
    charge = LoanCharge.objects.create(
        school=school,
        loan=loan,
        patron=patron,
        device=device,
        work_order=order,
        kind=LoanCharge.Kind.DAMAGE if amount is None else LoanCharge.Kind.REPLACEMENT,
        amount=amount,
        outstanding=amount or Decimal("0.00"),
        note=note.strip()[:500],
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.record(
        actor,
        "loan.charge",
        charge,
        school=school,
        details={
            "item": device.item.barcode,
            "patron": patron.username,
            "kind": charge.kind,
            "amount": str(amount) if amount is not None else None,
            "work_order": order.pk if order else None,
        },
    )
    return charge


def charges_of(user: User) -> QuerySet[LoanCharge]:
    """What was recorded on a person's own loans, and what they paid (their page)."""
    return (
        LoanCharge.objects.filter(patron=user)
        .select_related("device__item", "school")
        .prefetch_related("settlements")
    )


def charges_at(school: School) -> QuerySet[LoanCharge]:
    return LoanCharge.objects.filter(school=school).select_related(
        "device__item", "patron", "work_order"
    )
