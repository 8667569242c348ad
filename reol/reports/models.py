"""What the reports keep of their own: a school's weeding guidance per classification section.

Everything else a report shows is read from the other apps' tables at the time it is asked.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School


class WeedingRule(models.Model):
    """CREW/MUSTIE guidance for one classification section at one school.

    ``section`` is the start of a class number (DK5 "sk", "79", DDC "500"); a copy belongs to the
    longest matching section. A school without rows weeds by ``weeding.DEFAULT_RULES``.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="weeding_rules", verbose_name=_("school")
    )
    section = models.CharField(_("section"), max_length=16)
    label = models.CharField(_("name"), max_length=100, blank=True, default="")
    max_age_years = models.PositiveSmallIntegerField(_("weed when older than (years)"))
    unused_years = models.PositiveSmallIntegerField(_("or not lent for (years)"))

    class Meta:
        verbose_name = _("weeding rule")
        verbose_name_plural = _("weeding rules")
        ordering = ["school", "section"]
        constraints = [
            models.UniqueConstraint(fields=["school", "section"], name="weeding_section_once"),
            models.CheckConstraint(
                condition=Q(max_age_years__gte=1, max_age_years__lte=100)
                & Q(unused_years__gte=1, unused_years__lte=50),
                name="weeding_years_sensible",
                violation_error_message=_("Give 1–100 years of age and 1–50 years unused."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.section}: {self.max_age_years}/{self.unused_years}"


class Level(models.IntegerChoices):
    BEGINNING = 1, _("beginning")
    DEVELOPING = 2, _("developing")
    ESTABLISHED = 3, _("established")
    LEADING = 4, _("leading")


class Evaluation(models.Model):
    """A school's yearly self-evaluation of its library programme against a standard it chose
    (a shipped template, copied so the school may edit it, or last year's criteria)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("school")
    )
    school_year = models.CharField(_("school year"), max_length=16)
    standard = models.CharField(_("standard"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("self-evaluation")
        verbose_name_plural = _("self-evaluations")
        ordering = ["school", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="evaluation_one_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.school_year}: {self.standard}"


class Criterion(models.Model):
    """One criterion of an evaluation: where the programme stands, why, and what comes next."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"))
    heading = models.CharField(_("criterion"), max_length=200)
    text = models.TextField(_("description"), blank=True, default="")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True, default="")
    evidence = models.JSONField(_("evidence from the reports"), default=list, blank=True)
    goals = models.TextField(_("goals for next year"), blank=True, default="")

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["evaluation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "position"], name="criterion_position"),
            models.CheckConstraint(
                condition=Q(level__isnull=True) | Q(level__gte=1, level__lte=4),
                name="criterion_level_range",
            ),
        ]

    def __str__(self) -> str:
        return self.heading


class ReadingResult(models.Model):
    """The aggregated result of one reading test in one class (never a student's): how many
    took it, and counts per level and/or a mean, imported by the school (``results_import``).

    A row about fewer than five children is refused at import (that is close to one child's
    result), and the report withholds it anyway. Importing the same class, test and date again
    replaces the row.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="reading_results", verbose_name=_("school")
    )
    school_year = models.CharField(_("school year"), max_length=16)
    group_name = models.CharField(_("class"), max_length=64)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    test = models.CharField(_("test"), max_length=100)
    taken_on = models.DateField(_("date"))
    tested = models.PositiveIntegerField(_("students tested"))
    mean = models.DecimalField(_("mean"), max_digits=7, decimal_places=2, null=True, blank=True)
    levels = models.JSONField(_("students per level"), default=list, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reading test result")
        verbose_name_plural = _("reading test results")
        ordering = ["school", "-taken_on", "group_name", "test"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "group_name", "test", "taken_on"], name="reading_result_once"
            ),
            models.CheckConstraint(condition=Q(tested__gte=5), name="reading_result_five_tested"),
        ]
        indexes = [models.Index(fields=["school", "taken_on"])]

    def __str__(self) -> str:
        return f"{self.group_name} {self.test} {self.taken_on}"
