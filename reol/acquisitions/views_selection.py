"""Selection lists: the librarian makes a list for a subject or grade and puts suggestions or
titles on it; teachers vote for or against with a comment, beside the school's selection
policy; the librarian records a decision per title."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, has_perm

from . import selectors
from .actions import selection as actions
from .models import Decision, SuggestionState
from .views import _attempt


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def lists(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PLANNING)
    staff = has_perm(_me(request), Perm.ACQUISITIONS, school)
    if request.method == "POST" and staff:
        if request.POST.get("what") == "policy":
            tags = request.POST.get("tags", "").split(",")
            _attempt(
                request,
                lambda: actions.save_policy(
                    _me(request), school, text=request.POST.get("text", ""), tags=tags
                ),
                _("The selection policy is saved."),
            )
            return redirect("acquisitions-selections")
        grade = request.POST.get("grade", "")
        made = _attempt(
            request,
            lambda: actions.create_list(
                _me(request),
                school,
                name=request.POST.get("name", ""),
                subject=request.POST.get("subject", ""),
                grade=int(grade) if grade.isdigit() else None,
            ),
        )
        if made:
            return redirect("acquisitions-selection", pk=made.pk)
    context = {
        "lists": selectors.selection_lists(_me(request), school),
        "staff": staff,
        "policy": selectors.policy_of(school),
    }
    return render(request, "acquisitions/selections.html", context)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PLANNING)
    selection = denials.get_or_404(request, selectors.selection_lists(_me(request), school), pk=pk)
    staff = has_perm(_me(request), Perm.ACQUISITIONS, school)
    suggestions = (
        selectors.suggestions_of(_me(request), school).filter(
            state__in=[SuggestionState.RECEIVED, SuggestionState.REVIEW]
        )
        if staff
        else []
    )
    context = {
        "selection": selection,
        "entries": selectors.entries_with_votes(selection, _me(request)),
        "policy": selectors.policy_of(school),
        "staff": staff,
        "suggestions": suggestions,
        "decisions": Decision.choices,
    }
    return render(request, "acquisitions/selection.html", context)


@login_required
@require_POST
def act(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.PLANNING)
    selection = denials.get_or_404(request, selectors.selection_lists(_me(request), school), pk=pk)
    me, what = _me(request), request.POST.get("what")
    entry = selection.entries.filter(pk=request.POST.get("entry") or 0).first()
    if what in ("for", "against") and entry:
        value = 1 if what == "for" else -1
        _attempt(
            request,
            lambda: actions.vote(me, entry, value, comment=request.POST.get("comment", "")),
            _("Your vote is counted."),
        )
    elif what == "decide" and entry:
        _attempt(
            request,
            lambda: actions.decide(
                me, entry, request.POST.get("decision", ""), reason=request.POST.get("reason", "")
            ),
            _("The decision is recorded."),
        )
    elif what == "add":
        suggestion = (
            selectors.suggestions_of(me, school)
            .filter(pk=request.POST.get("suggestion") or 0)
            .first()
        )
        _attempt(
            request,
            lambda: actions.add_entry(
                me,
                selection,
                suggestion=suggestion,
                title=request.POST.get("title", ""),
                isbn=request.POST.get("isbn", ""),
            ),
            _("The title is on the list."),
        )
    elif what == "close":
        _attempt(
            request, lambda: actions.close_list(me, selection), _("The list is closed for votes.")
        )
    else:
        messages.error(request, _("Choose what to do."))
    return redirect("acquisitions-selection", pk=selection.pk)
