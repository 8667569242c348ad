"""A device back at the desk: the accessories question (linked from the desk's check-in
answer), damage or a replacement charge on the borrower's loan (from a work order or the
device's page), and the school's charges with its policy."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, has_perm

from . import payments, returns, selectors
from .models import WorkOrder


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def accessories(request: HttpRequest, loan_id: int) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    found = returns.returned_device_loan(school, loan_id)
    if found is None:
        raise Http404
    loan, device = found
    missing: list[str] | None = None
    if request.method == "POST":
        missing = returns.record_accessories(
            _me(request), school, loan_id, request.POST.getlist("came_back")
        )
    return render(
        request,
        "technology/accessories.html",
        {
            "device": device,
            "loan": loan,
            "accessories": returns.accessories_out(loan, device),
            "missing": missing,
        },
    )


def _amount(text: str) -> Decimal | None:
    """The typed charge, read as a payment is (``payments.parse_amount``: "NaN" or "1e30"
    once gave a 500 here), or None for damage without a charge."""
    if not text.strip():
        return None
    return payments.parse_amount(text, not_positive=_("A charge is more than zero."))


@login_required
@require_POST
def charge(request: HttpRequest, pk: int) -> HttpResponse:
    """Record damage (or a replacement charge) on the borrower's loan of device ``pk``."""
    school = school_for(request, Perm.CIRCULATION_DESK)
    device = selectors.devices(request.user).filter(school=school, pk=pk).first()
    if device is None:
        raise Http404
    order = None
    order_id = request.POST.get("order", "")
    if order_id.isdigit():
        order = WorkOrder.objects.filter(school=school, pk=order_id, device=device).first()
    try:
        returns.record_charge(
            _me(request),
            device,
            note=request.POST.get("note", ""),
            amount=_amount(request.POST.get("amount", "")),
            order=order,
        )
        messages.success(request, _("Recorded on the borrower's loan."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    if order is not None:
        return redirect("technology-order", pk=order.pk)
    return redirect("technology-device", pk=device.pk)


@login_required
def charges(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.CIRCULATION_DESK)
    manage = has_perm(request.user, Perm.SCHOOL_MANAGE, school)
    if request.method == "POST" and manage:
        on = request.POST.get("replacement_charges") == "on"
        returns.set_charge_policy(_me(request), school, replacement_charges=on)
        messages.success(request, _("Saved."))
        return redirect("technology-charges")
    return render(
        request,
        "technology/charges.html",
        {
            "charges": returns.charges_at(school)[:200],
            "charging": returns.charges_on(school),
            "manage": manage,
        },
    )
