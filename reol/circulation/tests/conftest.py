"""Fixtures of circulation's tests: the `world` of /conftest.py with an opening calendar at
school A (Monday–Friday, Christmas, summer 2027), titles and copies at both schools."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from reol.catalog import services as catalog
from reol.catalog.models import Item, Record
from reol.catalog.tests.helpers import book
from reol.core import services as core
from reol.core.permissions import SYSTEM

TODAY = dt.date(2026, 11, 24)  # a Tuesday in the autumn term


@dataclass
class Library:
    world: Any
    school: Any  # school A, with a calendar
    saturn: Record  # "Rejsen til Saturn": copies S1, S2, S3 at A, SB1 at B
    atlas: Record  # "Atlas": one reference copy REF1 and one lending copy AT1 at A
    tablet: Record  # a device copy DEV1 at A

    def item(self, barcode: str) -> Item:
        return Item.objects.get(barcode=barcode)


def add_calendar(school: Any, start_year: int = 2026) -> None:
    core.set_opening_hours(SYSTEM, school, [(d, dt.time(8), dt.time(15)) for d in range(5)])
    core.add_school_year(
        SYSTEM,
        school,
        name=f"{start_year}/{start_year + 1 - 2000}",
        starts=dt.date(start_year, 8, 11),
        ends=dt.date(start_year + 1, 6, 25),
        terms=[
            ("Efterår", dt.date(start_year, 8, 11), dt.date(start_year, 12, 18)),
            ("Forår", dt.date(start_year + 1, 1, 4), dt.date(start_year + 1, 6, 25)),
        ],
    )
    for name, kind, starts, ends in [
        ("Juleferie", "holiday", dt.date(start_year, 12, 21), dt.date(start_year + 1, 1, 1)),
        ("Vinterferie", "holiday", dt.date(start_year + 1, 2, 15), dt.date(start_year + 1, 2, 19)),
        ("Sommerferie", "summer", dt.date(start_year + 1, 6, 26), dt.date(start_year + 1, 8, 10)),
    ]:
        core.add_closed_period(SYSTEM, school, name=name, kind=kind, starts=starts, ends=ends)


@pytest.fixture
def library(world) -> Library:
    add_calendar(world.school_a)
    m = world.municipality
    saturn = catalog.create_record(SYSTEM, m, book("Rejsen til Saturn", control="s1"))
    catalog.add_items(SYSTEM, saturn, world.school_a, barcodes=["S1", "S2", "S3"])
    catalog.add_items(SYSTEM, saturn, world.school_b, barcodes=["SB1"])
    atlas = catalog.create_record(SYSTEM, m, book("Atlas", control="a1"))
    catalog.add_items(
        SYSTEM, atlas, world.school_a, barcodes=["REF1"], circulation_type="reference"
    )
    catalog.add_items(SYSTEM, atlas, world.school_a, barcodes=["AT1"])
    tablet = catalog.create_record(SYSTEM, m, book("Tablet", control="t1"))
    catalog.add_items(SYSTEM, tablet, world.school_a, barcodes=["DEV1"], circulation_type="device")
    return Library(world=world, school=world.school_a, saturn=saturn, atlas=atlas, tablet=tablet)
