"""Development projects: a member library's project (a model library, an application to a
development pool) with purpose, themes, partners, a budget, milestones and tasks.

Invariants kept by the database: one host (a school or a member library); a budget is never
negative; titles are not empty.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reol.core.models import School

from .networks import Network, NetworkLibrary
from .pd import TaskBase


class Project(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="projects")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    library = models.ForeignKey(
        NetworkLibrary, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    themes = models.CharField(_("themes"), max_length=300, blank=True)
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=12, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="planned")
    application = models.TextField(_("application text"), blank=True)
    final_report = models.TextField(_("final report"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("development project")
        verbose_name_plural = _("development projects")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, library__isnull=True)
                | Q(school__isnull=True, library__isnull=False),
                name="project_one_host",
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="project_budget_not_negative"),
            models.CheckConstraint(condition=~Q(title=""), name="project_title"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def host(self) -> object:
        return self.school or self.library


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due = models.DateField(_("by"))
    done = models.BooleanField(_("reached"), default=False)

    class Meta:
        ordering = ["due", "id"]
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="milestone_title")]

    def __str__(self) -> str:
        return self.title


class ProjectTask(TaskBase):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)

    class Meta(TaskBase.Meta):
        constraints = [models.CheckConstraint(condition=~Q(title=""), name="projecttask_title")]

    def __str__(self) -> str:
        return self.title
