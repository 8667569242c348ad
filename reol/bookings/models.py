"""Bookings of the learning centre: rooms, equipment and copies (class sets) for future dates.

* ``Resource``: a room (the media workshop) or equipment (cameras, a green screen, robots,
  laptop trolleys) of a school. Equipment may have several ``units`` (10 cameras as one
  resource); a room is always one.
* ``Booking``: who booked what for which days (and, for rooms, which hours of those days).
  Its lifecycle is ``states.BOOKING_TRANSITIONS``: planned → checked out → returned, or
  planned → cancelled.
* ``BookingLine``: one thing booked: N copies of a record (a class set), one named copy, or
  a resource. Exactly one of the three (a CHECK constraint).
* ``BookingLoan``: the loans made when the booking was checked out, so the booking page can
  say which copies are back.
* ``BookingNotice``: the e-mails sent (confirmation, reminder), one of each kind per booking,
  so the reminder command can run any number of times.

The rules that span rows (no double-booking, never promising copies that are lent) are
enforced by ``services.book`` under a row lock of the record or resource; what one row alone
can say is a database constraint here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reol.catalog.models import Item, Record
from reol.core.models import Location, School


class Resource(models.Model):
    class Kind(models.TextChoices):
        ROOM = "room", _("room")
        EQUIPMENT = "equipment", _("equipment")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="booking_resources", verbose_name=_("school")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ROOM)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True, default="")
    location = models.ForeignKey(
        Location,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("location"),
    )
    units = models.PositiveSmallIntegerField(
        _("how many"), default=1, help_text=_("For equipment: how many there are (10 cameras).")
    )
    active = models.BooleanField(_("can be booked"), default=True)

    class Meta:
        verbose_name = _("room or equipment")
        verbose_name_plural = _("rooms and equipment")
        ordering = ["school", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="resource_name_unique"),
            models.CheckConstraint(condition=Q(units__gte=1), name="resource_units_positive"),
            models.CheckConstraint(
                condition=~Q(kind="room") | Q(units=1), name="resource_room_is_one"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["room", "equipment"]), name="resource_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BookingState(models.TextChoices):
    PLANNED = "planned", _("planned")
    CHECKED_OUT = "checked_out", _("checked out")
    RETURNED = "returned", _("returned")
    CANCELLED = "cancelled", pgettext_lazy("an event called off", "cancelled")


# Bookings that hold what they booked (the others are over).
HOLDING_STATES = (BookingState.PLANNED, BookingState.CHECKED_OUT)


def _name(user: object | None) -> str:
    if user is None:
        return "–"
    return str(user.get_full_name() or user.username)  # type: ignore[attr-defined]


class Booking(models.Model):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("school")
    )
    title = models.CharField(_("what for"), max_length=200, blank=True, default="")
    group = models.ForeignKey(
        "patrons.Group",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("class or group"),
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("teacher"),
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("booked by"),
    )
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))
    start_time = models.TimeField(_("from time"), null=True, blank=True)
    end_time = models.TimeField(_("to time"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=BookingState.choices, default=BookingState.PLANNED
    )
    created_at = models.DateTimeField(_("booked"), auto_now_add=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts", "start_time", "id"]
        indexes = [
            models.Index(fields=["school", "state", "starts", "ends"]),
            models.Index(fields=["teacher", "starts"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=F("starts")), name="booking_ends_after"),
            models.CheckConstraint(
                condition=Q(start_time__isnull=True, end_time__isnull=True)
                | Q(start_time__isnull=False, end_time__isnull=False, end_time__gt=F("start_time")),
                name="booking_times_pair",
            ),
            models.CheckConstraint(
                condition=Q(state__in=BookingState.values), name="booking_state_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(_("Booking %(number)s") % {"number": self.pk})

    @property
    def is_open(self) -> bool:
        return self.state in HOLDING_STATES

    @property
    def teacher_name(self) -> str:
        return _name(self.teacher)

    @property
    def booked_by_name(self) -> str:
        return _name(self.booked_by)

    @property
    def borrower_id(self) -> int | None:
        """Who the copies are lent to: the teacher, else whoever booked."""
        return self.teacher_id or self.booked_by_id


class BookingLine(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="lines")
    record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="booking_lines"
    )
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="booking_lines"
    )
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="booking_lines"
    )
    quantity = models.PositiveSmallIntegerField(_("how many"), default=1)

    class Meta:
        verbose_name = _("booked thing")
        verbose_name_plural = _("booked things")
        ordering = ["booking", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(record__isnull=False, item__isnull=True, resource__isnull=True)
                | Q(record__isnull=True, item__isnull=False, resource__isnull=True)
                | Q(record__isnull=True, item__isnull=True, resource__isnull=False),
                name="bookingline_exactly_one",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="bookingline_quantity"),
            models.CheckConstraint(
                condition=Q(item__isnull=True) | Q(quantity=1), name="bookingline_one_copy"
            ),
        ]

    def __str__(self) -> str:
        thing = self.record or self.item or self.resource
        return f"{self.quantity} × {thing}"


class BookingLoan(models.Model):
    """A loan made when the booking was checked out (one per copy)."""

    line = models.ForeignKey(BookingLine, on_delete=models.CASCADE, related_name="loans")
    loan = models.OneToOneField(
        "circulation.Loan", on_delete=models.CASCADE, related_name="booking_loan"
    )

    def __str__(self) -> str:
        return f"{self.line_id} → {self.loan_id}"


class BookingNotice(models.Model):
    """An e-mail sent about a booking; one of each kind per booking."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("confirmation")
        REMINDER = "reminder", _("reminder")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    recipient = models.CharField(max_length=254)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["booking", "kind"], name="bookingnotice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.kind} → {self.recipient}"
