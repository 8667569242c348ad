"""Vendors and orders: ``save_vendor``, ``create_order``, ``add_line`` (commits the money),
``send_order`` (PDF, and e-mail when the vendor has an address), ``cancel_line`` (releases the
money of what will not come) and ``claim_line`` (a reminder for a late line)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pymarc
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog import services as catalog_services
from reol.catalog import sru
from reol.catalog.extract import normalize_isbn
from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import Location, School, User
from reol.core.permissions import Actor, Perm, require

from .. import documents
from ..errors import AcquisitionError
from ..models import (
    EntryKind,
    Fund,
    Order,
    OrderLine,
    OrderState,
    Suggestion,
    SuggestionState,
    Vendor,
)
from .funds import money, post


@transaction.atomic
def save_vendor(
    actor: Actor, school: School, vendor: Vendor | None = None, **values: Any
) -> Vendor:
    require(actor, Perm.ACQUISITIONS, school)
    vendor = vendor or Vendor(school=school)
    if vendor.school_id != school.pk:
        raise AcquisitionError(
            "other_school", _("This vendor belongs to another school."), status=404
        )
    for name, value in values.items():
        setattr(vendor, name, value)
    vendor.full_clean()
    vendor.save()
    audit.record(actor, "vendor.save", vendor, school=school)
    return vendor


@transaction.atomic
def create_order(actor: Actor, school: School, vendor: Vendor, *, note: str = "") -> Order:
    require(actor, Perm.ACQUISITIONS, school)
    if vendor.school_id != school.pk:
        raise AcquisitionError(
            "other_school", _("This vendor belongs to another school."), status=404
        )
    order = Order.objects.create(
        school=school,
        vendor=vendor,
        note=note,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.record(actor, "order.create", order, school=school, details={"vendor": vendor.name})
    return order


def _check_line(order: Order, fund: Fund, location: Location | None, record: Record | None) -> None:
    school = order.school
    if order.state == OrderState.CLOSED:
        raise AcquisitionError("order_closed", _("This order is closed."))
    if fund.school_id != school.pk:
        raise AcquisitionError(
            "other_school", _("This fund belongs to another school."), status=404
        )
    if fund.rolled_over:
        raise AcquisitionError("rolled_over", _("This fund's year is closed (rolled over)."))
    if location is not None and location.school_id != school.pk:
        raise AcquisitionError(
            "other_school", _("The location belongs to another school."), status=422
        )
    if record is not None and record.municipality_id != school.municipality_id:
        raise AcquisitionError("unknown_record", _("There is no such title."), status=422)
    other = order.lines.exclude(fund__currency=fund.currency).first()
    if other is not None:
        raise AcquisitionError(
            "currency",
            _("Every line of an order is in one currency; this order is in %(c)s.")
            % {"c": other.fund.currency},
            status=422,
        )


def _line_record(
    actor: Actor,
    school: School,
    record: Record | None,
    suggestion: Suggestion | None,
    found: pymarc.Record | None,
) -> Record | None:
    """The line's title in the catalogue: the one given, else the suggestion's, else ``found``
    copied in."""
    if record is None and suggestion is not None and suggestion.record_id:
        record = suggestion.record
    if record is None and found is not None:
        record = _catalogued(actor, school, found)
    return record


def _checked_copy(quantity: int, isbn: str, title: str, record: Record | None) -> tuple[str, str]:
    """The line's ISBN-13 ("" when none) and title, refused when the quantity, ISBN or title
    cannot be ordered."""
    if quantity < 1:
        raise AcquisitionError("bad_quantity", _("Order at least one copy."), status=422)
    isbn13 = normalize_isbn(isbn) if isbn else None
    if isbn and isbn13 is None:
        raise AcquisitionError(
            "bad_isbn", _("“%(isbn)s” is not a valid ISBN.") % {"isbn": isbn}, status=422
        )
    if record is not None:
        title = title or record.title
    if not title.strip():
        raise AcquisitionError(
            "no_title", _("Give a title, an ISBN with a title, or a record."), status=422
        )
    return isbn13 or "", title.strip()[:500]


def _mark_ordered(suggestion: Suggestion, line: OrderLine) -> None:
    """The suggestion that asked for the line is now ordered (it must be the order's school's)."""
    if suggestion.school_id != line.order.school_id:
        raise AcquisitionError(
            "other_school", _("The suggestion belongs to another school."), status=404
        )
    suggestion.order_line = line
    suggestion.state = SuggestionState.ORDERED
    suggestion.save(update_fields=["order_line", "state", "updated_at"])


@transaction.atomic
def add_line(
    actor: Actor,
    order: Order,
    *,
    fund: Fund,
    quantity: int,
    unit_price: Decimal,
    title: str = "",
    isbn: str = "",
    record: Record | None = None,
    vat_included: bool = True,
    location: Location | None = None,
    circulation_type: str = "normal",
    suggestion: Suggestion | None = None,
    override: bool = False,
    found: pymarc.Record | None = None,
) -> OrderLine:
    """A line of an order; its price × quantity is committed on the fund at once, refused past
    the fund's balance unless ``override``. A line without a record takes the suggestion's, or
    ``found`` (a record found over SRU for its ISBN, ``lookup.by_isbn``) copied into the
    catalogue, so that receiving and the new-materials bulletin know the title."""
    require(actor, Perm.ACQUISITIONS, order.school)
    record = _line_record(actor, order.school, record, suggestion, found)
    _check_line(order, fund, location, record)
    isbn13, title = _checked_copy(quantity, isbn, title, record)
    line = OrderLine.objects.create(
        order=order,
        record=record,
        isbn=isbn13,
        title=title,
        quantity=quantity,
        unit_price=money(unit_price),
        vat_included=vat_included,
        fund=fund,
        location=location,
        circulation_type=circulation_type,
    )
    post(actor, fund, EntryKind.COMMITMENT, line.commitment, line=line, override=override)
    if suggestion is not None:
        _mark_ordered(suggestion, line)
    audit.record(
        actor,
        "order.line",
        order,
        school=order.school,
        details={"line": line.pk, "title": line.title, "amount": str(line.commitment)},
    )
    return line


def _catalogued(actor: Actor, school: School, found: pymarc.Record) -> Record:
    """The found record as one of ours; the one we have if its ISBN came in meanwhile."""
    try:
        return catalog_services.create_record(actor, school.municipality, sru.as_ours(found))
    except catalog_services.DuplicateIsbn as error:
        return error.records[0]


@transaction.atomic
def send_order(actor: Actor, order: Order, *, by_email: bool = True) -> bytes:
    """Mark the order sent and return its PDF; mailed to the vendor when asked and possible."""
    require(actor, Perm.ACQUISITIONS, order.school)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if not order.lines.exists():
        raise AcquisitionError("empty_order", _("An order needs at least one line."), status=422)
    pdf = documents.order_pdf(order)
    if order.state == OrderState.DRAFT:
        order.state = OrderState.SENT
        order.sent_at = timezone.now()
        order.save(update_fields=["state", "sent_at"])
    mailed = bool(by_email and order.vendor.email)
    if mailed:
        mail = EmailMessage(
            _("Order %(n)d from %(school)s") % {"n": order.pk, "school": order.school.name},
            documents.order_text(order),
            to=[order.vendor.email],
            reply_to=[order.school.email] if order.school.email else None,
        )
        mail.attach(f"order-{order.pk}.pdf", pdf, "application/pdf")
        transaction.on_commit(mail.send)
    audit.record(actor, "order.send", order, school=order.school, details={"mailed": mailed})
    return pdf


def _locked_line(line: OrderLine) -> OrderLine:
    return OrderLine.objects.select_for_update().select_related("order", "fund").get(pk=line.pk)


@transaction.atomic
def cancel_line(
    actor: Actor, line: OrderLine, quantity: int | None = None, *, reason: str = ""
) -> OrderLine:
    """Cancel what has not arrived (all of it, or ``quantity``); its money is released."""
    require(actor, Perm.ACQUISITIONS, line.order.school)
    line = _locked_line(line)
    count = line.outstanding if quantity is None else quantity
    if not 1 <= count <= line.outstanding:
        raise AcquisitionError(
            "bad_quantity",
            _("%(n)d copies are still to come; cancel between 1 and %(n)d.")
            % {"n": line.outstanding},
            status=422,
        )
    uninvoiced = line.quantity - line.cancelled - line.invoiced
    released = min(count, uninvoiced) * line.unit_price
    line.cancelled += count
    line.save(update_fields=["cancelled"])
    if released:
        post(actor, line.fund, EntryKind.COMMITMENT, -released, line=line, note=reason)
    audit.record(
        actor,
        "order.cancel_line",
        line.order,
        school=line.order.school,
        details={"line": line.pk, "copies": count, "released": str(released), "reason": reason},
    )
    return line


@transaction.atomic
def claim_line(actor: Actor, line: OrderLine) -> OrderLine:
    """Remind the vendor of a late line (mailed when the vendor has an address)."""
    require(actor, Perm.ACQUISITIONS, line.order.school)
    line = _locked_line(line)
    if line.outstanding < 1:
        raise AcquisitionError(
            "nothing_to_claim", _("Everything on this line has arrived or was cancelled.")
        )
    if line.order.state == OrderState.DRAFT:
        raise AcquisitionError("not_sent", _("The order has not been sent yet."))
    line.claims += 1
    line.claimed_at = timezone.now()
    line.save(update_fields=["claims", "claimed_at"])
    vendor = line.order.vendor
    if vendor.email:
        mail = EmailMessage(
            _("Claim: order %(n)d from %(school)s")
            % {"n": line.order_id, "school": line.order.school.name},
            documents.claim_text(line),
            to=[vendor.email],
        )
        transaction.on_commit(mail.send)
    audit.record(
        actor,
        "order.claim",
        line.order,
        school=line.order.school,
        details={"line": line.pk, "claims": line.claims},
    )
    return line
