"""Paying or waiving a borrower's replacement charge, and the reads of what is owed.

A librarian of the charge's school (``Perm.CHARGES``; never a teacher, a student or a
volunteer at the desk) records a payment, in full or in part, or waives what is left with a
reason. Each is a ``ChargeSettlement`` row and a change to the charge's ``paid``, ``waived``
and ``outstanding`` in one audited transaction, with the charge row locked, so two desks
paying the same charge at once cannot both take the last krone: the second is refused.

Outstanding is charged − paid − waived, worked out here in ``Decimal``; the database refuses
a negative one (``loancharge_outstanding_not_negative``) and one above the charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import formats
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, scope

from .models import ChargeSettlement, LoanCharge

CENT = Decimal("0.01")
MAX_DIGITS = 12  # digits before the decimal point an amount may have (far above any charge)
METHODS = ChargeSettlement.Method


def shown(value: Decimal) -> str:
    """An amount as the reader's locale writes it, always with two decimals."""
    return formats.number_format(value, 2, use_l10n=True)


def parse_amount(text: str | Decimal, *, not_positive: str = "") -> Decimal:
    """A typed amount ("12,50", "12.5") as exact cents; refuses what is not a positive number
    of whole cents rather than rounding it (``not_positive``: the refusal of zero or less)."""
    try:
        value = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValidationError({"amount": _("Give the amount as a number.")}) from error
    if not value.is_finite() or value <= 0:
        raise ValidationError({"amount": not_positive or _("A payment is more than zero.")})
    if value.adjusted() > MAX_DIGITS:  # 1e30: quantize would raise (a 500), no charge is so big
        raise ValidationError({"amount": _("That is more than any charge.")})
    if value != value.quantize(CENT):
        raise ValidationError(
            {"amount": _("Give the amount in whole cents (two decimals at most).")}
        )
    return value.quantize(CENT)


def _locked(charge: LoanCharge) -> LoanCharge:
    return (
        LoanCharge.objects.select_for_update(of=("self",))
        .select_related("school", "patron", "device__item")
        .get(pk=charge.pk)
    )


def _details(charge: LoanCharge, entry: ChargeSettlement) -> dict[str, object]:
    return {
        "charge": charge.pk,
        "patron": charge.patron.username,
        "item": charge.device.item.barcode,
        "amount": str(entry.amount),
        "method": entry.method or None,
        "reference": entry.reference or None,
        "reason": entry.reason or None,
        "outstanding": str(charge.outstanding),
    }


def _settle(actor: Actor, charge: LoanCharge, entry: ChargeSettlement, action: str) -> None:
    entry.save()
    charge.save(update_fields=["paid", "waived", "outstanding"])
    audit.record(actor, action, charge, school=charge.school, details=_details(charge, entry))


def _owing(charge: LoanCharge) -> None:
    if charge.amount is None:
        raise ValidationError(_("Damage without a charge has nothing to pay."))
    if charge.outstanding <= 0:
        raise ValidationError(_("Nothing is owed on this charge any more."))


@transaction.atomic
def record_payment(
    actor: Actor,
    charge: LoanCharge,
    *,
    amount: Decimal | str,
    method: str,
    reference: str = "",
) -> ChargeSettlement:
    """Record ``amount`` paid towards ``charge`` (in full or in part) by ``method``."""
    locked = _locked(charge)
    require(actor, Perm.CHARGES, locked.school)
    _owing(locked)
    value = parse_amount(amount)
    if method not in METHODS.values:
        raise ValidationError({"method": _("Choose how it was paid.")})
    if value > locked.outstanding:
        raise ValidationError(
            {
                "amount": _(
                    "%(amount)s is more than the %(outstanding)s still owed on this charge; "
                    "nothing was recorded."
                )
                % {"amount": shown(value), "outstanding": shown(locked.outstanding)}
            }
        )
    locked.paid += value
    locked.outstanding -= value
    entry = ChargeSettlement(
        charge=locked,
        kind=ChargeSettlement.Kind.PAYMENT,
        amount=value,
        method=method,
        reference=reference.strip()[:100],
        created_by=actor if isinstance(actor, User) else None,
    )
    _settle(actor, locked, entry, "charge.pay")
    return entry


@transaction.atomic
def waive_charge(actor: Actor, charge: LoanCharge, *, reason: str) -> ChargeSettlement:
    """Waive what is left of ``charge``; ``reason`` says why (required)."""
    locked = _locked(charge)
    require(actor, Perm.CHARGES, locked.school)
    _owing(locked)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the charge is waived.")})
    entry = ChargeSettlement(
        charge=locked,
        kind=ChargeSettlement.Kind.WAIVER,
        amount=locked.outstanding,
        reason=reason.strip()[:500],
        created_by=actor if isinstance(actor, User) else None,
    )
    locked.waived += locked.outstanding
    locked.outstanding = Decimal("0.00")
    _settle(actor, locked, entry, "charge.waive")
    return entry


# --- Reads ------------------------------------------------------------------------------------


def charges_in_scope(actor: Actor | AnonymousUser) -> QuerySet[LoanCharge]:
    """Charges of the schools where ``actor`` takes payments."""
    return scope(LoanCharge.objects.all(), actor, Perm.CHARGES).select_related(
        "school", "patron", "device__item"
    )


def open_charges(actor: Actor | AnonymousUser, school: School) -> QuerySet[LoanCharge]:
    """What is still owed at ``school``, oldest first (empty unless ``actor`` may see it)."""
    return (
        charges_in_scope(actor)
        .filter(school=school, outstanding__gt=0)
        .order_by("created_at", "pk")
    )


def total_owed(charges: QuerySet[LoanCharge]) -> Decimal:
    return charges.aggregate(total=Sum("outstanding"))["total"] or Decimal("0")


@dataclass
class Owed:
    charges: list[LoanCharge]
    total: Decimal


def owed_by(actor: Actor | AnonymousUser, school: School, patron: User) -> Owed:
    """A patron's open charges at ``school``, as the actor may see them."""
    rows = open_charges(actor, school).filter(patron=patron)
    found = list(rows)
    return Owed(found, sum((c.outstanding for c in found), Decimal("0")))
