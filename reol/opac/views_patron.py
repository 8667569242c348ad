"""A reader's own: placing a hold from a record, "my page" with loans and holds, renewing a
loan and cancelling a hold (each through circulation's actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog.models import Record
from reol.circulation import selectors as circulation_selectors
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import Hold, Loan
from reol.core import denials
from reol.core.models import User

from . import selectors
from .views import _place_or_choose


@require_POST
def place_hold(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("opac-record", args=[pk]))
    user: User = request.user
    where = _place_or_choose(request)
    if isinstance(where, HttpResponse):
        return where
    found = denials.get_or_404(
        request, Record.objects.filter(municipality=where.municipality), pk=pk
    )
    if where.school is None:
        messages.error(request, _("Ask at the library desk to reserve this."))
        return redirect("opac-record", pk=found.pk)
    try:
        hold = hold_actions.place_hold(user, where.school, user, record=found)
    except CirculationError as refusal:
        messages.error(request, refusal.message)
    except PermissionDenied:
        messages.error(request, _("Ask at the library desk to reserve this."))
    else:
        messages.success(
            request,
            _(
                "You are in the queue for “%(title)s”. "
                "We will tell you when it is ready at %(school)s."
            )
            % {"title": found.title, "school": hold.school.name},
        )
    back = request.POST.get("next", "")  # a reading list's page holds a button too
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("opac-record", pk=found.pk)


# --- My page -----------------------------------------------------------------------------------


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return render(
        request,
        "opac/me.html",
        {
            "place": selectors.place(request),
            "loans": list(
                circulation_selectors.open_loans(user).with_lateness(timezone.localdate())
            ),
            "holds": list(circulation_selectors.open_holds(user)),
            "today": timezone.localdate(),
        },
    )


def _refusal(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, CirculationError):
        messages.error(request, error.message)
    elif isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Ask at the library desk about this."))


@login_required
@require_POST
def renew(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    loan = get_object_or_404(
        Loan.objects.open().select_related("school", "item__record"),
        pk=pk,
        patron=user,
    )
    try:
        renewed = loan_actions.renew(user, loan.school, loan.item)
    except (CirculationError, PermissionDenied, ValidationError) as error:
        _refusal(request, error)
    else:
        messages.success(
            request,
            _("“%(title)s” is yours a bit longer. Bring it back by %(due)s.")
            % {"title": loan.item.record.title, "due": _day(renewed.due_date)},
        )
    return redirect("opac-me")


@login_required
@require_POST
def cancel_hold(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    hold = get_object_or_404(Hold.objects.select_related("record"), pk=pk, patron=user)
    try:
        hold_actions.cancel_hold(user, hold)
    except (CirculationError, PermissionDenied) as error:
        _refusal(request, error)
    else:
        messages.success(
            request, _("You are no longer waiting for “%(title)s”.") % {"title": hold.record.title}
        )
    return redirect("opac-me")


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT")
