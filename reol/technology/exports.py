"""Technology's part of a person's data export: their charges, and what they paid or had
waived (registered with patrons' privacy services, a rung below, in ``TechnologyConfig.ready``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from reol.patrons.privacy import ExportSection, register_export_section

from .models import ChargeSettlement, LoanCharge
from .selectors import charges_export, settlements_export


def register_export_sections() -> None:
    """A person's charges and what they paid belong in their data export (GDPR art. 15)."""
    register_export_section(
        ExportSection(
            "charges",
            _("Charges"),
            (
                ("school", _("School")),
                ("device", _("Device")),
                ("kind", _("Kind")),
                ("note", _("What happened")),
                ("amount", _("Amount")),
                ("paid", _("Paid")),
                ("waived", _("Waived")),
                ("outstanding", _("Outstanding")),
                ("created", _("Added")),
            ),
            charges_export,
            {"kind": LoanCharge.Kind},
        )
    )
    register_export_section(
        ExportSection(
            "charge_payments",
            _("Payments and waivers"),
            (
                ("device", _("Device")),
                ("kind", _("Kind")),
                ("amount", _("Amount")),
                ("method", _("Paid by")),
                ("reference", _("Receipt reference")),
                ("why", _("Reason")),
                ("at", _("When")),
            ),
            settlements_export,
            {"kind": ChargeSettlement.Kind, "method": ChargeSettlement.Method},
        )
    )
