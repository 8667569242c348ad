"""The learning-centre team's development goals and tasks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reol.core import calendar as school_calendar
from reol.core import denials
from reol.core.models import School, User

from . import access, forms, selectors, services
from .models import DevelopmentGoal, TeamTask
from .views import _form_errors, _int, _me, _people_queryset, _school


@dataclass
class _TeamPost:
    """One POST to the team page: who acts, for which school year, and the page's two forms."""

    request: HttpRequest
    user: User
    school: School
    year: str
    goals: QuerySet[DevelopmentGoal]
    goal_form: forms.GoalForm
    task_form: forms.TaskForm


def _save_goal(post: _TeamPost) -> bool:
    if not post.goal_form.is_valid():
        return False
    services.save_goal(post.user, post.school, school_year=post.year, **post.goal_form.cleaned_data)
    return True


def _save_task(post: _TeamPost) -> bool:
    if not post.task_form.is_valid():
        return False
    data = post.task_form.cleaned_data
    services.save_task(
        post.user,
        post.school,
        school_year=post.year,
        title=data["title"],
        description=data["description"],
        responsible=data["responsible"],
        goals=list(data["goals"]),
    )
    return True


def _delete_goal(post: _TeamPost) -> bool:
    goal = denials.get_or_404(post.request, post.goals, pk=_int(post.request.POST.get("goal")))
    services.delete_goal(post.user, goal)
    return True


def _delete_task(post: _TeamPost) -> bool:
    task = denials.get_or_404(
        post.request,
        TeamTask.objects.filter(school=post.school),
        pk=_int(post.request.POST.get("task")),
    )
    services.delete_task(post.user, task)
    return True


# The page's buttons; a handler says whether it is done (False: an invalid form shown again).
_TEAM_ACTIONS: dict[str, Callable[[_TeamPost], bool]] = {
    "goal": _save_goal,
    "task": _save_task,
    "delete-goal": _delete_goal,
    "delete-task": _delete_task,
}


def _act(post: _TeamPost, action: str) -> HttpResponse | None:
    """Staff only: do the action and go back to the year's page, or None to show the forms."""
    access.require_centre_staff(post.user, post.school)
    here = f"{reverse('planning-team')}?year={post.year}"
    handler = _TEAM_ACTIONS.get(action)
    try:
        if handler is not None and handler(post):
            return redirect(here)
    except ValidationError as error:
        _form_errors(post.goal_form if action == "goal" else post.task_form, error)
    return None


@login_required
def team(request: HttpRequest) -> HttpResponse:
    school = _school(request)
    user = _me(request)
    staff = access.is_centre_staff(user, school)
    year = request.GET.get("year") or school_calendar.current_school_year(school)
    years = sorted({*selectors.school_years(school), year})
    goals_qs = DevelopmentGoal.objects.filter(school=school, school_year=year)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    # Two forms on one page: each its own ids (auto_id), so every label names its own field.
    goal_form = forms.GoalForm(request.POST if action == "goal" else None, auto_id="id_goal_%s")
    task_form = forms.TaskForm(
        request.POST if action == "task" else None,
        auto_id="id_task_%s",
        people=_people_queryset(school, staff_only=True),
        goals=goals_qs,
    )
    if action:
        post = _TeamPost(request, user, school, year, goals_qs, goal_form, task_form)
        done = _act(post, action)
        if done is not None:
            return done
    tasks = list(
        TeamTask.objects.filter(school=school, school_year=year)
        .select_related("responsible")
        .prefetch_related("goals")
        .order_by("responsible__last_name", "title")
    )
    goals = list(goals_qs.prefetch_related("tasks__responsible"))
    return render(
        request,
        "planning/team.html",
        {
            "school": school,
            "year": year,
            "years": years,
            "goals": goals,
            "tasks": tasks,
            "goal_form": goal_form,
            "task_form": task_form,
            "is_staff": staff,
        },
        status=400 if action else 200,
    )
