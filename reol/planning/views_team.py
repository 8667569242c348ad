"""The learning-centre team's development goals and tasks."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from reol.core import calendar as school_calendar
from reol.core import denials

from . import access, forms, selectors, services
from .models import DevelopmentGoal, TeamTask
from .views import _form_errors, _int, _me, _people_queryset, _school


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
        access.require_centre_staff(user, school)
        here = f"{reverse('planning-team')}?year={year}"
        try:
            if action == "goal" and goal_form.is_valid():
                services.save_goal(user, school, school_year=year, **goal_form.cleaned_data)
                return redirect(here)
            if action == "task" and task_form.is_valid():
                data = task_form.cleaned_data
                services.save_task(
                    user,
                    school,
                    school_year=year,
                    title=data["title"],
                    description=data["description"],
                    responsible=data["responsible"],
                    goals=list(data["goals"]),
                )
                return redirect(here)
            if action == "delete-goal":
                services.delete_goal(
                    user, denials.get_or_404(request, goals_qs, pk=_int(request.POST.get("goal")))
                )
                return redirect(here)
            if action == "delete-task":
                services.delete_task(
                    user,
                    denials.get_or_404(
                        request,
                        TeamTask.objects.filter(school=school),
                        pk=_int(request.POST.get("task")),
                    ),
                )
                return redirect(here)
        except ValidationError as error:
            _form_errors(goal_form if action == "goal" else task_form, error)
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
