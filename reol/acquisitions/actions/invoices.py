"""Invoices: ``enter_invoice`` matches each invoice line to a received order line, releases
that line's commitment at the ordered price and charges the fund what was invoiced — so a
price difference moves the fund's spending, never its commitments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from ..errors import AcquisitionError
from ..models import EntryKind, Invoice, InvoiceLine, OrderLine, Vendor
from .funds import money, post


@dataclass(frozen=True)
class Charge:
    """One invoice line as entered: which order line, how many copies, at what price each."""

    line: OrderLine
    quantity: int
    unit_price: Decimal
    vat_included: bool = True
    override: bool = False  # charge past the fund's balance (a dearer invoice), audited


def _check(school: School, vendor: Vendor, charge: Charge, line: OrderLine) -> None:
    if line.order.school_id != school.pk or line.order.vendor_id != vendor.pk:
        raise AcquisitionError(
            "other_order",
            _("“%(title)s” was not ordered from %(vendor)s by this school.")
            % {"title": line.title, "vendor": vendor.name},
            status=422,
        )
    uninvoiced_received = line.received - line.invoiced
    if not 1 <= charge.quantity <= uninvoiced_received:
        raise AcquisitionError(
            "not_received",
            _("“%(title)s”: %(n)d received copies are not yet invoiced; invoice 1 to %(n)d.")
            % {"title": line.title, "n": uninvoiced_received},
            status=422,
        )


def _check_invoice(school: School, vendor: Vendor, number: str, charges: list[Charge]) -> None:
    """The vendor is the school's, the invoice has lines and is not entered already."""
    if vendor.school_id != school.pk:
        raise AcquisitionError(
            "other_school", _("This vendor belongs to another school."), status=404
        )
    if not charges:
        raise AcquisitionError(
            "empty_invoice", _("An invoice needs at least one line."), status=422
        )
    if Invoice.objects.filter(vendor=vendor, number=number).exists():
        raise AcquisitionError(
            "invoice_exists",
            _("Invoice %(number)s from %(vendor)s is already entered.")
            % {"number": number, "vendor": vendor.name},
        )


def _charge(actor: Actor, invoice: Invoice, charge: Charge) -> Decimal:
    """One invoice line: the order line (locked) counts the copies invoiced, its commitment at
    the ordered price is released and the invoiced price spent; returns what was charged."""
    line = (
        OrderLine.objects.select_for_update().select_related("order", "fund").get(pk=charge.line.pk)
    )
    _check(invoice.school, invoice.vendor, charge, line)
    price = money(charge.unit_price)
    InvoiceLine.objects.create(
        invoice=invoice,
        order_line=line,
        quantity=charge.quantity,
        unit_price=price,
        vat_included=charge.vat_included,
    )
    line.invoiced += charge.quantity
    line.save(update_fields=["invoiced"])
    post(actor, line.fund, EntryKind.COMMITMENT, -charge.quantity * line.unit_price, line=line)
    post(
        actor,
        line.fund,
        EntryKind.SPENDING,
        charge.quantity * price,
        line=line,
        note=invoice.number,
        override=charge.override,
    )
    return charge.quantity * price


@transaction.atomic
def enter_invoice(
    actor: Actor,
    school: School,
    vendor: Vendor,
    *,
    number: str,
    invoice_date: dt.date,
    charges: list[Charge],
) -> Invoice:
    require(actor, Perm.ACQUISITIONS, school)
    _check_invoice(school, vendor, number, charges)
    invoice = Invoice.objects.create(
        school=school, vendor=vendor, number=number, invoice_date=invoice_date
    )
    total = Decimal("0.00")
    for charge in charges:
        total += _charge(actor, invoice, charge)
    audit.record(
        actor,
        "invoice.create",
        invoice,
        school=school,
        details={"total": str(total), "lines": len(charges)},
    )
    return invoice
