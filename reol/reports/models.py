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
