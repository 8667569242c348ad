"""Reading lists: titles staff pick for a grade or a topic, shown on the public catalogue.

A list belongs to one school, or (``school`` empty) to the whole municipality, so a consultant's
or a librarian's list for "3rd grade: first chapter books" reaches every school. They live in
the catalogue (not in the OPAC, a front door) so that both the OPAC and planning (a topic's
resource list published as a reading list) can use them; the tables keep their old names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Record
from reol.core.models import Municipality, School


class ReadingList(models.Model):
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="+", verbose_name=_("municipality")
    )
    # Empty: a list for every school of the municipality.
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reading_lists",
        verbose_name=_("school"),
    )
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(
        _("for whom"),
        max_length=100,
        blank=True,
        help_text=_("A grade or a topic, e.g. “3rd grade”."),
    )
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("shown in the public catalogue"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "opac_readinglist"
        verbose_name = _("reading list")
        verbose_name_plural = _("reading lists")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["municipality", "school", "published"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="readinglist_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title


class ReadingListEntry(models.Model):
    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        db_table = "opac_readinglistentry"
        verbose_name = _("reading list entry")
        verbose_name_plural = _("reading list entries")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "record"],
                name="readinglistentry_once_per_list",
                violation_error_message=_("This title is already on the list."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reading_list_id}: {self.record_id}"
