"""A course certificate as a one-page PDF (reportlab): who completed which course, its
sessions, the network that ran it. Helvetica covers æ, ø and å (WinAnsi)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from reol.core.models import User

from .models import Course


def certificate_pdf(course: Course, user: User) -> bytes:
    buffer = io.BytesIO()
    pdf = Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Course certificate"))
    width, height = A4
    y = height - 50 * mm
    pdf.setFont("Helvetica-Bold", 26)
    pdf.drawCentredString(width / 2, y, _("Course certificate"))
    y -= 20 * mm
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, y, _("This is to certify that"))
    y -= 12 * mm
    pdf.setFont("Helvetica-Bold", 20)
    pdf.drawCentredString(width / 2, y, user.get_full_name() or user.username)
    y -= 12 * mm
    pdf.setFont("Helvetica", 14)
    pdf.drawCentredString(width / 2, y, _("has completed the course"))
    y -= 12 * mm
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawCentredString(width / 2, y, course.title[:80])
    y -= 16 * mm
    pdf.setFont("Helvetica", 11)
    for session in course.sessions.all():
        when = formats.date_format(timezone.localtime(session.starts).date(), "SHORT_DATE_FORMAT")
        pdf.drawCentredString(width / 2, y, f"{session.number}. {session.title[:70]} · {when}")
        y -= 7 * mm
    y -= 10 * mm
    pdf.drawCentredString(width / 2, y, course.network.name)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def certificate_response(course: Course, user: User) -> HttpResponse:
    """The certificate as a download, one file name wherever it is fetched from."""
    response = HttpResponse(certificate_pdf(course, user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{course.pk}.pdf"'
    return response
