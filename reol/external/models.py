"""External collections: catalogues beyond the school, interlibrary loans, licensed media.

* ``ExternalTarget``: a catalogue searched beside ours (the public library, a union catalogue,
  the teaching-materials centre), with its connector, timeout, who sees it, how to request from
  it, and its circuit breaker's state (in the database, so every web worker shares it).
* ``IllRequest``: one interlibrary loan, through ``states.TRANSITIONS``; while the lender's copy
  is here it is a temporary ``catalog.Item`` with the lender's due date.
* ``Licence`` and ``LicenceUse``: a streamed film's or e-resource's licence and its monthly use
  counts (aggregates only: who opened it is never kept).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Item, Record
from reol.core.models import Municipality, School
from reol.core.sealed import SealedField
from reol.patrons.models import Group

from .states import COPY_HERE, IllState


class TargetKind(models.TextChoices):
    PUBLIC_LIBRARY = "public", _("public library")
    UNION_CATALOGUE = "union", _("union catalogue")
    MATERIALS_CENTRE = "materials", _("teaching-materials centre")
    SCHOOL_LIBRARY = "school", _("another school library")


class RequestMethod(models.TextChoices):
    ISO18626 = "iso18626", _("ISO 18626 message")
    EMAIL = "email", _("e-mail")
    FORM = "form", _("printed form")
    SIBLING = "school", _("a school of our municipality, in Reol")


class ExternalTarget(models.Model):
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    # None: every school of the municipality searches it.
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TargetKind.choices)
    connector = models.CharField(
        _("connector"), max_length=16, default="sru", choices=[("sru", "SRU")]
    )
    base_url = models.URLField(_("address"), max_length=500)
    sru_version = models.CharField(
        _("SRU version"),
        max_length=8,
        default="1.2",
        choices=[("1.1", "1.1"), ("1.2", "1.2"), ("2.0", "2.0")],
    )
    students_see = models.BooleanField(_("students see it"), default=True)
    request_method = models.CharField(
        _("how to request"), max_length=16, choices=RequestMethod.choices, default="email"
    )
    request_email = models.EmailField(_("e-mail for requests"), blank=True)
    iso18626_url = models.URLField(_("ISO 18626 address"), max_length=500, blank=True)
    lender_symbol = models.CharField(_("lender's ISIL or symbol"), max_length=32, blank=True)
    # A partner speaking ISO 18626: the token it shows us (kept as a SHA-256 digest), and
    # the token we show it; a sibling school lends through Reol itself.
    partner_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    outgoing_token = SealedField(_("token for the partner"), blank=True)  # sealed at rest
    lending_school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lending school"),
    )
    timeout_ms = models.PositiveIntegerField(_("time-out (ms)"), default=3000)
    enabled = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    # The circuit breaker (see ``breaker``): failures in a row, and since when it is open.
    failures = models.PositiveIntegerField(default=0, editable=False)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The partner's messages to us in the current minute (``throttle``).
    calls_minute = models.DateTimeField(null=True, blank=True, editable=False)
    calls = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("external catalogue")
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(timeout_ms__gte=100, timeout_ms__lte=30000),
                name="externaltarget_timeout_range",
            ),
            models.CheckConstraint(
                condition=~Q(request_method="email") | ~Q(request_email=""),
                name="externaltarget_email_for_email",
            ),
            models.CheckConstraint(
                condition=~Q(request_method="school") | Q(lending_school__isnull=False),
                name="external_target_school_for_sibling",
            ),
            models.UniqueConstraint(
                fields=["partner_token_hash"],
                condition=~Q(partner_token_hash=""),
                name="external_target_token_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class IllRequest(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    target = models.ForeignKey(
        ExternalTarget, on_delete=models.PROTECT, null=True, blank=True, related_name="requests"
    )
    title = models.CharField(_("title"), max_length=500, blank=True)
    author = models.CharField(_("author"), max_length=255, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    # The annual-plan week it is wanted for (ISO week), if a teacher gave one.
    week_year = models.PositiveSmallIntegerField(null=True, blank=True)
    week = models.PositiveSmallIntegerField(_("week"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=IllState.choices, default=IllState.REQUESTED
    )
    lender_reference = models.CharField(_("lender's reference"), max_length=64, blank=True)
    lender_due = models.DateField(_("lender's due date"), null=True, blank=True)
    lender_note = models.CharField(_("lender's answer"), max_length=500, blank=True)
    item = models.OneToOneField(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="ill_request"
    )
    # A sibling school's own copy, sent to us in transit (the temporary copy stands for it here).
    supplier_item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interlibrary loan")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=IllState.values), name="illrequest_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(title="") | ~Q(topic=""), name="illrequest_title_or_topic"
            ),
            models.CheckConstraint(
                condition=Q(week__isnull=True, week_year__isnull=True)
                | Q(week__gte=1, week__lte=53, week_year__isnull=False),
                name="illrequest_week_whole",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=sorted(COPY_HERE))
                | Q(item__isnull=False, lender_due__isnull=False),
                name="illrequest_copy_while_here",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.topic


class Audience(models.TextChoices):
    SIGNED_IN = "signed_in", _("everyone signed in at the school")
    GROUP = "group", _("one class")
    NETWORK = "network", _("on the school's network")


class Licence(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="licences")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    provider = models.CharField(_("provider"), max_length=200)
    url = models.URLField(_("link"), max_length=1000)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))
    audience = models.CharField(_("who may use it"), max_length=16, choices=Audience.choices)
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    networks = models.CharField(
        _("school network addresses"),
        max_length=500,
        blank=True,
        help_text=_("Address ranges, e.g. 10.20.0.0/16, separated by spaces."),
    )
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=2, default=Decimal("0"))
    show_in_class = models.BooleanField(_("may be shown in class"), default=True)
    share_on_platform = models.BooleanField(
        _("may be shared on the learning platform"), default=False
    )
    excerpts = models.BooleanField(_("excerpts may be made"), default=False)
    warned_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("licence")
        ordering = ["ends", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="external_licence_period"
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="external_licence_cost_positive"),
            models.CheckConstraint(
                condition=~Q(audience="group") | Q(group__isnull=False),
                name="external_licence_group_given",
            ),
            models.CheckConstraint(
                condition=~Q(audience="network") | ~Q(networks=""),
                name="external_licence_networks_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider}: {self.record_id}"


class LicenceUse(models.Model):
    """How often a licence was opened in a month: a count, never who."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="uses")
    month = models.DateField()  # the first day of the month
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "month"], name="external_licenceuse_once_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.count}"


class PartnerRequestState(models.TextChoices):
    NEW = "new", _("new")
    WILL_SUPPLY = "will_supply", _("will supply")
    LOANED = "loaned", _("lent to the partner")
    UNFILLED = "unfilled", _("cannot supply")
    RETURNED = "returned", _("sent back by the partner")
    COMPLETED = "completed", _("back on our shelf")
    CANCELLED = "cancelled", _("cancelled by the partner")


class PartnerRequest(models.Model):
    """A partner library's ISO 18626 request to borrow from one of our schools."""

    partner = models.ForeignKey(ExternalTarget, on_delete=models.PROTECT, related_name="asked")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    their_id = models.CharField(max_length=64)  # requestingAgencyRequestId
    title = models.CharField(_("title"), max_length=500)
    author = models.CharField(_("author"), max_length=255, blank=True)
    isbn = models.CharField(_("ISBN"), max_length=20, blank=True)
    year = models.CharField(_("year"), max_length=10, blank=True)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=PartnerRequestState.choices,
        default=PartnerRequestState.NEW,
    )
    due = models.DateField(_("due back"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Our copy lent to the partner (on loan to it through circulation while it is away).
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partner's request")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "their_id"], name="external_partnerrequest_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PartnerRequestState.values),
                name="external_partnerrequest_state_known",
            ),
            models.CheckConstraint(
                condition=~Q(state="loaned") | Q(due__isnull=False),
                name="external_partnerrequest_due_when_loaned",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LicenceSeat(models.Model):
    """One seat of a licence taken by a browser session until ``until`` (never who: the
    session's digest only); live seats are counted against ``Licence.seats``."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="seats_taken")
    holder = models.CharField(max_length=64)
    until = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["licence", "holder"], name="external_seat_once")
        ]

    def __str__(self) -> str:
        return f"{self.licence_id} until {self.until:%H:%M}"


class InfoDatabase(models.Model):
    """An information or news database the school (or every school of the municipality)
    subscribes to, shown to students by grade band and subject."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    url = models.URLField(_("link"), max_length=1000)
    description = models.CharField(_("what it holds"), max_length=500, blank=True)
    access = models.CharField(_("how to get in"), max_length=500, blank=True)
    licence = models.ForeignKey(
        Licence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("licence"),
    )
    grade_from = models.PositiveSmallIntegerField(_("from grade"), default=0)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), default=10)
    subjects = models.CharField(
        _("subjects"), max_length=300, blank=True, help_text=_("Separated by commas.")
    )
    students_see = models.BooleanField(_("students see it"), default=True)

    class Meta:
        verbose_name = _("information database")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(grade_from__lte=models.F("grade_to"), grade_to__lte=13),
                name="external_infodatabase_grades",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject_list(self) -> list[str]:
        return [s.strip() for s in self.subjects.split(",") if s.strip()]


class OutgoingState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENDING = "sending", _("being sent")
    SENT = "sent", _("accepted by the partner")
    FAILED = "failed", _("not delivered")


class OutgoingMessage(models.Model):
    """One ISO 18626 message to a partner, kept until the partner accepts it (``outbox``).

    Written in the same transaction as the change it tells of; sent after commit, retried with
    backoff while the partner is down, in order per request (``conversation``: the
    requestingAgencyRequestId), and never sent again once accepted."""

    partner = models.ForeignKey(ExternalTarget, on_delete=models.PROTECT, related_name="outgoing")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    conversation = models.CharField(max_length=64)
    kind = models.CharField(max_length=32)  # request, supplyingAgencyMessage, …
    what = models.CharField(_("message"), max_length=60)  # the status or action it carries
    body = models.TextField()
    state = models.CharField(
        _("state"), max_length=16, choices=OutgoingState.choices, default=OutgoingState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField()
    last_error = models.CharField(_("partner's error"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message to a partner")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["partner", "conversation", "id"], name="external_outgoing_order"),
            models.Index(
                fields=["next_try_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="external_outgoing_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=OutgoingState.values), name="external_outgoing_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state="sent") | Q(sent_at__isnull=False),
                name="external_outgoing_sent_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation}: {self.what} ({self.state})"
