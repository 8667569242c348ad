"""Fixtures of planning's tests: the shared ``world`` with school A's calendar for 2027/28,
classes 5.A and 5.B (laerer-a teaches 5.B, "Ida Lærer" teaches 5.A), a novel with 30 copies,
a film with 2, and the media workshop. School year 2027/28 lies in the future, so bookings
for its weeks 41–43 (October 2027) are allowed whatever day the tests run."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from reol.bookings import services as bookings
from reol.bookings.models import Resource
from reol.catalog import services as catalog
from reol.catalog.models import Record
from reol.catalog.tests.helpers import book
from reol.core import services as core
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import Group, GroupMember

YEAR = "2027/28"


@dataclass
class Plans:
    world: Any
    school: Any
    class_a: Group  # 5.A
    class_b: Group  # 5.B, taught by laerer-a
    teacher_5a: Any
    novel: Record  # 30 copies at school A
    film: Record  # 2 copies at school A
    workshop: Resource
    group_b_other_school: Group


def add_calendar(school: Any, start_year: int) -> None:
    core.add_school_year(
        SYSTEM,
        school,
        name=f"{start_year}/{start_year + 1 - 2000}",
        starts=dt.date(start_year, 8, 11),
        ends=dt.date(start_year + 1, 6, 25),
        terms=[],
    )
    core.add_closed_period(
        SYSTEM,
        school,
        name="Efterårsferie",
        kind="holiday",
        starts=dt.date(start_year, 10, 18),
        ends=dt.date(start_year, 10, 22),
    )


def teach(group: Group, user: Any) -> None:
    patron = patrons.create_patron(SYSTEM, group.school, category="teacher", user=user)
    patrons.add_member(SYSTEM, group, patron, role=GroupMember.Role.TEACHER)


@pytest.fixture
def plans(world, search_index) -> Plans:  # type: ignore[no-untyped-def]
    school = world.school_a
    core.set_opening_hours(SYSTEM, school, [(d, dt.time(8), dt.time(15)) for d in range(5)])
    add_calendar(school, 2027)
    class_a = patrons.create_group(SYSTEM, school, name="5.A", school_year=YEAR, grade=5)
    class_b = patrons.create_group(SYSTEM, school, name="5.B", school_year=YEAR, grade=5)
    patrons.create_group(SYSTEM, school, name="7.A", school_year=YEAR, grade=7)
    teach(class_b, world.teacher_a)
    teacher_5a = core.create_person(
        SYSTEM,
        school,
        username="laerer-5a",
        role="teacher",
        password="Correct-Horse-42",
        first_name="Ida",
        last_name="Lærer",
        email="ida@nord.example",
    )
    teach(class_a, teacher_5a)
    m = world.municipality
    novel = catalog.create_record(SYSTEM, m, book("Skjoldungernes saga", control="nov1"))
    catalog.add_items(SYSTEM, novel, school, barcodes=[f"N{n:03d}" for n in range(1, 31)])
    film = catalog.create_record(
        SYSTEM, m, book("Vikingerne kommer", control="film1", author="Nordisk Film")
    )
    catalog.add_items(SYSTEM, film, school, barcodes=["F001", "F002"])
    workshop = bookings.create_resource(SYSTEM, school, kind="room", name="Medieværkstedet")
    other = patrons.create_group(SYSTEM, world.school_b, name="5.B", school_year=YEAR, grade=5)
    return Plans(world, school, class_a, class_b, teacher_5a, novel, film, workshop, other)
