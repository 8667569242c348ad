"""The library's schedule at the active school: a week of shifts, planning them, the feed."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import calendar, denials
from reol.core.middleware import school_for
from reol.core.permissions import Perm, has_perm, visible_people

from .. import forms, schedule_ical
from ..models import ScheduleFeed, Shift
from ..services import schedule
from .common import as_int, me, run


def _week(request: HttpRequest) -> dt.date:
    """The Monday of the week asked for (``?week=2027-W10``), else of this week."""
    text = request.GET.get("week", "")
    try:
        year, week = text.split("-W")
        return calendar.monday(int(year), int(week))
    except ValueError:
        return calendar.monday(*calendar.week_of(timezone.localdate()))


def _iso_week(day: dt.date) -> str:
    year, number = calendar.week_of(day)
    return f"{year}-W{number:02d}"


@login_required
def week(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.SCHOOL_VIEW)
    user = me(request)
    may_plan = has_perm(user, Perm.STAFF_SCHEDULE, school)
    people = (
        visible_people(user, Perm.STAFF_SCHEDULE)
        .filter(memberships__school=school, memberships__role__in=schedule.SHIFT_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = forms.ShiftForm(request.POST if action == "shift" else None, people=people)
    done = False
    if action == "shift" and may_plan:
        done = run(form, lambda d: schedule.plan_shift(user, school, **d))
    elif action == "remove" and may_plan:
        shift = denials.get_or_404(
            request, Shift.objects.filter(school=school), pk=as_int(request.POST.get("shift"))
        )
        schedule.remove_shift(user, shift)
        done = True
    elif action == "feed":
        feed = schedule.create_feed(user, school)
        url = reverse("competence-schedule-feed", args=[feed.token])
        messages.success(
            request,
            _("Your calendar address is ready: %(url)s") % {"url": request.build_absolute_uri(url)},
        )
        done = True
    elif action:
        raise Http404
    if done:
        messages.success(request, _("Saved."))
        return redirect(request.get_full_path())
    monday = _week(request)
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    shifts = Shift.objects.filter(school=school, day__gte=days[0], day__lte=days[-1])
    by_day = {d: [] for d in days}  # type: dict[dt.date, list[Shift]]
    for shift in shifts.select_related("person"):
        by_day[shift.day].append(shift)
    year, number = calendar.week_of(monday)
    previous, following = monday - dt.timedelta(days=7), monday + dt.timedelta(days=7)
    return render(
        request,
        "competence/schedule.html",
        {
            "school": school,
            "days": [(d, by_day[d]) for d in days if by_day[d] or d.weekday() < 5],
            "year": year,
            "number": number,
            "previous": _iso_week(previous),
            "following": _iso_week(following),
            "form": form if may_plan else None,
            "may_plan": may_plan,
        },
        status=400 if action else 200,
    )


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A school's library schedule at a secret address: 404 when revoked or the role is gone."""
    found = (
        ScheduleFeed.objects.select_related("user", "school")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if found is None or not has_perm(found.user, Perm.SCHOOL_VIEW, found.school):
        raise Http404
    response = HttpResponse(
        schedule_ical.feed_ics(found), content_type="text/calendar; charset=utf-8"
    )
    response["X-Robots-Tag"] = "noindex"
    return response
