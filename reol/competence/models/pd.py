"""The library's own professional development work at a school: workshops and meetings with
subject committees (or courses it gives teachers), with minutes, decisions and follow-up tasks,
who took part and for how long (a person's training record counts those hours).

Invariants kept by the database: titles and task texts are not empty; a workshop's hours are
never negative; a person takes part in a workshop once (the many-to-many table's key).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class TaskBase(models.Model):
    """What a follow-up task and a project task share: who does it, by when, and whether done."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    due = models.DateField(_("by"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        abstract = True
        ordering = ["done", "due", "id"]


class Workshop(models.Model):
    class Kind(models.TextChoices):
        WORKSHOP = "workshop", _("workshop")
        MEETING = "meeting", _("knowledge-sharing meeting")
        COURSE = "course", _("course for teachers")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default="workshop")
    title = models.CharField(_("title"), max_length=200)
    committee = models.CharField(_("subject committee or team"), max_length=100, blank=True)
    subject = models.CharField(_("subject"), max_length=100, blank=True)
    held_on = models.DateField(_("held on"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=0)
    attendees = models.PositiveSmallIntegerField(_("participants"), default=0)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="pd_workshops",
        blank=True,
        verbose_name=_("who took part"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="workshop_title"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="workshop_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class FollowUpTask(TaskBase):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tasks")
    text = models.CharField(_("task"), max_length=300)

    class Meta(TaskBase.Meta):
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="followuptask_text")]

    def __str__(self) -> str:
        return self.text
