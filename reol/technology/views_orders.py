"""Work-order pages: anyone's report form (made for a phone) and their own reports, the
technology staff's list and a work order's page (its state, notes, costs, warranty)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reol.core import denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm, visible_people

from . import returns, selectors, services
from .models import OPEN_WORK_ORDER_STATES, WorkOrderState
from .states import next_states


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def report(request: HttpRequest) -> HttpResponse:
    """Report a problem (anyone with a role at the school; a phone-sized page)."""
    school = getattr(request, "school", None)
    if school is None:
        raise PermissionDenied(_("You have no role at any school."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.report_problem(
                _me(request),
                school,
                problem=request.POST.get("problem", ""),
                tag=request.POST.get("tag", ""),
                subject=request.POST.get("subject", ""),
            )
            messages.success(request, _("Thank you. Your report is registered."))
            return redirect("technology-my-reports")
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    mine = selectors.device_loans(school).filter(patron=_me(request)).first()
    return render(
        request,
        "technology/report.html",
        {"errors": errors, "values": request.POST, "my_device": mine},
    )


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "technology/my_reports.html",
        {
            "orders": selectors.reported_by(_me(request))[:100],
            "charges": returns.charges_of(_me(request))[:100],
        },
    )


@login_required
def orders(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.TECHNOLOGY)
    rows = selectors.work_orders(request.user).filter(school=school)
    if request.GET.get("all") != "1":
        rows = rows.filter(state__in=OPEN_WORK_ORDER_STATES)
    return render(request, "technology/orders.html", {"orders": rows[:300]})


def _amount(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ".").strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"amount": _("Write the amount as a number.")}) from None


def _post(request: HttpRequest, order: object) -> None:
    me, post = _me(request), request.POST
    if "state" in post:
        services.change_work_order(me, order, post["state"], note=post.get("note", ""))  # type: ignore[arg-type]
    elif "cost" in post:
        services.add_cost(
            me,
            order,  # type: ignore[arg-type]
            description=post.get("description", ""),
            amount=_amount(post.get("amount", "")),
            is_part=post.get("is_part") == "on",
        )
    else:
        assignee = None
        if post.get("assignee"):
            assignee = denials.get_or_404(
                request, visible_people(me, Perm.TECHNOLOGY), username=post["assignee"]
            )
        services.update_work_order(
            me,
            order,  # type: ignore[arg-type]
            assignee=assignee,
            warranty_claim=post.get("warranty_claim") == "on",
            insurance_claim=post.get("insurance_claim") == "on",
            claim_reference=post.get("claim_reference", ""),
            note=post.get("note", ""),
        )


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    found = denials.get_or_404(request, selectors.work_orders(request.user), pk=pk)
    if request.method == "POST":
        try:
            _post(request, found)
            messages.success(request, _("Saved."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("technology-order", pk=pk)
    states = dict(WorkOrderState.choices)
    return render(
        request,
        "technology/order.html",
        {
            "order": found,
            "next": [(s, states[s]) for s in next_states(found.state)],
            "notes": found.notes.select_related("author"),
            "costs": list(found.costs.all()),
            "total": sum((c.amount for c in found.costs.all()), Decimal("0")),
            "charging": returns.charges_on(found.school),
            "charge_list": found.charges.select_related("patron"),
        },
    )
