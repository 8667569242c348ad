"""Paying and waiving charges: the panel on a patron's record (its Pay and Waive forms) and
at the desk, the school's open charges with their total (and as XLSX), and the two forms'
targets. The writes are ``payments``'; these views only read the form and answer."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.core import denials, xlsx
from reol.core.fields import OneLineField
from reol.core.middleware import school_for
from reol.core.models import School, User
from reol.core.permissions import Perm, has_perm
from reol.patrons.models import Patron

from . import payments
from .models import ChargeSettlement, LoanCharge


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def patron_panel(request: HttpRequest, patron: object, school: School | None) -> str:
    """The patron record's panel: what the patron owes here, with Pay and Waive forms."""
    user = getattr(patron, "user", None)
    if school is None or user is None or not has_perm(request.user, Perm.CHARGES, school):
        return ""
    owed = payments.owed_by(request.user, school, user)
    return render_to_string(
        "technology/_patron_charges.html",
        {"owed": owed, "methods": ChargeSettlement.Method.choices, "back": request.path},
        request=request,
    )


def desk_panel(request: HttpRequest, patron: object, school: School | None) -> str:
    """At the desk: a line saying what the borrower owes, linking to their record to pay."""
    if school is None or not isinstance(patron, User):
        return ""
    if not has_perm(request.user, Perm.CHARGES, school):
        return ""
    owed = payments.owed_by(request.user, school, patron)
    if not owed.charges:
        return ""
    record = Patron.objects.filter(user=patron, school=school).values_list("pk", flat=True).first()
    return render_to_string(
        "technology/_desk_charges.html",
        {
            "owed": owed,
            "patron_record": reverse("patrons-detail", args=[record]) if record else "",
        },
        request=request,
    )


def _charge(request: HttpRequest, pk: int) -> LoanCharge:
    school = school_for(request, Perm.CHARGES)
    return denials.get_or_404(
        request, payments.charges_in_scope(request.user).filter(school=school), pk=pk
    )


class _Texts(forms.Form):
    """The two forms' free text, one line as everywhere (a receipt reference, a reason); the
    amount, the method and a missing reason are the service's to judge."""

    reference = OneLineField(max_length=100, required=False)
    reason = OneLineField(max_length=500, required=False)


def _texts(request: HttpRequest) -> dict[str, str] | None:
    form = _Texts(request.POST)
    if form.is_valid():
        return form.cleaned_data
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return None


def _back(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("technology-open-charges")


def _refused(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    charge, texts = _charge(request, pk), _texts(request)
    if texts is None:
        return _back(request)
    try:
        entry = payments.record_payment(
            _me(request),
            charge,
            amount=request.POST.get("amount", ""),
            method=request.POST.get("method", ""),
            reference=texts["reference"],
        )
        messages.success(
            request,
            _("%(amount)s paid; %(outstanding)s still owed.")
            % {
                "amount": payments.shown(entry.amount),
                "outstanding": payments.shown(entry.charge.outstanding),
            },
        )
    except ValidationError as error:
        _refused(request, error)
    return _back(request)


@login_required
@require_POST
def waive(request: HttpRequest, pk: int) -> HttpResponse:
    charge, texts = _charge(request, pk), _texts(request)
    if texts is None:
        return _back(request)
    try:
        entry = payments.waive_charge(_me(request), charge, reason=texts["reason"])
        messages.success(
            request, _("%(amount)s waived.") % {"amount": payments.shown(entry.amount)}
        )
    except ValidationError as error:
        _refused(request, error)
    return _back(request)


@login_required
def open_charges(request: HttpRequest) -> HttpResponse:
    """The school's open charges, oldest first, with what is owed in all."""
    school = school_for(request, Perm.CHARGES)
    rows = payments.open_charges(request.user, school)
    return render(
        request,
        "technology/open_charges.html",
        {
            "charges": rows[:500],
            "count": rows.count(),
            "total": payments.total_owed(rows),
            "methods": ChargeSettlement.Method.choices,
            "back": reverse("technology-open-charges"),
        },
    )


@login_required
def open_charges_xlsx(request: HttpRequest) -> HttpResponse:
    """The open charges as a spreadsheet, amounts as numbers, the total in the last row."""
    school = school_for(request, Perm.CHARGES)
    rows = payments.open_charges(request.user, school)
    lines: list[tuple[object, ...]] = [
        (
            timezone.localtime(c.created_at).date(),
            c.patron.get_full_name() or c.patron.username,
            c.device.item.barcode,
            c.note,
            c.amount,
            c.paid,
            c.waived,
            c.outstanding,
        )
        for c in rows
    ]
    lines.append((_("Total"), "", "", "", None, None, None, payments.total_owed(rows)))
    header = [
        _("Date"),
        _("Borrower"),
        _("Device"),
        _("What happened"),
        _("Charged"),
        _("Paid"),
        _("Waived"),
        _("Outstanding"),
    ]
    sheet = xlsx.Sheet(_("Open charges"), header, lines, widths=(12, 28, 14, 40, 12, 12, 12, 12))
    return xlsx.response(f"open-charges-{school.code}.xlsx", [sheet])
