"""Development projects: the network's portfolio, a project's page, its PDF export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reol.core.models import User
from reol.core.permissions import NETWORK_STAFF_ROLES

from .. import access, documents, forms, projects_pdf
from ..models import Milestone, Project, ProjectTask
from ..services import projects
from .common import as_int, me, network_for, run


@login_required
def portfolio(request: HttpRequest, pk: int) -> HttpResponse:
    """What each library of the network is developing; start a project for one's own."""
    network = network_for(request, pk)
    user = me(request)
    places = access.workplaces(user, network)
    choices = [(w.key, w.name) for w in places]
    form = forms.ProjectForm(request.POST if request.method == "POST" else None, workplaces=choices)
    if request.method == "POST":

        def create(d: dict[str, Any]) -> None:
            place = next(w for w in places if w.key == d.pop("workplace"))
            projects.create_project(user, network, place, **d)

        if run(form, create):
            messages.success(request, _("The project is started."))
            return redirect("competence-portfolio", pk=network.pk)
    rows = (
        Project.objects.filter(network=network)
        .select_related("school", "library")
        .order_by("status", "title")
    )
    return render(
        request,
        "competence/portfolio.html",
        {"network": network, "projects": rows, "form": form, "can_start": bool(choices)},
        status=400 if request.method == "POST" else 200,
    )


def _people(project: Project) -> QuerySet[User]:
    if project.school_id:
        where = Q(
            memberships__school_id=project.school_id, memberships__role__in=NETWORK_STAFF_ROLES
        )
    else:
        where = Q(library_posts__library_id=project.library_id)
    return User.objects.filter(where).distinct().order_by("last_name", "first_name")


@login_required
def project(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Project.objects.select_related("network", "school", "library"), pk=pk)
    network_for(request, found.network_id)
    user = me(request)
    editable = projects.may_edit(user, found)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action and not editable:
        raise PermissionDenied
    data = request.POST if action else None
    f: dict[str, Any] = {
        "milestone_form": forms.MilestoneForm(
            data if action == "milestone" else None, prefix="milestone"
        ),
        "task_form": forms.ProjectTaskForm(
            data if action == "task" else None, prefix="task", people=_people(found)
        ),
        "report_form": forms.ReportForm(
            data if action == "report" else None,
            prefix="report",
            initial={"status": found.status, "final_report": found.final_report},
        ),
    }
    calls = {
        "milestone": lambda d: projects.add_milestone(user, found, **d),
        "task": lambda d: projects.add_task(user, found, **d),
        "report": lambda d: projects.update_project(user, found, **d),
    }
    done = False
    if action in calls:
        done = run(f[f"{action}_form"], calls[action])
    elif action == "tick-milestone":
        projects.tick(
            user, get_object_or_404(Milestone, pk=as_int(request.POST.get("item")), project=found)
        )
        done = True
    elif action == "tick-task":
        projects.tick(
            user, get_object_or_404(ProjectTask, pk=as_int(request.POST.get("item")), project=found)
        )
        done = True
    if done:
        messages.success(request, _("Saved."))
        return redirect("competence-project", pk=found.pk)
    return render(
        request,
        "competence/project.html",
        {"project": found, "editable": editable, **f},
        status=400 if action else 200,
    )


@login_required
def project_export(request: HttpRequest, pk: int, kind: str = "pdf") -> HttpResponse:
    found = get_object_or_404(Project.objects.select_related("network", "school", "library"), pk=pk)
    network_for(request, found.network_id)
    final = request.GET.get("final") == "1"
    if final and not found.final_report:
        raise Http404
    name = "final-report" if final else "application"
    if kind == "docx":
        body = documents.docx_of(documents.project_outline(found, final=final))
        response = HttpResponse(body, content_type=documents.DOCX)
    else:
        response = HttpResponse(
            projects_pdf.project_pdf(found, final=final), content_type="application/pdf"
        )
    response["Content-Disposition"] = f'attachment; filename="project-{found.pk}-{name}.{kind}"'
    return response
