"""Roster imports: the column-mapping presets a school saves, and each import run.

A ``RosterImport`` is one run over one uploaded file: a dry run (what would change) or the real
import. The page saves the upload under ``var/imports/``, runs the importer in a thread and polls
the row; the file is deleted after the real import (it holds children's names) or after a day.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class Format(models.TextChoices):
    CSV = "csv", _("CSV (a row per person)")
    ONEROSTER = "oneroster", _("OneRoster (zip)")


class MappingPreset(models.Model):
    """A saved CSV column mapping: Reol field → the column's name in the school's export."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(default=dict)
    default_category = models.CharField(max_length=16, default="student")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="mappingpreset_name_unique"),
            models.CheckConstraint(condition=~Q(name=""), name="mappingpreset_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class RosterImport(models.Model):
    class State(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for the mapping")
        QUEUED = "queued", _("waiting")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(max_length=16, choices=Format.choices)
    dry_run = models.BooleanField(default=True)
    # The dry run this import was confirmed from (None for a dry run, or the command line).
    checked_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # mapping, default_category, school_year, org, card_from, deactivate_missing, good_rows
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=16, choices=State.choices, default=State.UPLOADED)
    phase = models.CharField(max_length=32, blank=True)
    percent = models.PositiveSmallIntegerField(default=0)
    counts = models.JSONField(default=dict)
    facts = models.JSONField(default=dict)
    problems = models.JSONField(default=list)
    changes = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    saved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="rosterimport_percent"),
            # A dry run never saves anything.
            models.CheckConstraint(
                condition=Q(dry_run=False) | Q(saved=False),
                name="rosterimport_dry_run_saves_nothing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def errors(self) -> list[dict[str, object]]:
        return [p for p in self.problems if p.get("level") == "error"]

    @property
    def warnings(self) -> list[dict[str, object]]:
        return [p for p in self.problems if p.get("level") == "warning"]
