"""Overdue letters on paper, per class: the overdue loans of a school (or one group), the
letters noted as printed (audited, so the next reminder level counts them), and the PDF with one
letter per patron in the patron's language.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require
from reol.patrons.models import Group, GroupMember

from .models import Loan
from .notices import language_of


def overdue_loans(school: School, today: dt.date, group: Group | None = None) -> QuerySet[Loan]:
    """The school's overdue loans (of one class's students), by student then due date."""
    loans = Loan.objects.of_school(school).overdue(today).filter(patron__isnull=False)
    if group is not None:
        students = GroupMember.objects.filter(group=group, role=GroupMember.Role.STUDENT).values(
            "patron__user"
        )
        loans = loans.filter(patron__in=students)
    return loans.select_related("item__record", "patron").order_by(
        "patron__last_name", "patron__first_name", "patron_id", "due_date", "id"
    )


@transaction.atomic
def note_letters_printed(
    actor: Actor, school: School, group: Group | None, people: Sequence[User]
) -> None:
    """Printing letters shows students' loans to staff: audited like a view of their record."""
    require(actor, Perm.CIRCULATION_DESK, school)
    audit.record(
        actor,
        "notice.letters",
        group,
        school=school,
        details={"group": group.name if group else None, "patrons": [p.username for p in people]},
    )


# The letter's table fills A4's text width (170 mm); the headings wrap inside their column
# ("Afleveringsdato", "Dage for sent" are wider than a number), so they never overlap.
LETTER_COLUMNS_MM = (78, 34, 34, 24)


def letter_table(own: Sequence[Loan], today: dt.date) -> Any:
    """The overdue copies of one letter as a reportlab table, in the active language."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Table
    from reportlab.platypus.tables import TableStyle

    normal = getSampleStyleSheet()["Normal"]
    bold = ParagraphStyle("letter-heading", parent=normal, fontName="Helvetica-Bold")
    headings = [_("Title"), _("Barcode"), _("Due"), _("Days late")]
    rows: list[list[Any]] = [[Paragraph(escape(str(h)), bold) for h in headings]]
    for loan in own:
        rows.append(
            [
                Paragraph(escape(loan.item.record.title), normal),
                loan.item.barcode,
                Paragraph(escape(date_format(loan.due_date, "SHORT_DATE_FORMAT")), normal),
                str((today - loan.due_date).days),
            ]
        )
    table = Table(rows, colWidths=[w * mm for w in LETTER_COLUMNS_MM], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _by_patron(loans: Iterable[Loan]) -> list[tuple[User, list[Loan]]]:
    """The loans per student, in the order the students first come."""
    by_patron: dict[int, list[Loan]] = defaultdict(list)
    people: dict[int, User] = {}
    for loan in loans:
        assert loan.patron is not None
        by_patron[loan.patron.pk].append(loan)
        people[loan.patron.pk] = loan.patron
    return [(people[pk], own) for pk, own in by_patron.items()]


def _letter(
    school: School,
    person: User,
    own: Sequence[Loan],
    today: dt.date,
    group: Group | None,
    styles: Any,
) -> list[Any]:
    """One student's letter home (a page's flowables), in the student's language."""
    from xml.sax.saxutils import escape

    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    story: list[Any] = []
    with translation.override(language_of(person, school)):
        name = person.get_full_name() or person.username
        story.append(Paragraph(escape(school.name), styles["Normal"]))
        story.append(Paragraph(escape(date_format(today, "DATE_FORMAT")), styles["Normal"]))
        story.append(Spacer(1, 12 * mm))
        heading = _("To %(name)s and the family") % {"name": name}
        if group is not None:
            heading += f" ({group.name})"
        story.append(Paragraph(escape(heading), styles["Heading2"]))
        text = ngettext(
            "This copy borrowed from the school library is overdue. Please bring it back "
            "as soon as you can.",
            "These copies borrowed from the school library are overdue. Please bring them "
            "back as soon as you can.",
            len(own),
        )
        story.append(Paragraph(escape(text), styles["Normal"]))
        story.append(Spacer(1, 6 * mm))
        story.append(letter_table(own, today))
        story.append(Spacer(1, 10 * mm))
        story.append(
            Paragraph(
                escape(_("If you cannot find it, talk to the library: together we find a way.")),
                styles["Normal"],
            )
        )
        story.append(Spacer(1, 6 * mm))
        story.append(Paragraph(escape(_("Kind regards, the school library")), styles["Normal"]))
    return story


def letters_pdf(
    school: School, loans: Iterable[Loan], today: dt.date, group: Group | None
) -> bytes:
    """One A4 page per student: a letter home about the overdue copies, in their language."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    styles = getSampleStyleSheet()
    story: list[Any] = []
    for n, (person, own) in enumerate(_by_patron(loans)):
        if n:
            story.append(PageBreak())
        story += _letter(school, person, own, today, group, styles)
    if not story:
        story.append(Paragraph(escape(_("No overdue loans.")), styles["Normal"]))
    buffer = io.BytesIO()
    title = _("Overdue letters")
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=20 * mm, rightMargin=20 * mm
    )
    doc.build(story)
    return buffer.getvalue()
