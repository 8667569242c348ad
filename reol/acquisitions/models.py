"""Acquisitions: funds and their ledger, vendors, orders and their lines, receipts, invoices and
suggestions.

A fund's four sums (allocated, transferred, committed, spent) are kept on its row and changed
only by ``actions.funds.post`` together with a ``FundEntry`` of the ledger, in one transaction;
the database refuses a row whose available amount is below minus its audited overdraft, so an
order line cannot spend past the balance even if a service forgot to check.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import CirculationType, Item, Record
from reol.core.models import Location, School

ZERO = Decimal("0.00")


class Currency(models.TextChoices):
    DKK = "DKK", "DKK"
    NOK = "NOK", "NOK"
    USD = "USD", "USD"
    EUR = "EUR", "EUR"


class Fund(models.Model):
    """Money for one purpose at one school in one school year (books, films, teacher requests)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="funds")
    school_year = models.CharField(_("school year"), max_length=9)
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(
        _("currency"), max_length=3, choices=Currency.choices, default=Currency.DKK
    )
    allocated = models.DecimalField(_("allocated"), default=ZERO, max_digits=12, decimal_places=2)
    transferred = models.DecimalField(_("transfers"), default=ZERO, max_digits=12, decimal_places=2)
    committed = models.DecimalField(_("committed"), default=ZERO, max_digits=12, decimal_places=2)
    spent = models.DecimalField(_("spent"), default=ZERO, max_digits=12, decimal_places=2)
    overdraft = models.DecimalField(
        _("overdraft allowed"), default=ZERO, max_digits=12, decimal_places=2
    )
    rolled_over = models.BooleanField(_("rolled over"), default=False)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["school_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "code"], name="fund_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(spent__gte=0) & Q(overdraft__gte=0),
                name="fund_sums_not_negative",
            ),
            # Half a cent of slack: SQLite evaluates this in floating point, where
            # 9039.29 - 663.88 comes out a hair above 8375.41 (found by the ledger's hypothesis
            # test); amounts are whole cents, so a real overspend is always refused.
            models.CheckConstraint(
                condition=Q(
                    allocated__gte=F("committed")
                    + F("spent")
                    - F("transferred")
                    - F("overdraft")
                    - Decimal("0.005")
                ),
                name="fund_not_overspent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.school_year})"

    @property
    def available(self) -> Decimal:
        return self.allocated + self.transferred - self.committed - self.spent


class EntryKind(models.TextChoices):
    ALLOCATION = "allocation", _("allocation")
    TRANSFER = "transfer", _("transfer")
    ROLLOVER = "rollover", _("roll-over")
    COMMITMENT = "commitment", _("commitment")
    SPENDING = "spending", _("spending")
    OVERRIDE = "override", _("override")


class FundEntry(models.Model):
    """One change to a fund, signed: the ledger the fund's sums are the totals of."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    order_line = models.ForeignKey(
        "OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Vendor(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("order e-mail"), blank=True)
    address = models.TextField(_("address"), blank=True)
    customer_number = models.CharField(_("our customer number"), max_length=64, blank=True)
    edi_id = models.CharField(
        _("vendor's EDI number (GLN/EAN or SAN)"),
        max_length=35,
        blank=True,
        help_text=_("For orders sent as EDIFACT messages."),
    )
    claim_after_days = models.PositiveSmallIntegerField(_("claim after (days)"), default=30)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="vendor_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class OrderState(models.TextChoices):
    DRAFT = "draft", _("being prepared")
    SENT = "sent", _("sent")
    CLOSED = "closed", _("closed")


class Order(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="orders")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="orders")
    state = models.CharField(max_length=8, choices=OrderState.choices, default=OrderState.DRAFT)
    note = models.TextField(_("note to the vendor"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return _("Order %(n)d") % {"n": self.pk}


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True)
    title = models.CharField(_("title"), max_length=500)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("price each"), max_digits=12, decimal_places=2)
    vat_included = models.BooleanField(_("price includes VAT"), default=True)
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="lines")
    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    circulation_type = models.CharField(
        max_length=16, choices=CirculationType.choices, default=CirculationType.NORMAL
    )
    received = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    invoiced = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claims = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="orderline_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="orderline_price"),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("received") + F("cancelled")),
                name="orderline_not_over_received",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("invoiced") + F("cancelled")),
                name="orderline_not_over_invoiced",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def outstanding(self) -> int:
        """Copies still to come."""
        return self.quantity - self.received - self.cancelled

    @property
    def commitment(self) -> Decimal:
        """What the fund still holds back for this line: ordered, not cancelled, not invoiced."""
        return (self.quantity - self.cancelled - self.invoiced) * self.unit_price


class Receipt(models.Model):
    """One copy that arrived for an order line."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="receipts")
    item = models.OneToOneField(Item, on_delete=models.PROTECT, related_name="receipt")
    batch = models.CharField(max_length=32, db_index=True)  # one arrival: what its labels print
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return str(self.item_id)


class Invoice(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="invoices")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="invoices")
    number = models.CharField(_("invoice number"), max_length=64)
    invoice_date = models.DateField(_("invoice date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invoice_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "number"], name="invoice_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.number}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, related_name="invoice_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("invoiced price each"), max_digits=12, decimal_places=2)
    vat_included = models.BooleanField(_("price includes VAT"), default=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="invoiceline_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoiceline_price"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.unit_price}"

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price

    @property
    def difference(self) -> Decimal:
        """Invoiced minus ordered, for this line's copies."""
        return self.quantity * (self.unit_price - self.order_line.unit_price)


class SuggestionState(models.TextChoices):
    RECEIVED = "received", _("received")
    REVIEW = "review", _("under review")
    ORDERED = "ordered", _("ordered")
    ARRIVED = "arrived", _("arrived")
    DECLINED = "declined", _("declined")


class Suggestion(models.Model):
    """A student's or teacher's wish for a title."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="suggestions")
    suggester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True)
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=200, blank=True)
    why = models.TextField(_("why"), blank=True)
    # hints from the look-up of the ISBN (``lookup.by_isbn``): our record, or where it was found
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    price_hint = models.DecimalField(
        _("price stated"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    record = models.ForeignKey(
        Record, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    found_in = models.CharField(_("found in"), max_length=100, blank=True)
    # a teacher's request for a topic of an annual plan: planning (a rung above) keeps the
    # entry, acquisitions only its id and the topic's name at the time of asking
    plan_entry_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    topic = models.CharField(_("for the topic"), max_length=300, blank=True)
    want_hold = models.BooleanField(_("reserve it for me when it arrives"), default=True)
    state = models.CharField(
        max_length=10, choices=SuggestionState.choices, default=SuggestionState.RECEIVED
    )
    decline_reason = models.TextField(_("reason"), blank=True)
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggestions"
    )
    hold_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="declined") | ~Q(decline_reason=""),
                name="suggestion_declined_with_reason",
            )
        ]

    def __str__(self) -> str:
        return self.title


class SelectionPolicy(models.Model):
    """The school's criteria for choosing materials, shown beside every selection list."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="selection_policy")
    text = models.TextField(_("selection criteria"), blank=True)
    tags = models.JSONField(_("criteria tags"), default=list, blank=True)
    keep_available_during_review = models.BooleanField(
        _("a title under reconsideration stays on the shelf"), default=True
    )

    def __str__(self) -> str:
        return str(self.school)


class SelectionList(models.Model):
    """Titles a librarian puts before the teachers of a subject or grade before ordering."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="selection_lists")
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    open = models.BooleanField(_("open for votes"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name


class Decision(models.TextChoices):
    PENDING = "pending", _("not decided")
    BUY = "buy", _("buy")
    SKIP = "skip", _("do not buy")


class SelectionEntry(models.Model):
    selection = models.ForeignKey(SelectionList, on_delete=models.CASCADE, related_name="entries")
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=500)
    isbn = models.CharField(_("ISBN"), max_length=17, blank=True)
    note = models.TextField(_("note"), blank=True)
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Vote(models.Model):
    """A teacher's vote (for or against) and comment on one title of a selection list."""

    entry = models.ForeignKey(SelectionEntry, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField()
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "voter"], name="vote_once"),
            models.CheckConstraint(condition=Q(value__in=[-1, 1]), name="vote_value"),
        ]

    def __str__(self) -> str:
        return f"{self.value:+d}"


class DigestSubscription(models.Model):
    """A person's weekly e-mail of the new materials of a subject and/or grade at a school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="material_digests"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "subject", "grade"], name="digest_subscription_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.grade or ''}".strip()


class ReconsiderationState(models.TextChoices):
    RECEIVED = "received", _("received")
    REVIEW = "review", _("under review")
    DECIDED = "decided", _("decided")


class ReconsiderationDecision(models.TextChoices):
    RETAIN = "retain", _("keep as it is")
    MOVE = "move", _("keep for older readers")
    WITHDRAW = "withdraw", _("withdraw")


class Reconsideration(models.Model):
    """A request to reconsider a title: who asked and why, what they read, the committee's
    review under the school's policy and the decision with its reasons."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(_("what concerns you about it"))
    read_whole = models.BooleanField(_("I have read, seen or heard all of it"), default=False)
    what_read = models.TextField(_("what you read, saw or heard"), blank=True)
    state = models.CharField(
        max_length=10, choices=ReconsiderationState.choices, default=ReconsiderationState.RECEIVED
    )
    committee = models.TextField(_("committee"), blank=True)
    available_during_review = models.BooleanField(default=True)
    decision = models.CharField(max_length=10, choices=ReconsiderationDecision.choices, blank=True)
    decision_reasons = models.TextField(_("reasons for the decision"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="decided") | (~Q(decision="") & ~Q(decision_reasons="")),
                name="reconsideration_decided_with_reasons",
            )
        ]

    def __str__(self) -> str:
        return str(self.record)
