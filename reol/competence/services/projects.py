"""Development projects: start one for one's own library, add milestones and tasks, report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import User
from reol.core.permissions import Actor, Perm

from .. import access
from ..models import Milestone, Network, Project, ProjectTask


def may_edit(actor: Actor, project: Project) -> bool:
    """The host library's staff and the network's coordinators edit a project."""
    if access.may(actor, Perm.NETWORK_COORDINATE, project.network):
        return True
    if not isinstance(actor, User):
        return False
    host = access.Workplace(school=project.school, library=project.library)
    return host in access.workplaces(actor, project.network)


def _require_edit(actor: Actor, project: Project) -> None:
    if not may_edit(actor, project):
        raise PermissionDenied(_("Only the project's library and coordinators can change it."))


@transaction.atomic
def create_project(
    actor: User,
    network: Network,
    workplace: access.Workplace,
    *,
    title: str,
    purpose: str,
    themes: str = "",
    partners: str = "",
    budget: Decimal = Decimal("0"),
    application: str = "",
) -> Project:
    project = Project(
        network=network,
        school=workplace.school,
        library=workplace.library,
        title=title.strip(),
        purpose=purpose.strip(),
        themes=themes,
        partners=partners,
        budget=budget,
        application=application,
    )
    _require_edit(actor, project)
    if budget < 0:
        raise ValidationError({"budget": _("A budget is not negative.")})
    if not project.title or not project.purpose:
        raise ValidationError(_("Give the project a title and a purpose."))
    project.save()
    audit.record(actor, "project.create", project, details={"budget": str(budget)})
    return project


@transaction.atomic
def update_project(actor: Actor, project: Project, **changes: object) -> Project:
    """Change the status, texts or budget (audited with the budget before and after)."""
    _require_edit(actor, project)
    allowed = {"status", "purpose", "themes", "partners", "budget", "application", "final_report"}
    if set(changes) - allowed:
        raise ValidationError(_("Unknown field."))
    before = project.budget
    for name, value in changes.items():
        setattr(project, name, value)
    if project.budget < 0:
        raise ValidationError({"budget": _("A budget is not negative.")})
    if project.status not in Project.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    project.save()
    audit.record(
        actor,
        "project.update",
        project,
        details={"budget_before": str(before), "budget": str(project.budget)},
    )
    return project


@transaction.atomic
def add_milestone(actor: Actor, project: Project, *, title: str, due: dt.date) -> Milestone:
    _require_edit(actor, project)
    milestone = Milestone.objects.create(project=project, title=title, due=due)
    audit.record(actor, "project.milestone", project)
    return milestone


@transaction.atomic
def add_task(
    actor: Actor,
    project: Project,
    *,
    title: str,
    owner: User | None = None,
    due: dt.date | None = None,
) -> ProjectTask:
    _require_edit(actor, project)
    task = ProjectTask.objects.create(project=project, title=title, owner=owner, due=due)
    audit.record(actor, "project.task", project)
    return task


@transaction.atomic
def tick(actor: Actor, item: Milestone | ProjectTask) -> None:
    """Mark a milestone reached or a task done."""
    _require_edit(actor, item.project)
    item.done = True
    item.save(update_fields=["done"])
    audit.record(actor, "project.tick", item.project, details={"item": str(item)})
