"""Documents to take away and edit: a development project's application or final report, and a
course series' programme. One outline per document, written as DOCX (python-docx, a
well-kept library for Word documents) and, for a project, as PDF (``projects_pdf``), so both
say the same."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from docx import Document

from reol.core.text import one_line, printable

from .models import Course, Project

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Outline:
    title: str
    subtitle: str
    sections: list[tuple[str, str]] = field(default_factory=list)  # (heading, text)
    lists: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, items)


def _date(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def project_outline(project: Project, *, final: bool = False) -> Outline:
    kind = _("Final report") if final else _("Application")
    host = project.school or project.library
    sections = [
        (_("Purpose"), project.purpose),
        (_("Themes"), project.themes),
        (_("Partners"), project.partners),
        (_("Budget"), formats.number_format(project.budget, 2, use_l10n=True, force_grouping=True)),
        (kind, project.final_report if final else project.application),
    ]
    milestones = [
        f"{_date(m.due)}: {m.title}" + (f" ({_('reached')})" if m.done else "")
        for m in project.milestones.all()
    ]
    tasks = [
        t.title + (f" · {t.owner.get_full_name() or t.owner.username}" if t.owner else "")
        for t in project.tasks.select_related("owner")
    ]
    return Outline(
        f"{kind}: {project.title}",
        f"{host} · {project.network}",
        [(h, str(b)) for h, b in sections if b],
        [(h, items) for h, items in ((_("Milestones"), milestones), (_("Tasks"), tasks)) if items],
    )


def course_outline(course: Course) -> Outline:
    """A course series' programme: what it is about, then each session's when and where."""
    sections = [(_("About the course"), course.description)] if course.description else []
    if course.area is not None:
        sections.append((_("Competence area"), course.area.name))
    sessions = []
    for s in course.sessions.all():
        starts, ends = timezone.localtime(s.starts), timezone.localtime(s.ends)
        where = " · ".join(part for part in (s.place, s.online_url) if part)
        sessions.append(
            f"{s.number}. {s.title} — {_date(starts)} "
            f"{formats.time_format(starts, 'H:i')}–{formats.time_format(ends, 'H:i')} · {where}"
        )
    materials = [
        m.title + (f" ({m.url})" if m.url else "") for m in course.materials.order_by("id")
    ]
    lists = [(_("Sessions"), sessions)]
    if materials:
        lists.append((_("Materials"), materials))
    return Outline(
        _("Programme: %(title)s") % {"title": course.title},
        str(course.network),
        sections,
        lists,
    )


def docx_of(outline: Outline) -> bytes:
    """The outline as a Word document. Control characters (which XML cannot hold) are dropped."""
    document = Document()
    document.core_properties.title = one_line(outline.title)[:255]
    document.add_heading(one_line(outline.title), level=0)
    document.add_paragraph(one_line(outline.subtitle))
    for heading, text in outline.sections:
        document.add_heading(one_line(heading), level=1)
        for paragraph in printable(text).splitlines() or [""]:
            document.add_paragraph(paragraph)
    for heading, items in outline.lists:
        document.add_heading(one_line(heading), level=1)
        for item in items:
            document.add_paragraph(printable(item), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
