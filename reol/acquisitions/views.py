"""The staff pages of acquisitions: funds, vendors, orders (lines, sending, receiving,
claims, invoices), suggestions and the expenditure report. Thin: parse, call an action or a
selector, render; a refusal becomes the page's error message and nothing is lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reol.catalog import labels
from reol.core import calendar, denials
from reol.core.middleware import school_for
from reol.core.models import User
from reol.core.permissions import Perm

from . import documents, edifact, lookup, selectors
from .actions import funds as fund_actions
from .actions import invoices, orders, receiving, suggestions
from .errors import AcquisitionError
from .forms import (
    AllocateForm,
    DeclineForm,
    FundForm,
    LineForm,
    MarcFileForm,
    OrderForm,
    ReceiveForm,
    TransferForm,
    VendorForm,
)
from .models import Fund, Order, OrderLine, Receipt, SuggestionState


def _me(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _attempt(request: HttpRequest, action: Callable[[], Any], done: str = "") -> Any:
    """Run an action; its refusal becomes an error message (None returned)."""
    try:
        result = action()
    except AcquisitionError as refused:
        messages.error(request, refused.message)
        return None
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
        return None
    if done:
        messages.success(request, done)
    return result


@login_required
def home(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    year = request.GET.get("year") or calendar.current_school_year(school)
    context = {
        "year": year,
        "years": calendar.current_and_next(school),
        "funds": selectors.funds(_me(request), school, year),
        "orders": selectors.orders(_me(request), school)[:50],
        "late": selectors.late_lines(_me(request), school, timezone.localdate()),
        "suggestions": selectors.suggestions_of(_me(request), school).filter(
            state__in=[SuggestionState.RECEIVED, SuggestionState.REVIEW]
        ),
        "fund_form": FundForm(initial={"currency": "DKK", "allocation": 0}),
    }
    return render(request, "acquisitions/home.html", context)


@login_required
@require_POST
def fund_new(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    form = FundForm(request.POST)
    if form.is_valid():
        _attempt(
            request,
            lambda: fund_actions.create_fund(_me(request), school, **form.cleaned_data),
            _("The fund is added."),
        )
    else:
        messages.error(request, _("Give the fund a name, a code and an allocation."))
    return redirect("acquisitions-home")


def _fund(request: HttpRequest, pk: int) -> Fund:
    school = school_for(request, Perm.ACQUISITIONS)
    return denials.get_or_404(request, selectors.funds(_me(request), school), pk=pk)


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    others = selectors.funds(_me(request), fund.school).exclude(pk=fund.pk)
    allocate = AllocateForm(prefix="allocate")
    transfer = TransferForm(funds=others, prefix="transfer")
    if request.method == "POST":
        what = request.POST.get("what")
        if what == "allocate":
            allocate = AllocateForm(request.POST, prefix="allocate")
            if allocate.is_valid():
                data = allocate.cleaned_data
                _attempt(
                    request,
                    lambda: fund_actions.allocate(
                        _me(request), fund, data["amount"], note=data["note"]
                    ),
                    _("The allocation is changed."),
                )
        elif what == "transfer":
            transfer = TransferForm(request.POST, funds=others, prefix="transfer")
            if transfer.is_valid():
                data = transfer.cleaned_data
                _attempt(
                    request,
                    lambda: fund_actions.transfer(
                        _me(request), fund, data["target"], data["amount"]
                    ),
                    _("The money is moved."),
                )
        elif what == "rollover":
            _attempt(
                request,
                lambda: fund_actions.roll_over(_me(request), fund),
                _("The unspent balance is carried into next year."),
            )
        return redirect("acquisitions-fund", pk=fund.pk)
    entries = fund.entries.select_related("order_line", "actor").order_by("-pk")[:200]
    return render(
        request,
        "acquisitions/fund.html",
        {"fund": fund, "entries": entries, "allocate": allocate, "transfer": transfer},
    )


@login_required
def vendors(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    form = VendorForm(request.POST or None)
    if (
        request.method == "POST"
        and form.is_valid()
        and _attempt(
            request,
            lambda: orders.save_vendor(_me(request), school, **form.cleaned_data),
            _("The vendor is saved."),
        )
    ):
        return redirect("acquisitions-vendors")
    return render(
        request,
        "acquisitions/vendors.html",
        {"vendors": selectors.vendors(_me(request), school), "form": form},
    )


@login_required
def order_new(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    form = OrderForm(request.POST or None, vendors=selectors.vendors(_me(request), school))
    if request.method == "POST" and form.is_valid():
        order = _attempt(
            request,
            lambda: orders.create_order(
                _me(request), school, form.cleaned_data["vendor"], note=form.cleaned_data["note"]
            ),
        )
        if order:
            wanted = request.GET.get("suggestion", "")
            target = reverse("acquisitions-order", args=[order.pk])
            return redirect(f"{target}?suggestion={wanted}" if wanted.isdigit() else target)
    return render(request, "acquisitions/order_new.html", {"form": form})


def _order(request: HttpRequest, pk: int) -> Order:
    school = school_for(request, Perm.ACQUISITIONS)
    return denials.get_or_404(request, selectors.orders(_me(request), school), pk=pk)


def _line_form(
    request: HttpRequest, order: Order, data: Any = None, initial: dict[str, Any] | None = None
) -> LineForm:
    me = _me(request)
    year_funds = selectors.funds(me, order.school).filter(rolled_over=False)
    open_suggestions = selectors.suggestions_of(me, order.school).filter(
        state__in=[SuggestionState.RECEIVED, SuggestionState.REVIEW]
    )
    chosen_initial: dict[str, Any] = {}
    if "suggestion" in request.GET:
        chosen = open_suggestions.filter(pk=request.GET["suggestion"]).first()
        if chosen:
            chosen_initial = {"suggestion": chosen, "isbn": chosen.isbn, "title": chosen.title}
            if chosen.price_hint is not None:
                chosen_initial["unit_price"] = chosen.price_hint
    return LineForm(
        data,
        initial=initial if initial is not None else chosen_initial,
        school=order.school,
        funds=year_funds,
        suggestions=open_suggestions,
    )


@login_required
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = _line_form(request, order, request.POST or None)
    found = None
    if request.method == "POST" and "find" in request.POST:
        form, found = _find_line(request, order, form)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hints = _hints(request, order, data["isbn"])
        if hints is not None:
            data["record"], data["found"] = hints.record, hints.marc
        if _attempt(
            request, lambda: orders.add_line(_me(request), order, **data), _("The line is added.")
        ):
            request.session.pop(LOOKUP_KEY, None)
            return redirect("acquisitions-order", pk=order.pk)
    lines = list(selectors.order_lines(order))
    context = {
        "order": order,
        "lines": lines,
        "form": form,
        "receive_form": ReceiveForm(),
        "marc_form": MarcFileForm(),
        "batches": _batches(order),
        "total": sum((line.quantity * line.unit_price for line in lines), Decimal("0.00")),
        "can_invoice": any(line.received > line.invoiced for line in lines),
        "found": found,
    }
    return render(request, "acquisitions/order.html", context)


LOOKUP_KEY = "acquisitions.lookup"


def _hints(request: HttpRequest, order: Order, isbn: str) -> lookup.Hints | None:
    """The look-up of a line's ISBN (our catalogue, then SRU; what "Find by ISBN" found a
    moment ago is taken from the session, not asked for again)."""
    if not isbn.strip():
        return None
    hints = lookup.by_isbn(order.school, isbn, remembered=request.session.get(LOOKUP_KEY))
    if hints is not None and hints.marc is not None:
        request.session[LOOKUP_KEY] = hints.remember()
    return hints


def _find_line(request: HttpRequest, order: Order, form: LineForm) -> tuple[LineForm, Any]:
    """ "Find by ISBN" on the line form: the form again with the title and price filled in."""
    posted = request.POST
    hints = _hints(request, order, posted.get("isbn", ""))
    if hints is None:
        messages.error(request, _("Write a valid ISBN to look it up."))
        return form, None
    initial: dict[str, Any] = {
        name: posted.get(name) for name in form.fields if posted.get(name) not in (None, "")
    }
    initial["vat_included"] = "vat_included" in posted
    initial["isbn"] = hints.isbn13
    if hints.found:
        initial.setdefault("title", hints.title)
        if hints.price is not None:
            initial.setdefault("unit_price", hints.price)
    return _line_form(request, order, initial=initial), hints


def _batches(order: Order) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for receipt in Receipt.objects.filter(line__order=order).order_by("received_at"):
        row = rows.setdefault(
            receipt.batch, {"batch": receipt.batch, "at": receipt.received_at, "copies": 0}
        )
        row["copies"] += 1
    return list(rows.values())


@login_required
def order_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The order's lines as a CSV file, for vendors that import orders."""
    order = _order(request, pk)
    response = HttpResponse(documents.order_csv(order), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="order-{order.pk}.csv"'
    return response


@login_required
def order_edifact(request: HttpRequest, pk: int) -> HttpResponse:
    """The order as an EDIFACT ORDERS message, for vendors that take EDI."""
    order = _order(request, pk)
    response = HttpResponse(
        edifact.order_message(order), content_type="application/EDIFACT; charset=iso-8859-1"
    )
    response["Content-Disposition"] = f'attachment; filename="order-{order.pk}.edi"'
    return response


@login_required
@require_POST
def order_send(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    pdf = _attempt(
        request,
        lambda: orders.send_order(_me(request), order, by_email=bool(request.POST.get("email"))),
    )
    if pdf is None:
        return redirect("acquisitions-order", pk=order.pk)
    if request.POST.get("email"):
        messages.success(
            request, _("The order is sent to %(email)s.") % {"email": order.vendor.email or "—"}
        )
        return redirect("acquisitions-order", pk=order.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="order-{order.pk}.pdf"'
    return response


def _line(request: HttpRequest, pk: int) -> OrderLine:
    school = school_for(request, Perm.ACQUISITIONS)
    return get_object_or_404(
        OrderLine.objects.select_related("order__school", "fund"),
        pk=pk,
        order__in=selectors.orders(_me(request), school),
    )


@login_required
@require_POST
def line_action(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    line = _line(request, pk)
    me = _me(request)
    if what == "cancel":
        _attempt(
            request,
            lambda: orders.cancel_line(me, line, reason=request.POST.get("reason", "")),
            _("The line is cancelled."),
        )
    elif what == "claim":
        _attempt(
            request, lambda: orders.claim_line(me, line), _("The line is claimed from the vendor.")
        )
    elif what == "receive":
        form = ReceiveForm(request.POST)
        codes = form.data.get("barcodes", "").split()
        arrival = _attempt(request, lambda: receiving.receive(me, line, codes))
        if arrival:
            messages.success(request, receiving.arrival_summary(arrival))
    return redirect("acquisitions-order", pk=line.order_id)


@login_required
@require_POST
def order_marc(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = MarcFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the vendor's MARC file."))
        return redirect("acquisitions-order", pk=order.pk)
    arrival = _attempt(
        request, lambda: receiving.receive_marc_file(_me(request), order, form.cleaned_data["file"])
    )
    if arrival:
        messages.success(request, receiving.arrival_summary(arrival))
        for note in arrival.holds:
            messages.info(request, note)
    return redirect("acquisitions-order", pk=order.pk)


@login_required
def batch_labels(request: HttpRequest, pk: int, batch: str) -> HttpResponse:
    """Spine labels for exactly the copies that arrived in one batch."""
    order = _order(request, pk)
    items = [
        r.item
        for r in Receipt.objects.filter(line__order=order, batch=batch)
        .select_related("item__record", "item__school")
        .order_by("item__barcode")
    ]
    sheet = [
        labels.Label(i.barcode, i.effective_shelf_mark, i.record.title, i.school.name)
        for i in items
    ]
    pdf = labels.render(sheet, labels.PRESETS["a4-3x7"], "spine")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="labels-{order.pk}.pdf"'
    return response


@login_required
def invoice_new(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    lines = [line for line in selectors.order_lines(order) if line.received > line.invoiced]
    if request.method == "POST":
        charges = []
        for line in lines:
            count = int(request.POST.get(f"quantity-{line.pk}") or 0)
            if count:
                price = Decimal(request.POST.get(f"price-{line.pk}") or line.unit_price)
                charges.append(
                    invoices.Charge(line, count, price, override=bool(request.POST.get("override")))
                )
        try:
            day = dt.date.fromisoformat(request.POST.get("invoice_date", ""))
        except ValueError:
            day = timezone.localdate()
        invoice = _attempt(
            request,
            lambda: invoices.enter_invoice(
                _me(request),
                order.school,
                order.vendor,
                number=request.POST.get("number", "").strip(),
                invoice_date=day,
                charges=charges,
            ),
            _("The invoice is entered and the funds are charged."),
        )
        if invoice:
            return redirect("acquisitions-order", pk=order.pk)
    return render(
        request,
        "acquisitions/invoice.html",
        {"order": order, "lines": lines, "today": timezone.localdate()},
    )


@login_required
def report(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.REPORTS_VIEW)
    by = request.GET.get("by", "fund")
    by = by if by in selectors.REPORT_GROUPS else "fund"
    year = request.GET.get("year") or calendar.current_school_year(school)
    every = request.GET.get("all") == "1"
    rows = selectors.expenditure(
        _me(request), by=by, school=None if every else school, school_year=year
    )
    return render(
        request, "acquisitions/report.html", {"rows": rows, "by": by, "year": year, "every": every}
    )


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    rows = selectors.suggestions_of(_me(request), school)[:200]
    return render(
        request,
        "acquisitions/suggestions.html",
        {"suggestions": rows, "decline_form": DeclineForm()},
    )


@login_required
@require_POST
def suggestion_decide(request: HttpRequest, pk: int) -> HttpResponse:
    school = school_for(request, Perm.ACQUISITIONS)
    suggestion = denials.get_or_404(request, selectors.suggestions_of(_me(request), school), pk=pk)
    if request.POST.get("what") == "review":
        _attempt(
            request,
            lambda: suggestions.review(_me(request), suggestion),
            _("The suggestion is under review."),
        )
    else:
        _attempt(
            request,
            lambda: suggestions.decline(_me(request), suggestion, request.POST.get("reason", "")),
            _("The suggestion is declined."),
        )
    return redirect("acquisitions-suggestions")
