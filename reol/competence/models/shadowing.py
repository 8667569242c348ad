"""Job-shadowing: placements offered by member libraries, requests by staff, matched and
scheduled by a coordinator; the visitor's goals before and reflection after.

Invariants kept by the database: a placement has one host (a school or a member library) and
ends on or after it starts; a person has one live request per placement; a matched or
completed request has its dates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School

from .networks import Network, NetworkLibrary


class Placement(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="placements")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    library = models.ForeignKey(
        NetworkLibrary, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    learn = models.TextField(_("what one can learn here"))
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(_("available to"))
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("job-shadowing placement")
        verbose_name_plural = _("job-shadowing placements")
        ordering = ["available_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, library__isnull=True)
                | Q(school__isnull=True, library__isnull=False),
                name="placement_one_host",
            ),
            models.CheckConstraint(
                condition=Q(available_to__gte=F("available_from")), name="placement_dates"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="placement_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> object:
        return self.school or self.library


class ShadowingRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        MATCHED = "matched", _("matched and scheduled")
        DECLINED = "declined", _("declined")
        COMPLETED = "completed", _("completed")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="requests")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shadowing_requests"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    goals = models.TextField(_("my goals"))
    starts = models.DateField(_("from"), null=True, blank=True)
    ends = models.DateField(_("to"), null=True, blank=True)
    reflection = models.TextField(_("my reflection afterwards"), blank=True)
    shared = models.BooleanField(_("share my reflection with the network"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("job-shadowing request")
        verbose_name_plural = _("job-shadowing requests")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "visitor"],
                condition=~Q(status="declined"),
                name="shadowing_one_live_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "declined"])
                | Q(starts__isnull=False, ends__isnull=False, ends__gte=F("starts")),
                name="shadowing_matched_has_dates",
            ),
            models.CheckConstraint(condition=~Q(goals=""), name="shadowing_goals"),
        ]

    def __str__(self) -> str:
        return f"{self.placement} · {self.visitor}"
