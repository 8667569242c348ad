"""Holds from the staff side: the record page's circulation panel (who has each copy, who
waits), a hold placed for a patron from there, a hold cancelled after a confirmation, and the
hold-shelf and transit slips (PDF for label printers). Thin, as the desk: services write.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Item, Record
from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm

from . import selectors, slips
from .actions import holds as hold_actions
from .errors import CirculationError
from .models import Hold, HoldState
from .views import _actor


def record_panel(request: HttpRequest, record: Record, school: School | None) -> str:
    """The catalogue record page's circulation panel, for staff who work the desk."""
    if not school or not has_perm(request.user, Perm.CIRCULATION_DESK, school):
        return ""
    context = {
        "record": record,
        "loans": list(selectors.record_loans(record, school)),
        "library_loans": list(selectors.record_library_loans(record, school)),
        "holds": list(selectors.record_holds(record, school)),
        "today": timezone.localdate(),
    }
    return render_to_string("circulation/_record_panel.html", context, request=request)


def _back(request: HttpRequest, fallback: str) -> str:
    """Where to go after the action: ``next`` when it is a page of this site, else fallback."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, request.is_secure()
    ):
        return wanted
    return fallback


@login_required
@require_POST
def place_hold_for(request: HttpRequest, pk: int) -> HttpResponse:
    """A hold for a patron (card or username) on a title, placed from its record page."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    record = denials.get_or_404(
        request, Record.objects.filter(municipality_id=school.municipality_id), pk=pk
    )
    code = request.POST.get("patron", "").strip()[:100]
    if not code:
        messages.error(request, _("Give the patron's card number or username."))
    else:
        try:
            hold = hold_actions.place_hold(_actor(request), school, code, record=record)
        except CirculationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is in the queue for “%(title)s”.")
                % {"name": hold.patron, "title": record.title},
            )
    return redirect(reverse("catalog-record", args=[record.pk]) + "#circulation")


@login_required
def hold_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a hold, after saying whose hold on what it is (GET asks, POST cancels)."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    hold = denials.get_or_404(
        request,
        Hold.objects.select_related("record", "patron", "item").filter(school=school),
        pk=pk,
    )
    back = _back(request, reverse("circulation-hold-shelf"))
    if request.method == "POST":
        try:
            hold_actions.cancel_hold(_actor(request), hold)
        except CirculationError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The hold of %(name)s on “%(title)s” is cancelled.")
                % {"name": hold.patron, "title": hold.record.title},
            )
        return redirect(back)
    return render(
        request,
        "circulation/hold_cancel.html",
        {"hold": hold, "back": back, "ready": hold.state == HoldState.READY},
    )


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@login_required
def hold_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The slip to put in a copy on the hold shelf: whose it is and until when."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    hold = denials.get_or_404(
        request,
        Hold.objects.select_related("record", "patron", "item").filter(school=school),
        pk=pk,
        state=HoldState.READY,
    )
    patron: User = hold.patron
    slip = slips.hold_slip(
        patron.get_full_name() or patron.username,
        hold.record.title,
        hold.item.barcode if hold.item else "",
        hold.pickup_by,
        school.name,
    )
    return _pdf(slips.render([slip], request.GET.get("size", "")), f"hold-{hold.pk}")


@login_required
def transit_slip(request: HttpRequest, barcode: str) -> HttpResponse:
    """The slip to put in a copy returned here that belongs to another school."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    item = denials.get_or_404(
        request,
        Item.objects.select_related("record", "school").filter(
            school__municipality_id=school.municipality_id
        ),
        barcode=barcode,
    )
    slip = slips.transit_slip(
        item.record.title, item.barcode, item.school.name, school.name, timezone.localdate()
    )
    return _pdf(slips.render([slip], request.GET.get("size", "")), f"transit-{item.barcode}")
