"""What an order looks like to a vendor: its PDF (reportlab) and the text of its mails."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reol.core import csvsafe

from .models import Order, OrderLine


def _line_text(line: OrderLine) -> str:
    isbn = f" ISBN {line.isbn}" if line.isbn else ""
    return f"{line.quantity} × {line.title}{isbn} — {line.unit_price} {line.fund.currency}"


def order_text(order: Order) -> str:
    lines = [
        _("Order %(n)d from %(school)s") % {"n": order.pk, "school": order.school.name},
        _("Customer number: %(c)s") % {"c": order.vendor.customer_number or "—"},
        "",
        *(_line_text(line) for line in order.lines.select_related("fund")),
    ]
    if order.note:
        lines += ["", order.note]
    return "\n".join(lines) + "\n"


def claim_text(line: OrderLine) -> str:
    sent = date_format(line.order.sent_at, "SHORT_DATE_FORMAT") if line.order.sent_at else "—"
    return (
        _(
            "We ordered this on %(sent)s (order %(n)d) and %(count)d copies have not arrived. "
            "Please deliver them or tell us when they will come."
        )
        % {"sent": sent, "n": line.order_id, "count": line.outstanding}
        + "\n\n"
        + _line_text(line)
        + "\n"
    )


def order_pdf(order: Order) -> bytes:
    """One A4 page per 40 lines: the school, the vendor, the lines and the total."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(_("Order %(n)d") % {"n": order.pk})
    _width, height = A4
    y = height - 20 * mm

    def write(text: str, size: float = 10, x: float = 20 * mm) -> None:
        nonlocal y
        if y < 20 * mm:
            canvas.showPage()
            y = height - 20 * mm
        canvas.setFont("Helvetica", size)
        canvas.drawString(x, y, text[:110])
        y -= size * 0.5 * mm

    write(_("Order %(n)d from %(school)s") % {"n": order.pk, "school": order.school.name}, 14)
    write(_("To: %(vendor)s") % {"vendor": order.vendor.name})
    for part in order.vendor.address.splitlines():
        write(part)
    write(_("Customer number: %(c)s") % {"c": order.vendor.customer_number or "—"})
    y -= 4 * mm
    total = Decimal("0.00")
    currency = ""
    for line in order.lines.select_related("fund"):
        write(_line_text(line))
        total += line.quantity * line.unit_price
        currency = line.fund.currency
    y -= 4 * mm
    write(_("Total: %(total)s %(currency)s") % {"total": total, "currency": currency}, 12)
    if order.note:
        write(order.note)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def order_csv(order: Order) -> str:
    """The order as a file for a vendor's import: one row per line (formulas escaped)."""
    out = io.StringIO()
    rows = csvsafe.writer(out)
    rows.writerow(["order", "isbn", "title", "quantity", "unit_price", "currency", "vat_included"])
    for line in order.lines.select_related("fund"):
        rows.writerow(
            [
                order.pk,
                line.isbn,
                line.title,
                line.quantity,
                line.unit_price,
                line.fund.currency,
                "yes" if line.vat_included else "no",
            ]
        )
    return out.getvalue()
