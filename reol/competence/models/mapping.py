"""Competence mapping: a network's framework of areas, its self-assessment surveys, the answers.

Invariants kept by the database: an area's code is unique in its network; a person answers a
survey once, from one workplace (a school or a member library, never both or neither); a level
is 1–5; an area is answered once per answer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from reol.core.models import School

from .networks import Network, NetworkLibrary

LEVELS = [(n, str(n)) for n in range(1, 6)]


class CompetenceArea(models.Model):
    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(_("code"), max_length=40)
    name_da = models.CharField(_("name (Danish)"), max_length=120)
    name_nb = models.CharField(_("name (Norwegian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="competencearea_code_once"),
            models.CheckConstraint(condition=~Q(name_en=""), name="competencearea_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language (English when that one is empty)."""
        language = (translation.get_language() or "en")[:2]
        return str(getattr(self, f"name_{language}", "") or self.name_en)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for answers")
        CLOSED = "closed", _("closed")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="draft")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("competence survey")
        verbose_name_plural = _("competence surveys")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="survey_title"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "closed"]), name="survey_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SurveyResponse(models.Model):
    """One person's self-assessment. Seen by that person and their own leader only."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    library = models.ForeignKey(
        NetworkLibrary, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    wishes = models.TextField(_("what I would like to learn"), blank=True)
    comment = models.TextField(_("anything else"), blank=True)
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["survey", "user"], name="surveyresponse_once"),
            models.CheckConstraint(
                condition=Q(school__isnull=False, library__isnull=True)
                | Q(school__isnull=True, library__isnull=False),
                name="surveyresponse_one_workplace",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.user}"


class AreaAnswer(models.Model):
    """Where I am (``level``) and where my work needs me to be (``needed``), 1–5."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    area = models.ForeignKey(CompetenceArea, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("my level now"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    needed = models.PositiveSmallIntegerField(
        _("level my work needs"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    wish = models.BooleanField(_("I want a course in this"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "area"], name="areaanswer_once"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5, needed__gte=1, needed__lte=5),
                name="areaanswer_levels_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.level}/{self.needed}"
