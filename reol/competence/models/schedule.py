"""Who staffs the school's library (learning centre) when: staff and volunteers' shifts, and
the secret calendar addresses that serve a school's schedule.

Invariants kept by the database: a shift ends after it starts; a person starts one shift at a
time (one row per person, school, day and start; overlaps are the service's rule).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class Shift(models.Model):
    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        VOLUNTEER = "volunteer", _("volunteer")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="library_shifts",
        verbose_name=_("who"),
    )
    kind = models.CharField(_("as"), max_length=12, choices=Kind.choices, default=Kind.STAFF)
    day = models.DateField(_("day"))
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("to"))
    task = models.CharField(_("task"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["day", "starts", "id"]
        indexes = [models.Index(fields=["school", "day"])]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="shift_ends_after"),
            models.CheckConstraint(
                condition=Q(kind__in=["staff", "volunteer"]), name="shift_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["school", "person", "day", "starts"], name="shift_start_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.day} {self.starts:%H:%M}–{self.ends:%H:%M}"


class ScheduleFeed(models.Model):
    """A secret address serving a school's library schedule as iCalendar (as planning's feeds:
    the address is the credential; revoked, or its owner without the role, it answers 404)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedule_feeds"
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} · {self.school}"
