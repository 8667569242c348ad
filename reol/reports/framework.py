"""The reports framework: a report is a selector with named, typed filters, whose answer is a
``Table``; the framework suppresses small cells, draws the chart and writes the exports.

* ``Filters``: the one set of filters every report understands (school, school year, dates,
  grade, group, material type, fiction, classification range, language). A report declares
  which of them it uses (``Report.filters``); the page and the API offer only those.
* ``Report``: ``run(filters) -> Table``. Register one with ``register(Report(...))``; other
  apps (acquisitions, technology) add theirs in their ``AppConfig.ready()``.
* ``result(report, filters)``: the only way a page, an export or the API gets a report's
  answer. It runs the report and then ``suppress``es it, so no caller can forget.

**Suppression (privacy by default).** A report about people (``about_people=True``) must
give every row the number of distinct people behind it (``Row.people``); a row about fewer
than ``THRESHOLD`` people has every figure replaced by ``SUPPRESSED`` ("fewer than 5"), in the
chart, the table, CSV, XLSX and the API alike. When exactly one row of a table is suppressed,
the next smallest is suppressed too, so that the total minus the others cannot give it back.
A report about people that forgets ``people`` raises rather than shows its figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core.models import School
from reol.core.permissions import Perm
from reol.core.plans import planned_for_their_values

THRESHOLD: Final = 5


class _Suppressed:
    """A figure withheld because fewer than ``THRESHOLD`` people are behind it."""

    _instance: _Suppressed | None = None

    def __new__(cls) -> _Suppressed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return _("fewer than %(n)s") % {"n": THRESHOLD}

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED: Final = _Suppressed()
FILTER_NAMES: Final = (
    "school",
    "school_year",
    "date_from",
    "date_to",
    "grade",
    "group",
    "material_type",
    "fiction",
    "class_from",
    "class_to",
    "language",
)


@dataclass(frozen=True)
class Filters:
    """What a report is asked about. ``schools`` is already scoped to what the asker may see
    (``forms.filters_for`` and the API resolve it); ``starts``/``ends`` are always set."""

    schools: tuple[School, ...]
    starts: dt.date
    ends: dt.date
    school_year: str = ""
    grade: int | None = None
    group: str = ""
    material_type: str = ""
    fiction: str = ""  # "", "fiction" or "nonfiction"
    class_from: str = ""
    class_to: str = ""
    language: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def school_ids(self) -> list[int]:
        return [s.pk for s in self.schools]

    @property
    def narrows_people(self) -> bool:
        """Does a filter pick out a subset of students (so its population must be ≥ 5)?"""
        return self.grade is not None or bool(self.group)

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) of every filter set, for a caption, a PDF or an export's first rows."""
        parts: list[tuple[str, str]] = [
            (_("Schools"), ", ".join(s.name for s in self.schools)),
            (_("From"), self.starts.isoformat()),
            (_("To"), self.ends.isoformat()),
        ]
        named = {
            _("Grade"): "" if self.grade is None else str(self.grade),
            _("Group"): self.group,
            _("Material type"): self.material_type,
            _("Fiction"): self.fiction,
            _("Classification from"): self.class_from,
            _("Classification to"): self.class_to,
            _("Language"): self.language,
        }
        return parts + [(k, v) for k, v in named.items() if v]


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    measure: bool = True  # a figure (suppressible); False for the row's label columns
    chart: bool = False  # drawn in the chart


@dataclass
class Row:
    values: dict[str, Any]
    people: int | None = None  # distinct people behind the row's figures (reports about people)
    suppressed: bool = False


@dataclass
class Table:
    columns: list[Column]
    rows: list[Row]
    caption: str | Promise = ""
    note: str | Promise = ""  # an honest caption (what the figure does and does not say)
    population: int | None = None  # students the filters describe, when they narrow them

    @property
    def label_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.measure]

    @property
    def chart_columns(self) -> list[Column]:
        return [c for c in self.columns if c.chart]

    def label_of(self, row: Row) -> str:
        return " · ".join(str(row.values.get(c.key, "")) for c in self.label_columns)

    def cells(self, row: Row) -> list[Any]:
        """The row's values in column order, withheld figures as ``SUPPRESSED``."""
        return [
            SUPPRESSED if row.suppressed and c.measure else row.values.get(c.key, "")
            for c in self.columns
        ]

    @property
    def any_suppressed(self) -> bool:
        return any(r.suppressed for r in self.rows)


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    description: str | Promise
    section: str | Promise
    run: Callable[[Filters], Table]
    filters: Sequence[str] = FILTER_NAMES
    about_people: bool = True
    perm: Perm = Perm.REPORTS_VIEW
    order: int = 100


_registry: dict[str, Report] = {}


def register(*reports: Report) -> None:
    for report in reports:
        unknown = set(report.filters) - set(FILTER_NAMES)
        if unknown:
            raise ValueError(f"report {report.key} asks for unknown filters {sorted(unknown)}")
        _registry[report.key] = report


def get(key: str) -> Report | None:
    return _registry.get(key)


def reports() -> list[Report]:
    return sorted(_registry.values(), key=lambda r: (r.order, r.key))


# --- Suppression: the one place ---------------------------------------------------------------


def suppress(table: Table, *, about_people: bool) -> Table:
    """Withhold every figure of a row about fewer than ``THRESHOLD`` people (see the module).

    When the filters describe fewer than ``THRESHOLD`` students (``table.population``), every
    row is withheld whatever it counts: a group of three is three children.
    """
    if not about_people:
        return table
    rows = [replace(r) for r in table.rows]
    for row in rows:
        if row.people is None:
            raise ValueError("a report about people must say how many people each row counts")
    if table.population is not None and table.population < THRESHOLD:
        for row in rows:
            row.suppressed = True
    for row in rows:
        if row.people is not None and row.people < THRESHOLD:
            row.suppressed = True
    withheld = [r for r in rows if r.suppressed]
    shown = [r for r in rows if not r.suppressed]
    if len(withheld) == 1 and shown:
        # Complementary suppression: a total minus the others would give the one row back.
        min(shown, key=lambda r: r.people or 0).suppressed = True
    return replace(table, rows=rows)


def result(report: Report, filters: Filters) -> Table:
    """A report's answer, suppressed: what every page, export and API call shows. Its statements
    are planned for the filters' values (``core.plans``)."""
    with planned_for_their_values():
        table = report.run(filters)
    return suppress(table, about_people=report.about_people)


def people_label() -> str:
    return str(gettext_lazy("borrowers"))
