"""Stocktaking: a session per shelf or school, and each copy scanned in it once (the report's
missing copies are the ones not scanned; see ``actions.stocktaking``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Item
from reol.core.models import School


class StocktakeSession(models.Model):
    """Counting the shelves of a school (or of one location and what is inside it).

    A session is a row, so it survives a closed laptop, a dead phone battery or the summer
    holiday: scanning goes on where it stopped until someone closes it.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="stocktakes", verbose_name=_("school")
    )
    location = models.ForeignKey(
        "core.Location",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stocktakes",
        verbose_name=_("location"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktaking session")
        verbose_name_plural = _("stocktaking sessions")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="stocktake_closed_after_opened",
            ),
        ]

    def __str__(self) -> str:
        opened = date_format(timezone.localtime(self.opened_at), "DATE_FORMAT")
        return self.name or f"{self.school.name}, {opened}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class StocktakeScan(models.Model):
    """One copy seen on the shelf during a session, and where it was seen."""

    session = models.ForeignKey(StocktakeSession, on_delete=models.CASCADE, related_name="scans")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="stocktake_scans")
    location = models.ForeignKey(
        "core.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scanned_at = models.DateTimeField(_("scanned"))
    scanned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("stocktaking scan")
        verbose_name_plural = _("stocktaking scans")
        ordering = ["-scanned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "item"], name="stocktake_scan_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.item_id}"
