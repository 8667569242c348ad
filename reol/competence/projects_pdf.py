"""A development project as a PDF document (reportlab's platypus, which wraps long texts):
the application, or the final report, with purpose, themes, partners, budget, milestones and
tasks; for a development pool's form or the network's portfolio."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .documents import project_outline
from .models import Project


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def project_pdf(project: Project, *, final: bool = False) -> bytes:
    outline = project_outline(project, final=final)
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=outline.title,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
    )
    story = [
        Paragraph(_text(outline.title), styles["Title"]),
        Paragraph(_text(outline.subtitle), styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    for heading, body in outline.sections:
        story += [
            Paragraph(_text(heading), styles["Heading2"]),
            Paragraph(_text(body), styles["Normal"]),
        ]
    for heading, items in outline.lists:
        story += [Paragraph(_text(heading), styles["Heading2"])]
        story += [Paragraph(_text(item), styles["Normal"]) for item in items]
    doc.build(story)
    return buffer.getvalue()
