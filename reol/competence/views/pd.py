"""The library's own professional development work at the active school."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from reol.core.middleware import school_for
from reol.core.permissions import Perm, visible_people

from .. import forms
from ..models import FollowUpTask, Workshop
from ..services import pd
from .common import as_int, me, run


@login_required
def workshops(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PD_WORK)
    user = me(request)
    people = (
        visible_people(user, Perm.PD_WORK)
        .filter(
            memberships__school=school,
            memberships__role__in=["librarian", "administrator", "teacher"],
        )
        .distinct()
        .order_by("last_name", "first_name")
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.WorkshopForm(request.POST if action == "workshop" else None, people=people)
    follow = forms.FollowUpForm(request.POST if action == "follow-up" else None, people=people)
    done = False
    if action == "workshop":
        done = run(form, lambda d: pd.record_workshop(user, school, **d))
    elif action == "follow-up":
        workshop = get_object_or_404(
            Workshop, pk=as_int(request.POST.get("workshop")), school=school
        )
        done = run(follow, lambda d: pd.add_follow_up(user, workshop, **d))
    elif action == "done":
        task = get_object_or_404(
            FollowUpTask, pk=as_int(request.POST.get("task")), workshop__school=school
        )
        pd.complete_follow_up(user, task)
        done = True
    if done:
        messages.success(request, _("Saved."))
        return redirect("competence-workshops")
    rows = Workshop.objects.filter(school=school).prefetch_related("tasks__owner", "participants")[
        :50
    ]
    return render(
        request,
        "competence/workshops.html",
        {
            "school": school,
            "workshops": rows,
            "form": form,
            "follow_form": follow,
            "people": people,
        },
        status=400 if action else 200,
    )
