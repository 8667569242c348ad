"""Tenancy, people, roles, audit and the opening calendar.

Municipality → School → Location is the tenancy tree: a record in the catalogue belongs to the
municipality, a copy, a patron or a loan belongs to a school. Roles are held *per school*
(``Membership``), except the municipal consultant, whose role spans the municipality.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .languages import language_choices
from .text import fold


class Municipality(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("municipality"),
    )
    code = models.SlugField(
        _("code"), max_length=32, unique=True, help_text=_("Short code, e.g. 'nordskolen'.")
    )
    name = models.CharField(_("name"), max_length=200)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=language_choices, default="da"
    )
    email = models.EmailField(_("library e-mail"), blank=True)
    keep_loan_history = models.BooleanField(
        _("keep loan history"),
        default=False,
        help_text=_("Keep students' returned loans (only for students who also opt in)."),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place copies live in: a room, an area of a room, a shelf."""

    class Kind(models.TextChoices):
        ROOM = "room", _("room")
        AREA = "area", _("area")
        SHELF = "shelf", _("shelf")
        STORE = "store", _("store room")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="locations", verbose_name=_("school")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("inside"),
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SHELF)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["school", "name"]
        constraints = [
            # "Faglit" and "faglit" are the same shelf to a person reading a label.
            models.UniqueConstraint(
                F("school"),
                Lower("code"),
                name="location_code_unique_in_school_ci",
                violation_error_message=_("This school already has a location with that code."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """Anyone who signs in: staff, teachers, students, the municipal consultant.

    Students may sign in with their library card's barcode and a PIN instead of a password;
    the PIN is hashed like a password.
    """

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, choices=language_choices
    )
    # Unique regardless of case (a constraint below): scanners and people type "a0001" too.
    # NULL, not "", for "no card", because many people have none.
    card_barcode = models.CharField(  # noqa: DJ001
        _("card barcode"), max_length=64, null=True, blank=True
    )
    pin_hash = models.CharField(max_length=256, blank=True, editable=False)
    # Folded "first last username card", kept by save(); what the people search matches.
    search_text = models.CharField(max_length=520, blank=True, editable=False)
    # Raised by "sign out everywhere else": part of the session hash, so every other session
    # of the person ends (``reol.core.accounts.end_other_sessions``).
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    SEARCHED_FIELDS = ("first_name", "last_name", "username", "card_barcode")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("card_barcode"),
                name="user_card_barcode_unique_ci",
                violation_error_message=_("Another person has this card barcode."),
            ),
            # The services refuse "Ida" beside "ida"; this says it to the database too, and is
            # the index the desk's scan of a username ("LOWER(username) = …") reads.
            models.UniqueConstraint(
                Lower("username"),
                name="user_username_unique_ci",
                violation_error_message=_("Another person has this username."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's HMAC of the password, and of the session generation once it was raised
        (generation 0 gives Django's own hash, so no session ends when this code arrives)."""
        if not self.session_generation:
            return super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
        return salted_hmac(
            "reol.core.models.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = fold(
            " ".join(str(getattr(self, f) or "") for f in self.SEARCHED_FIELDS)
        )[:520]
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCHED_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("administrator")
    LIBRARIAN = "librarian", _("librarian")
    TEACHER = "teacher", _("teacher")
    STUDENT = "student", _("student")
    VOLUNTEER = "volunteer", _("volunteer")
    CONSULTANT = "consultant", _("municipal consultant")


class Membership(models.Model):
    """A person's role at one school, or (for the consultant) across a municipality."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school", "role"],
                condition=Q(school__isnull=False),
                name="membership_unique_role_at_school",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                condition=Q(school__isnull=True),
                name="membership_unique_role_in_municipality",
            ),
            # Only the consultant's role spans a municipality; every other role is at a school.
            models.CheckConstraint(
                condition=Q(role="consultant", school__isnull=True)
                | (~Q(role="consultant") & Q(school__isnull=False)),
                name="membership_scope_matches_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.school or self.municipality}"


class AuditEvent(models.Model):
    """One row per write: who did what to which object, when and from where.

    Written by ``reol.core.audit.record`` inside the service's transaction, so an event exists
    exactly when the change it describes was committed.
    """

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=150, blank=True)
    action = models.CharField(_("what"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    # object_repr folded, for the audit log's case-insensitive filter (see reol.core.text).
    object_key = models.CharField(max_length=200, blank=True, editable=False)
    school = models.ForeignKey(
        School, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("from"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=16, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A bearer token for integrations. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            # a name tells a person's active tokens apart ("the SIP kiosk", "the report job")
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True) & ~models.Q(name=""),
                name="api_token_name_unique_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class LoginFailure(models.Model):
    """A failed sign-in, kept for the throttle (see ``reol.core.auth``).

    ``user`` is the account the typed username or card number belongs to (none when it belongs
    to nobody); ``username`` is what was typed, folded.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # The known browser (see ``reol.core.auth.device_of``) the attempt came from; "" for none.
    device = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["username", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


# --- Opening calendar -------------------------------------------------------------------------


class SchoolYear(models.Model):
    """A school year with its first and last school day (e.g. 2026/27: 10 Aug – 25 Jun)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="school_years")
    name = models.CharField(_("name"), max_length=32)
    starts = models.DateField(_("first school day"))
    ends = models.DateField(_("last school day"))

    class Meta:
        verbose_name = _("school year")
        verbose_name_plural = _("school years")
        ordering = ["school", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="schoolyear_order"
            ),
            models.UniqueConstraint(fields=["school", "name"], name="schoolyear_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("name"), max_length=64)
    starts = models.DateField(_("starts"))
    ends = models.DateField(_("ends"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="term_order"),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """The library's hours on one weekday. A weekday without a row is a closed day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"), default=dt.time(8, 0))
    closes = models.TimeField(_("closes"), default=dt.time(15, 0))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["school", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday"], name="openinghours_one_per_day"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="openinghours_order"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="openinghours_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedPeriod(models.Model):
    """Holidays and other closed days, inclusive of both ends."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("school holiday")
        SUMMER = "summer", _("summer holiday")
        CLOSED = "closed", _("library closed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closed_periods")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    starts = models.DateField(_("from"))
    ends = models.DateField(_("to"))

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["school", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gte=models.F("starts")), name="closedperiod_order"
            ),
        ]

    def __str__(self) -> str:
        starts = date_format(self.starts, "MONTH_DAY_FORMAT")
        return f"{self.name} ({starts}–{date_format(self.ends, 'MONTH_DAY_FORMAT')})"


class ResetRequest(models.Model):
    """A password-reset mail asked for, kept a day for the rate limit (``reol.core.accounts``).

    ``user`` is the account the mail went to (none when the address belongs to nobody).
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "at"]),
            models.Index(fields=["ip_address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M}"


# Second factors and sessions live in their own module; imported here so Django finds them.
from .signin_models import RecoveryCode, SignInSession, TotpDevice  # noqa: E402

__all__ = [
    "ApiToken",
    "AuditEvent",
    "ClosedPeriod",
    "Location",
    "LoginFailure",
    "Membership",
    "Municipality",
    "OpeningHours",
    "RecoveryCode",
    "ResetRequest",
    "Role",
    "School",
    "SchoolYear",
    "SignInSession",
    "Term",
    "TotpDevice",
    "User",
]
