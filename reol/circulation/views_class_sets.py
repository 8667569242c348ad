"""Class sets: lending one set of copies to every member of a group at once, and taking the set
back in one go.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reol.core.middleware import school_for
from reol.core.permissions import Perm

from . import selectors
from .actions import class_sets as class_set_actions
from .actions.common import unknown_item
from .errors import CirculationError
from .forms import (
    ClassSetForm,
)
from .views import _actor, _day


@login_required
def class_sets(request: HttpRequest) -> HttpResponse:
    """Lend a class set in one action, and the class sets out (each with *Return all*)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    form = ClassSetForm(request.POST or None, school=school)
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["barcodes"]:
                result = class_set_actions.lend_class_set(
                    _actor(request), school, data["patron"], data["group"], items=data["barcodes"]
                )
            else:
                sample = selectors.item_by_barcode(data["sample"])
                if sample is None:
                    raise unknown_item(data["sample"])
                result = class_set_actions.lend_class_set(
                    _actor(request),
                    school,
                    data["patron"],
                    data["group"],
                    record=sample.record_id,
                    count=data["count"],
                )
        except CirculationError as error:
            problems = error.details.get("problems", [])
            # The refusal once: one sentence, then a line per copy (not the copies twice).
            form.add_error(None, _class_set_refusal(problems) if problems else error.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Lent %(count)s copy of “%(title)s” to %(name)s for %(group)s, due %(due)s.",
                    "Lent %(count)s copies of “%(title)s” to %(name)s for %(group)s, due %(due)s.",
                    len(result.loans),
                )
                % {
                    "count": len(result.loans),
                    "title": result.record.title,
                    "name": result.patron,
                    "group": result.group.name,
                    "due": _day(min(loan.due_date for loan in result.loans)),
                },
            )
            return redirect("circulation-class-sets")
    return render(
        request,
        "circulation/class_sets.html",
        {
            "form": form,
            "problems": problems,
            "sets": selectors.class_sets_out(school, timezone.localdate()),
            "today": timezone.localdate(),
        },
    )


def _class_set_refusal(problems: list[dict[str, str]]) -> str:
    return ngettext(
        "%(count)s copy cannot be lent, so none were:",
        "%(count)s copies cannot be lent, so none were:",
        len(problems),
    ) % {"count": len(problems)}


@login_required
@require_POST
def class_set_return(request: HttpRequest) -> HttpResponse:
    """*Return all*: every open loan of one class set comes back (the teacher brought the box)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    ids = [request.POST.get(name, "") for name in ("group", "record", "patron")]
    if not all(value.isdigit() for value in ids):
        raise Http404
    group, record, patron = (int(value) for value in ids)
    loans = list(selectors.class_set_loans(school, group, record, patron))
    if not loans:
        raise Http404
    outcome = class_set_actions.return_class_set(
        _actor(request), school, [loan.item for loan in loans]
    )
    messages.success(
        request,
        ngettext("%(count)s copy is back.", "%(count)s copies are back.", len(outcome.returned))
        % {"count": len(outcome.returned)},
    )
    for problem in outcome.problems:
        messages.error(request, f"{problem['item']}: {problem['message']}")
    return redirect("circulation-class-sets")
