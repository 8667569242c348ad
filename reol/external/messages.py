"""What an interlibrary loan request says to the lender: the same few facts as an e-mail, a
printable form (PDF) and an ISO 18626 ``Request`` message.

``outgoing`` is the one list of what leaves Reol, shown to the librarian before sending: our
library, the request's number, the title and when it is needed. Never who asked for it.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from reol.core import calendar
from reol.core.text import one_line

from . import iso18626
from .models import IllRequest


def outgoing(loan: IllRequest) -> list[tuple[str, str]]:
    """(label, value) for every fact the lender is sent."""
    school = loan.school
    rows = [
        (_("From"), school.name),
        (_("Reply to"), school.email or ""),
        (_("Our reference"), f"{school.code}-{loan.pk}"),
        (_("Title"), loan.title or loan.topic),
        (_("Author"), loan.author),
        (_("ISBN"), loan.isbn),
        (_("Year"), str(loan.year or "")),
    ]
    if loan.week and loan.week_year:
        needed = calendar.monday(loan.week_year, loan.week)
        rows.append((_("Needed by"), needed.isoformat()))
    return [(label, one_line(value)) for label, value in rows if value]


def email(loan: IllRequest) -> EmailMessage:
    assert loan.target is not None
    title = one_line(loan.title or loan.topic)[:150]
    lines = [_("Dear %(lender)s,") % {"lender": loan.target.name}, ""]
    lines.append(_("We would like to borrow this title:"))
    lines.append("")
    lines += [f"{label}: {value}" for label, value in outgoing(loan)]
    lines += ["", _("Thank you."), loan.school.name]
    return EmailMessage(
        subject=_("Interlibrary loan request: %(title)s") % {"title": title},
        body="\n".join(lines),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[loan.target.request_email],
        reply_to=[loan.school.email] if loan.school.email else None,
    )


def form_pdf(loan: IllRequest) -> bytes:
    """A one-page form to print and post or hand over with the lender's slip."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Interlibrary loan request"))
    y = A4[1] - 25 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(20 * mm, y, _("Interlibrary loan request"))
    y -= 8 * mm
    pdf.setFont("Helvetica", 11)
    if loan.target is not None:
        pdf.drawString(20 * mm, y, _("To: %(lender)s") % {"lender": loan.target.name})
        y -= 10 * mm
    for label, value in outgoing(loan):
        pdf.setFont("Helvetica-Bold", 11)
        pdf.drawString(20 * mm, y, f"{label}:")
        pdf.setFont("Helvetica", 11)
        pdf.drawString(60 * mm, y, value[:80])
        y -= 7 * mm
    y -= 8 * mm
    for label in (_("Lender's due date"), _("Lender's reference"), _("Signature")):
        pdf.drawString(20 * mm, y, f"{label}: " + "_" * 40)
        y -= 10 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def iso18626_header(loan: IllRequest) -> iso18626.Header:
    """Who speaks to whom about which request: the lender's symbol, our school's, our id."""
    return iso18626.Header(
        supplying=loan.target.lender_symbol if loan.target else "",
        requesting=loan.school.code,
        request_id=f"{loan.school.code}-{loan.pk}",
        supplying_request_id=loan.lender_reference,
    )


def iso18626_request(loan: IllRequest) -> bytes:
    """An ISO 18626 (2017, schema 1.2) ``request`` message for a partner that speaks it."""
    needed = None
    if loan.week and loan.week_year:
        needed = calendar.monday(loan.week_year, loan.week)
    return iso18626.request(
        iso18626_header(loan),
        title=loan.title or loan.topic,
        author=loan.author,
        isbn=loan.isbn,
        year=str(loan.year or ""),
        need_before=needed,
    )
