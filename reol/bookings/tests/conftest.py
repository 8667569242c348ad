"""Fixtures of the bookings tests: the `world` of /conftest.py with an opening calendar at
school A (Monday–Friday, Christmas, summer 2027), a class set of 30 copies, a second title
with 3 copies, the media workshop, a second room, 10 cameras, and a second teacher."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from reol.bookings import services
from reol.bookings.models import Resource
from reol.catalog import services as catalog
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import book
from reol.circulation.tests.conftest import add_calendar
from reol.core import services as core
from reol.core.permissions import SYSTEM

TODAY = dt.date(2026, 11, 24)  # a Tuesday in the autumn term
MONDAY = dt.date(2026, 11, 30)  # next week's Monday (ISO week 49)


@dataclass
class Centre:
    world: Any
    school: Any
    teacher2: Any
    novel: Record  # 30 class-set copies K01–K30 at A, KB1 at B
    saturn: Record  # 3 copies S1–S3 at A
    workshop: Resource
    studio: Resource  # another room
    cameras: Resource  # 10 units
    group: Any  # 5.B at A

    def item(self, barcode: str) -> Item:
        return Item.objects.get(barcode=barcode)


def make_centre(world: Any, *, calendar: bool = True) -> Centre:
    from reol.patrons.models import Group

    if calendar:
        add_calendar(world.school_a)
    m = world.municipality
    teacher2 = core.create_person(
        SYSTEM,
        world.school_a,
        username="laerer-a2",
        role="teacher",
        password="Correct-Horse-42",
        first_name="Bente",
        last_name="Lærer",
        email="bente@example.org",
    )
    novel = catalog.create_record(SYSTEM, m, book("Vikingernes saga", control="v1"))
    catalog.add_items(
        SYSTEM,
        novel,
        world.school_a,
        barcodes=[f"K{n:02d}" for n in range(1, 31)],
        circulation_type="class_set",
    )
    catalog.add_items(SYSTEM, novel, world.school_b, barcodes=["KB1"], circulation_type="class_set")
    saturn = catalog.create_record(SYSTEM, m, book("Rejsen til Saturn", control="s1"))
    catalog.add_items(SYSTEM, saturn, world.school_a, barcodes=["S1", "S2", "S3"])
    workshop = services.create_resource(SYSTEM, world.school_a, kind="room", name="Medieværkstedet")
    studio = services.create_resource(SYSTEM, world.school_a, kind="room", name="Lydstudiet")
    cameras = services.create_resource(
        SYSTEM, world.school_a, kind="equipment", name="Kameraer", units=10
    )
    group = Group.objects.create(school=world.school_a, school_year="2026/27", name="5.B", grade=5)
    return Centre(
        world=world,
        school=world.school_a,
        teacher2=teacher2,
        novel=novel,
        saturn=saturn,
        workshop=workshop,
        studio=studio,
        cameras=cameras,
        group=group,
    )


@pytest.fixture
def centre(world) -> Centre:
    return make_centre(world)
