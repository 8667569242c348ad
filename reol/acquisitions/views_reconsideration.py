"""Reconsideration: the request form for anyone at the school (from a title's page) with
their own requests and decisions, and the library's page of requests, reviews and decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, roles_at, scope

from . import selectors
from .actions import reconsideration as actions
from .models import Reconsideration, ReconsiderationDecision
from .views import _attempt


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _school(request: HttpRequest) -> School:
    school: School | None = getattr(request, "school", None)
    if not school or not roles_at(request.user, school):
        raise Http404
    return school


@login_required
def ask(request: HttpRequest, record_pk: int) -> HttpResponse:
    school = _school(request)
    record = denials.get_or_404(
        request, Record.objects.filter(municipality=school.municipality_id), pk=record_pk
    )
    if request.method == "POST":
        done = _attempt(
            request,
            lambda: actions.request(
                _me(request),
                school,
                record,
                reason=request.POST.get("reason", ""),
                read_whole=bool(request.POST.get("read_whole")),
                what_read=request.POST.get("what_read", ""),
            ),
            _("Your request is received. The library will tell you the decision."),
        )
        if done:
            return redirect("acquisitions-reconsider", record_pk=record.pk)
    mine = Reconsideration.objects.filter(requester=_me(request), record=record)
    context = {"record": record, "mine": mine, "policy": selectors.policy_of(school)}
    return render(request, "acquisitions/reconsider.html", context)


@login_required
def staff_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    rows = scope(
        Reconsideration.objects.filter(school=school), _me(request), Perm.ACQUISITIONS
    ).select_related("record", "requester")
    context = {
        "rows": rows[:200],
        "decisions": ReconsiderationDecision.choices,
        "policy": selectors.policy_of(school),
    }
    return render(request, "acquisitions/reconsiderations.html", context)


@login_required
@require_POST
def staff_act(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    asked = denials.get_or_404(
        request,
        scope(Reconsideration.objects.filter(school=school), _me(request), Perm.ACQUISITIONS),
        pk=pk,
    )
    if request.POST.get("what") == "review":
        _attempt(
            request,
            lambda: actions.review(
                _me(request), asked, committee=request.POST.get("committee", "")
            ),
            _("The review has started."),
        )
    elif request.POST.get("what") == "decide":
        _attempt(
            request,
            lambda: actions.decide(
                _me(request),
                asked,
                request.POST.get("decision", ""),
                reasons=request.POST.get("reasons", ""),
            ),
            _("The decision is recorded."),
        )
    else:
        messages.error(request, _("Choose what to do."))
    return redirect("acquisitions-reconsiderations")
