"""A school year of loans for the reports' tests, built through the services where they exist.

History (loans lent and returned on past days) is written as rows: circulation's actions lend
*now*, and a report is about months. Returned students' loans are anonymised the way
``circulation.actions.privacy`` leaves them (no borrower; ``LoanStatistic`` keeps grade and
group).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from pymarc import Field, Indicators, Subfield

from reol.catalog import services as catalog
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import book
from reol.circulation.models import Hold, Loan, LoanState, LoanStatistic
from reol.core import calendar
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import Group, Patron


def record(world: Any, title: str, *, dk5: str, year: str = "2023") -> Record:
    extra = [
        Field(
            tag="084",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", dk5), Subfield("2", "dk5")],
        )
    ]
    return catalog.create_record(SYSTEM, world.municipality, book(title, year=year, extra=extra))


@dataclass
class Library:
    school: Any
    year: str
    starts: dt.date
    fiction: list[Record] = field(default_factory=list)
    facts: Record | None = None
    items: list[Item] = field(default_factory=list)
    students: dict[str, list[Patron]] = field(default_factory=dict)
    counter: int = 0

    def day(self, offset: int) -> dt.date:
        return self.starts + dt.timedelta(days=offset)

    def copy(self, rec: Record) -> Item:
        self.counter += 1
        barcode = f"{self.school.code.upper()}{self.counter:05d}"
        return catalog.add_items(SYSTEM, rec, self.school, barcodes=[barcode])[0]


def students(library: Library, group: str, grade: int, n: int) -> list[Patron]:
    team = patrons.create_group(
        SYSTEM, library.school, name=group, school_year=library.year, grade=grade
    )
    rows = []
    for i in range(n):
        patron = patrons.create_patron(
            SYSTEM,
            library.school,
            category="student",
            username=f"{library.school.code}-{group.lower()}-{i}",
            first_name=f"Elev {i}",
            last_name=group,
            grade=grade,
        )
        patrons.add_member(SYSTEM, team, patron)
        rows.append(patron)
    library.students[group] = rows
    return rows


def lend(library: Library, patron: Patron, rec: Record, on: dt.date, *, returned: bool) -> Loan:
    """One loan of a fresh copy of ``rec`` lent on ``on`` at 10:00 (and returned, anonymised)."""
    item = library.copy(rec)
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0)))
    loan = Loan.objects.create(
        school=library.school,
        item=item,
        patron=None if returned else patron.user,
        patron_category="student",
        state=LoanState.RETURNED if returned else LoanState.ACTIVE,
        loan_date=on,
        checked_out_at=at,
        due_date=on + dt.timedelta(days=28),
        returned_at=at + dt.timedelta(days=7) if returned else None,
    )
    if returned:
        group = patron.memberships.select_related("group").first()
        LoanStatistic.objects.create(
            loan=loan,
            school=library.school,
            grade=patron.grade,
            group_name=group.group.name if group else "",
            school_year=library.year,
        )
    return loan


def library(world: Any, school: Any | None = None) -> Library:
    """A school with classes 5A (8 students), 5B (one student: Solo) and 3B (6), fiction and
    a non-fiction title, and loans over the autumn of this school year."""
    school = school or world.school_a
    year = calendar.current_school_year(school)
    starts, _ends = calendar.school_year_bounds(school, year)
    lib = Library(school=school, year=year, starts=starts)
    lib.fiction = [record(world, f"Eventyr {i}", dk5="sk") for i in range(3)]
    lib.facts = record(world, "Vulkaner", dk5="55.1", year="1990")
    students(lib, "5A", 5, 8)
    students(lib, "5B", 5, 1)
    students(lib, "3B", 3, 6)
    for i, patron in enumerate(lib.students["5A"]):
        lend(lib, patron, lib.fiction[i % 3], lib.day(35 + i), returned=True)
        lend(lib, patron, lib.fiction[(i + 1) % 3], lib.day(60 + i), returned=True)
    for patron in lib.students["3B"]:
        lend(lib, patron, lib.facts, lib.day(40), returned=True)
        Hold.objects.create(
            school=school,
            record=lib.fiction[0],
            patron=patron.user,
            placed_at=timezone.make_aware(dt.datetime.combine(lib.day(41), dt.time(9))),
        )
    return lib


def class_set(lib: Library, teachers: int = 5) -> None:
    """``teachers`` teachers each borrow a copy of the volcano book for 5A on one day."""
    group = Group.objects.get(school=lib.school, name="5A")
    on = lib.day(50)
    for i in range(teachers):
        teacher = patrons.create_patron(
            SYSTEM,
            lib.school,
            category="teacher",
            username=f"t{lib.school.code}{i}",
            first_name=f"Lærer {i}",
        )
        Loan.objects.create(
            school=lib.school,
            item=lib.copy(lib.facts),
            patron=teacher.user,
            patron_category="staff",
            state=LoanState.ACTIVE,
            loan_date=on,
            checked_out_at=timezone.make_aware(dt.datetime.combine(on, dt.time(9))),
            due_date=on + dt.timedelta(days=60),
            group=group,
        )
