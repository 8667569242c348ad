"""The year-end rollover: leavers chosen, their loans printed per class, deactivated and
erased, the groups moved up a year.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core.middleware import school_for
from reol.core.models import School
from reol.core.permissions import Perm

from . import rollover, selectors
from .views import _actor, _error_message

# --- Year-end rollover -------------------------------------------------------------------------


def _leaving_ids(request: HttpRequest) -> list[int] | None:
    chosen = request.POST.getlist("leaving") or request.GET.getlist("leaving")
    if not chosen and "chosen" not in request.GET and "chosen" not in request.POST:
        return None
    return [int(v) for v in chosen if v.isdigit()]


@login_required
def rollover_page(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.PEOPLE_MANAGE)
    today = timezone.localdate()
    leaving = _leaving_ids(request)
    current = rollover.plan(school, leaving=leaving, today=today)
    if request.method == "POST":
        _rollover_step(request, school, current, today)
        if leaving is None:
            return redirect("patrons-rollover")
        chosen = "".join(f"&leaving={pk}" for pk in leaving)
        return redirect(f"{reverse('patrons-rollover')}?chosen=1{chosen}")
    return render(
        request,
        "patrons/rollover.html",
        {
            "school": school,
            "plan": current,
            "due": rollover.leavers_due(school, today),
            "privacy": selectors.privacy_of(school),
            "inactive_groups": selectors.groups_at(school, active=False)[:50],
        },
    )


def _rollover_step(
    request: HttpRequest, school: School, current: rollover.Plan, today: dt.date
) -> None:
    """Run the step the librarian pressed (deactivate, promote or erase) and say how it went."""
    actor = _actor(request)
    action = request.POST.get("action", "")
    try:
        if action == "deactivate":
            count = rollover.deactivate_leavers(actor, school, current.leaving, today=today)
            messages.success(
                request, _("%(count)s leavers are no longer active.") % {"count": count}
            )
        elif action == "promote" and current.leaving:
            messages.error(
                request,
                _("Deactivate the leavers first (step 3), or untick their groups in step 1."),
            )
        elif action == "promote":
            to_year = request.POST.get("to_year", "").strip()[:16] or current.next_year
            done = rollover.promote_groups(
                actor, school, from_year=current.school_year, to_year=to_year
            )
            messages.success(
                request,
                _("%(count)s groups moved up to %(year)s.")
                % {"count": len(done.moved), "year": to_year},
            )
            for name, why in done.skipped:
                messages.warning(
                    request,
                    _("%(group)s was not moved: %(why)s.") % {"group": name, "why": why},
                )
        elif action == "erase":
            result = rollover.erase_leavers(
                actor, school, mark_lost=request.POST.get("mark_lost") == "on", today=today
            )
            messages.success(request, _("%(count)s leavers are erased.") % {"count": result.erased})
            if result.kept_for_loans:
                messages.warning(
                    request,
                    _("Not erased yet, because they still have loans: %(names)s.")
                    % {"names": ", ".join(result.kept_for_loans[:20])},
                )
    except ValidationError as error:
        _error_message(request, error)


@login_required
def rollover_loans(request: HttpRequest) -> HttpResponse:
    """The leavers' outstanding loans, one printable section per class (step 2)."""
    school = school_for(request, Perm.PEOPLE_MANAGE)
    current = rollover.plan(school, leaving=_leaving_ids(request))
    return render(
        request,
        "patrons/rollover_loans.html",
        {
            "school": school,
            "plan": current,
            "classes": rollover.leavers_loans(current.leaving),
            "today": timezone.localdate(),
        },
    )
