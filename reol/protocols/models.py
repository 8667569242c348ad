"""Which schools share their part of the catalogue over SRU and OAI-PMH."""

from __future__ import annotations

from django.conf import settings
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


class SipTerminal(models.Model):
    """A self-service kiosk or sorter: signs in over SIP2 (93) with its own login, and acts
    at one school (and location) through its own account, which has the desk's permission
    there and no other — so a kiosk can do exactly what the desk allows, and the audit log
    names the terminal."""

    class Encoding(models.TextChoices):
        UTF8 = "utf-8", "UTF-8"
        CP850 = "cp850", _("IBM 850 (older kiosks)")
        LATIN1 = "latin-1", "ISO 8859-1"

    login = models.CharField(_("login (CN)"), max_length=32, unique=True)
    password_hash = models.CharField(max_length=128)
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        "core.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    encoding = models.CharField(
        _("character set"), max_length=16, choices=Encoding.choices, default=Encoding.UTF8
    )
    require_pin = models.BooleanField(_("patrons must give their PIN"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SIP2 terminal")
        verbose_name_plural = _("SIP2 terminals")
        ordering = ["login"]

    def __str__(self) -> str:
        return self.login
