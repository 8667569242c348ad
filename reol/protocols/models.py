"""Which schools share their part of the catalogue over SRU and OAI-PMH."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class SchoolPublication(models.Model):
    """A school's choice to publish its holdings over SRU and OAI-PMH.

    A school without a row publishes over both: the catalogue is already public through the
    OPAC, and these protocols only say the same thing to other systems. No patron data is
    ever published."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    sru = models.BooleanField(_("searchable over SRU"), default=True)
    oai = models.BooleanField(_("harvestable over OAI-PMH"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("catalogue sharing")
        verbose_name_plural = _("catalogue sharing")

    def __str__(self) -> str:
        return str(self.school)
