"""A development project as a PDF document (reportlab's platypus, which wraps long texts):
the application, or the final report, with purpose, themes, partners, budget, milestones and
tasks; for a development pool's form or the network's portfolio."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from .models import Project


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def project_pdf(project: Project, *, final: bool = False) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    kind = _("Final report") if final else _("Application")
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{kind}: {project.title}",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
    )
    host = project.school or project.library
    story = [
        Paragraph(_text(f"{kind}: {project.title}"), styles["Title"]),
        Paragraph(_text(f"{host} · {project.network}"), styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    sections = [
        (_("Purpose"), project.purpose),
        (_("Themes"), project.themes),
        (_("Partners"), project.partners),
        (_("Budget"), formats.number_format(project.budget, 2, use_l10n=True, force_grouping=True)),
        (kind, project.final_report if final else project.application),
    ]
    for heading, body in sections:
        if body:
            story += [
                Paragraph(_text(heading), styles["Heading2"]),
                Paragraph(_text(str(body)), styles["Normal"]),
            ]
    steps = [
        f"{formats.date_format(m.due, 'SHORT_DATE_FORMAT')}: {m.title}"
        + (f" ({_('reached')})" if m.done else "")
        for m in project.milestones.all()
    ]
    if steps:
        story += [Paragraph(_text(_("Milestones")), styles["Heading2"])]
        story += [Paragraph(_text(s), styles["Normal"]) for s in steps]
    tasks = [
        t.title + (f" · {t.owner.get_full_name() or t.owner.username}" if t.owner else "")
        for t in project.tasks.select_related("owner")
    ]
    if tasks:
        story += [Paragraph(_text(_("Tasks")), styles["Heading2"])]
        story += [Paragraph(_text(t), styles["Normal"]) for t in tasks]
    doc.build(story)
    return buffer.getvalue()
