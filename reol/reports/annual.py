"""The annual report as a PDF (reportlab): the school's chosen charts, each with its table, in
the school's language. The figures are the reports' own suppressed tables, so a withheld
row reads "fewer than 5" here too."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.utils import translation
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from reol.core.models import School

from . import framework
from .charts import _number
from .evaluation import previous
from .framework import Filters
from .models import Evaluation

DEFAULT_CHARTS = ("loans-by-month", "loans-by-grade", "collection-age")
MAX_CHART_ROWS = 24


def _chart(table: framework.Table) -> Drawing | None:
    column = next(iter(table.chart_columns), None)
    rows = [r for r in table.rows[:MAX_CHART_ROWS]]
    if column is None or not rows:
        return None
    values = [0.0 if r.suppressed else (_number(r.values.get(column.key)) or 0.0) for r in rows]
    height = 16 * len(rows) + 30
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 45 * mm, 15
    chart.width, chart.height = 110 * mm, height - 25
    chart.data = [values[::-1]]
    chart.categoryAxis.categoryNames = [table.label_of(r)[:28] for r in rows][::-1]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#1f5f8b")
    chart.barLabelFormat = lambda v: localize(v) if v else ""
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    drawing.add(chart)
    return drawing


def _table(table: framework.Table, style: Any) -> Table:
    head = [Paragraph(escape(str(c.label)), style) for c in table.columns]
    body = [
        [Paragraph(escape(str(localize(v))), style) for v in table.cells(r)] for r in table.rows
    ]
    grid = Table([head, *body], repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return grid


def _evaluation(school: School, filters: Filters, styles: Any, small: Any) -> list[Any]:
    """The year's self-evaluation, criterion by criterion, with last year's level beside."""
    current = Evaluation.objects.filter(school=school, school_year=filters.school_year).first()
    if current is None:
        return []
    before = previous(current)
    earlier = {c.heading: c for c in before.criteria.all()} if before else {}
    head = [_("Criterion"), _("Level"), _("Last year"), _("Comment"), _("Goals for next year")]
    body = [
        [
            c.heading,
            c.get_level_display() if c.level else "–",
            earlier[c.heading].get_level_display()
            if c.heading in earlier and earlier[c.heading].level
            else "–",
            c.comment,
            c.goals,
        ]
        for c in current.criteria.all()
    ]
    grid = Table(
        [[Paragraph(escape(str(v)), small) for v in line] for line in [head, *body]],
        repeatRows=1,
        colWidths=[35 * mm, 22 * mm, 22 * mm, 50 * mm, 45 * mm],
    )
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey)]))
    title = _("Self-evaluation: %(standard)s") % {"standard": current.standard}
    return [Paragraph(escape(title), styles["Heading2"]), grid]


def build(school: School, filters: Filters, keys: Sequence[str] | None = None) -> bytes:
    """The PDF's bytes: a title page line, the filters, then each chosen report."""
    with translation.override(school.default_language):
        return _build(school, filters, keys or DEFAULT_CHARTS)


def _build(school: School, filters: Filters, keys: Sequence[str]) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[Any] = [
        Paragraph(
            _("Annual report of the school library, %(year)s") % {"year": filters.school_year},
            styles["Title"],
        ),
        Paragraph(escape(school.name), styles["Heading2"]),
        Paragraph(
            _("Period: %(from)s – %(to)s")
            % {"from": localize(filters.starts), "to": localize(filters.ends)},
            styles["BodyText"],
        ),
        Spacer(1, 6 * mm),
    ]
    for key in keys:
        report = framework.get(key)
        if report is None:
            continue
        table = framework.result(report, filters)
        part: list[Any] = [Paragraph(str(report.title), styles["Heading2"])]
        drawing = _chart(table)
        if drawing is not None:
            part.append(drawing)
        story.append(KeepTogether(part))
        story.append(_table(table, small))
        if table.note:
            story.append(Paragraph(str(table.note), small))
        story.append(Spacer(1, 6 * mm))
    story += _evaluation(school, filters, styles, small)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=_("Annual report"), author=school.name, leftMargin=18 * mm
    )
    doc.build(story)
    return out.getvalue()
