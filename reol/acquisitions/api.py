"""REST endpoints of acquisitions under ``/api/v1/acquisitions/``: funds with their balances,
suggestions (anyone at a school suggests; staff see the school's), an order with its lines,
receiving copies of a line, and the expenditure report. Scoped like the pages: another school's
fund or order is a 404; a refusal is ``{"code", "message"}`` with its status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from reol.core.models import School, User
from reol.core.paging import paged
from reol.core.permissions import Perm, has_perm, roles_at, schools_with, scope
from reol.core.schemas import ManyLines, OneLine

from . import selectors
from .actions import invoices, receiving, suggestions
from .errors import AcquisitionError
from .models import Fund, Order, OrderLine, Suggestion, Vendor

router = Router(tags=["acquisitions"])


class Problem(Schema):
    code: str
    message: str


class FundOut(Schema):
    id: int
    school: str = Field(..., alias="school.code")
    school_year: str
    code: str
    name: str
    currency: str
    allocated: Decimal
    transferred: Decimal
    committed: Decimal
    spent: Decimal
    available: Decimal


class SuggestionIn(Schema):
    school: OneLine
    isbn: OneLine = ""
    title: OneLine = ""
    author: OneLine = ""
    why: ManyLines = ""
    want_hold: bool = True


class SuggestionOut(Schema):
    id: int
    isbn: str
    title: str
    author: str
    publisher: str
    price_hint: Decimal | None
    record: int | None = Field(None, alias="record_id")
    found_in: str
    topic: str
    state: str
    decline_reason: str
    hold_note: str


class LineOut(Schema):
    id: int
    title: str
    isbn: str
    quantity: int
    unit_price: Decimal
    fund: int = Field(..., alias="fund_id")
    received: int
    cancelled: int
    invoiced: int


class OrderOut(Schema):
    id: int
    vendor: str
    state: str
    lines: list[LineOut]


class ReceiveIn(Schema):
    barcodes: list[OneLine] = []


class ChargeIn(Schema):
    line: int
    quantity: int
    unit_price: Decimal
    vat_included: bool = True


class InvoiceIn(Schema):
    vendor: int
    number: OneLine
    invoice_date: dt.date
    lines: list[ChargeIn]
    override: bool = False


class InvoiceOut(Schema):
    id: int
    number: str
    total: Decimal
    differences: Decimal


class ReportRow(Schema):
    group: str
    currency: str
    amount: Decimal
    copies: int


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _refused(error: AcquisitionError) -> tuple[int, dict[str, str]]:
    return error.status, {"code": error.code, "message": error.message}


@router.get("/acquisitions/funds", response=list[FundOut])
@paged
def list_funds(request: HttpRequest, school_year: str | None = None) -> Any:
    """The funds of the schools where you handle acquisitions."""
    rows = scope(Fund.objects.select_related("school"), _me(request), Perm.ACQUISITIONS)
    return list(rows.filter(school_year=school_year) if school_year else rows)


@router.get("/acquisitions/suggestions", response=list[SuggestionOut])
@paged
def list_suggestions(request: HttpRequest) -> Any:
    """Your own suggestions, and those of the schools where you handle acquisitions."""
    me = _me(request)
    staff = scope(Suggestion.objects.all(), me, Perm.ACQUISITIONS)
    return list((Suggestion.objects.filter(suggester=me) | staff).distinct()[:500])


@router.post(
    "/acquisitions/suggestions",
    response={201: SuggestionOut, 403: Problem, 422: Problem, 404: Problem},
)
def create_suggestion(request: HttpRequest, payload: SuggestionIn) -> Any:
    me = _me(request)
    school = School.objects.filter(code=payload.school).first()
    if school is None or not roles_at(me, school):
        raise Http404
    data = payload.dict(exclude={"school"})
    try:
        return 201, suggestions.suggest_looked_up(me, school, **data)
    except AcquisitionError as error:
        return _refused(error)


def _order(request: HttpRequest, order_id: int) -> Order:
    order = (
        scope(Order.objects.select_related("vendor"), _me(request), Perm.ACQUISITIONS)
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404
    return order


@router.get("/acquisitions/orders/{int:order_id}", response=OrderOut)
def get_order(request: HttpRequest, order_id: int) -> Any:
    order = _order(request, order_id)
    lines = list(order.lines.all())
    return {"id": order.pk, "vendor": order.vendor.name, "state": order.state, "lines": lines}


@router.post(
    "/acquisitions/orders/{int:order_id}/lines/{int:line_id}/receive",
    response={201: list[str], 409: Problem, 422: Problem},
)
def receive_line(request: HttpRequest, order_id: int, line_id: int, payload: ReceiveIn) -> Any:
    """Copies of a line arrived: one per barcode (none given: one copy, barcode made)."""
    order = _order(request, order_id)
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if line is None:
        raise Http404
    try:
        arrival = receiving.receive(_me(request), line, payload.barcodes)
    except AcquisitionError as error:
        return _refused(error)
    return 201, [i.barcode for i in arrival.items]


@router.get("/acquisitions/expenditure", response=list[ReportRow])
@paged
def expenditure(
    request: HttpRequest,
    by: str = "fund",
    school_year: str | None = None,
    school: str | None = None,
) -> Any:
    """Invoiced money per fund, vendor, material or school, in the schools you may report on."""
    me = _me(request)
    where = None
    if school:
        where = schools_with(me, Perm.REPORTS_VIEW).filter(code=school).first()
        if where is None or not has_perm(me, Perm.REPORTS_VIEW, where):
            raise Http404
    if by not in selectors.REPORT_GROUPS:
        by = "fund"
    return selectors.expenditure(me, by=by, school=where, school_year=school_year)


@router.post("/acquisitions/invoices", response={201: InvoiceOut, 409: Problem, 422: Problem})
def enter_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    """An invoice matched to received order lines; each fund is charged what was invoiced."""
    me = _me(request)
    vendor = scope(Vendor.objects.all(), me, Perm.ACQUISITIONS).filter(pk=payload.vendor).first()
    if vendor is None:
        raise Http404
    lines = {
        line.pk: line
        for line in OrderLine.objects.filter(
            order__vendor=vendor, pk__in=[c.line for c in payload.lines]
        ).select_related("order")
    }
    if len(lines) != len({c.line for c in payload.lines}):
        raise Http404
    charges = [
        invoices.Charge(lines[c.line], c.quantity, c.unit_price, c.vat_included, payload.override)
        for c in payload.lines
    ]
    try:
        invoice = invoices.enter_invoice(
            me,
            vendor.school,
            vendor,
            number=payload.number,
            invoice_date=payload.invoice_date,
            charges=charges,
        )
    except AcquisitionError as error:
        return _refused(error)
    rows = list(invoice.lines.select_related("order_line"))
    return 201, {
        "id": invoice.pk,
        "number": invoice.number,
        "total": sum((r.amount for r in rows), Decimal("0.00")),
        "differences": sum((r.difference for r in rows), Decimal("0.00")),
    }
