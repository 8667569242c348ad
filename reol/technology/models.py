"""Devices as assets, their handovers, work orders and what they cost.

A device model ("Chromebook Acer 511") is a catalogue ``Record`` of material type *device*,
with a ``DeviceModel`` row for what the replacement plan needs (expected life, price). Each
device is a copy (``Item``, its barcode the asset tag) with a one-to-one ``Device`` row: the
asset's serial number, MAC addresses, purchase, warranty, supplier, state and accessories.
Loans and copy status are circulation's; this app keeps only what is the asset's own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Item, Record
from reol.circulation.models import Loan
from reol.core.models import School


class DeviceModel(models.Model):
    """What the catalogue does not say about a device model: how long it lasts, what a new
    one costs."""

    record = models.OneToOneField(
        Record, on_delete=models.CASCADE, related_name="device_model", primary_key=True
    )
    expected_life_years = models.PositiveSmallIntegerField(_("expected life (years)"), default=4)
    replacement_price = models.DecimalField(
        _("replacement price"), max_digits=9, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("device model")
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_life_years__gte=1) & Q(expected_life_years__lte=30),
                name="devicemodel_life_range",
            ),
            models.CheckConstraint(
                condition=Q(replacement_price__isnull=True) | Q(replacement_price__gte=0),
                name="devicemodel_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.record.title)


class DeviceState(models.TextChoices):
    IN_SERVICE = "in_service", _("in service")
    IN_REPAIR = "in_repair", _("in repair")
    LOST = "lost", _("lost")
    RETIRED = "retired", _("retired")


class Device(models.Model):
    """A device as an asset: one row per copy of a device model."""

    item = models.OneToOneField(
        Item, on_delete=models.CASCADE, related_name="device", primary_key=True
    )
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    serial_number = models.CharField(_("serial number"), max_length=64, blank=True)
    mac_addresses = models.JSONField(_("MAC addresses"), default=list, blank=True)
    purchase_date = models.DateField(_("purchase date"), null=True, blank=True)
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2, null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=DeviceState.choices, default=DeviceState.IN_SERVICE
    )
    accessories = models.JSONField(_("accessories"), default=list, blank=True)
    lost_on = models.DateField(_("lost on"), null=True, blank=True)
    last_borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last borrower"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        constraints = [
            models.UniqueConstraint(
                fields=["school", "serial_number"],
                condition=~Q(serial_number=""),
                name="device_serial_unique_per_school",
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeviceState.values), name="device_state_known"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="device_price_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(state=DeviceState.LOST) | Q(lost_on__isnull=False),
                name="device_lost_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.item.barcode


class Handover(models.Model):
    """A device's loan and the accessories that went out with it and came back."""

    loan = models.OneToOneField(Loan, on_delete=models.CASCADE, related_name="handover")
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="handovers")
    accessories_out = models.JSONField(default=list, blank=True)
    accessories_missing = models.JSONField(default=list, blank=True)
    returned = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.device} → {self.loan_id}"


class WorkOrderState(models.TextChoices):
    REPORTED = "reported", _("reported")
    TRIAGED = "triaged", _("triaged")
    IN_REPAIR = "in_repair", _("in repair in-house")
    AT_SUPPLIER = "at_supplier", _("sent to the supplier")
    WAITING_PARTS = "waiting_parts", _("waiting for parts")
    FIXED = "fixed", _("fixed")
    WRITTEN_OFF = "written_off", _("written off")


OPEN_WORK_ORDER_STATES = (
    WorkOrderState.REPORTED,
    WorkOrderState.TRIAGED,
    WorkOrderState.IN_REPAIR,
    WorkOrderState.AT_SUPPLIER,
    WorkOrderState.WAITING_PARTS,
)


class WorkOrder(models.Model):
    """A problem with a device, a room or a piece of equipment, and its repair."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    subject = models.CharField(_("what"), max_length=200, blank=True)
    problem = models.TextField(_("problem"))
    state = models.CharField(
        _("state"), max_length=16, choices=WorkOrderState.choices, default=WorkOrderState.REPORTED
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    warranty_claim = models.BooleanField(_("warranty claim"), default=False)
    insurance_claim = models.BooleanField(_("insurance claim"), default=False)
    # the supplier's or insurer's case number for the claim
    claim_reference = models.CharField(_("claim reference"), max_length=100, blank=True)
    loaner = models.ForeignKey(
        Item, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("work order")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=WorkOrderState.values), name="workorder_state_known"
            ),
            models.CheckConstraint(
                condition=Q(device__isnull=False) | ~Q(subject=""),
                name="workorder_names_what",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class WorkOrderNote(models.Model):
    """A note or a change of state on a work order (its history)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(auto_now_add=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.to_state or self.text[:40]}"


class WorkOrderCost(models.Model):
    """A part, the supplier's invoice or hours spent: what the repair cost."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="costs")
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    is_part = models.BooleanField(_("part"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="workordercost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class Licence(models.Model):
    """A software or digital-resource licence: seats, cost, its period, the classes using it."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    vendor = models.CharField(_("vendor"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    seats_in_use = models.PositiveIntegerField(_("seats in use"), null=True, blank=True)
    cost = models.DecimalField(_("cost per period"), max_digits=11, decimal_places=2, default=0)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))
    groups = models.ManyToManyField("patrons.Group", blank=True, related_name="+")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("licence")
        ordering = ["ends", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="licence_period"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="licence_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(seats__isnull=True)
                | Q(seats_in_use__isnull=True)
                | Q(seats_in_use__lte=models.F("seats")),
                name="licence_seats_in_use_within_seats",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ChargePolicy(models.Model):
    """A school's choice about charging borrowers: off unless the school turns it on."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="charge_policy")
    replacement_charges = models.BooleanField(_("charge for replacing a device"), default=False)

    def __str__(self) -> str:
        return f"{self.school_id}: {self.replacement_charges}"


class LoanCharge(models.Model):
    """Damage a borrower caused, recorded on their loan; with an amount only when it is a
    replacement charge (and the school charges). No fines: damage alone carries no amount.

    ``patron`` is kept beside the loan: the borrower still sees the charge after the returned
    loan is anonymised."""

    class Kind(models.TextChoices):
        DAMAGE = "damage", _("damage")
        REPLACEMENT = "replacement", _("replacement charge")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="charges")
    patron = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="device_charges"
    )
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="charges")
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="charges"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("what happened"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # What was paid and waived, and what is left. Kept by ``payments`` beside the
    # ``ChargeSettlement`` ledger, in Decimal: the CHECKs compare single columns only, because
    # SQLite keeps decimals as floats and 33.34 + 66.65 there is more than 99.99.
    paid = models.DecimalField(_("paid"), max_digits=10, decimal_places=2, default=0)
    waived = models.DecimalField(_("waived"), max_digits=10, decimal_places=2, default=0)
    outstanding = models.DecimalField(_("outstanding"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["school", "outstanding"], name="loancharge_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="damage", amount__isnull=True)
                | Q(kind="replacement", amount__gt=0),
                name="loancharge_amount_only_for_replacement",
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0, waived__gte=0, outstanding__gte=0),
                name="loancharge_outstanding_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False, outstanding__lte=models.F("amount"))
                | Q(amount__isnull=True, paid=0, waived=0, outstanding=0),
                name="loancharge_outstanding_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount or ''} on loan {self.loan_id}"


class ChargeSettlement(models.Model):
    """A payment towards a charge (full or part), or the waiver of what was left: the ledger
    behind ``LoanCharge.paid``/``waived``/``outstanding``, written only by ``payments``."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("payment")
        WAIVER = "waiver", _("waived")

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        INVOICE = "invoice", _("invoice")
        SCHOOL_ACCOUNT = "school_account", _("school account")
        CARD = "card", _("card")

    charge = models.ForeignKey(LoanCharge, on_delete=models.PROTECT, related_name="settlements")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    method = models.CharField(
        _("paid by"), max_length=16, choices=Method.choices, blank=True, default=""
    )
    reference = models.CharField(_("receipt reference"), max_length=100, blank=True, default="")
    reason = models.CharField(_("reason"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="chargesettlement_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="payment", method__in=["cash", "invoice", "school_account", "card"]
                )
                | (Q(kind="waiver", method="") & ~Q(reason="")),
                name="chargesettlement_payment_has_method_waiver_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on charge {self.charge_id}"
