"""Fixtures of the technology tests: school A with a calendar (school year 2026/27 ends
25 June 2027), class 7.A of 28 students, and a CSV inventory as Google Admin exports it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from conftest import PASSWORD
from reol.circulation.tests.conftest import add_calendar
from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import Group, Patron
from reol.technology import importer, returns, services
from reol.technology.models import Device

TODAY = dt.date(2026, 11, 24)
YEAR_END = dt.date(2027, 6, 25)
GOOGLE_HEADER = (
    "deviceId,serialNumber,status,model,annotatedAssetId,annotatedLocation,macAddress,"
    "supportEndDate,orgUnitPath"
)

ONE_CHROMEBOOK = b"annotatedAssetId,serialNumber,model\nCB0001,5CD0000001,Acer Chromebook 511\n"


def google_csv(count: int, *, prefix: str = "CB", first: int = 1, extra: str = "") -> bytes:
    """``count`` Chromebooks as Google Admin's device export writes them."""
    lines = [GOOGLE_HEADER]
    for n in range(first, first + count):
        mac = f"a4:83:e7:00:{n // 256:02x}:{n % 256:02x}".replace(":", "")
        lines.append(
            f"dev-{n},5CD{n:07},ACTIVE,Acer Chromebook 511,{prefix}{n:04},Bibliotek,{mac},"
            f"2028-07-31,/Elever"
        )
    return ("\n".join(lines) + "\n" + extra).encode()


@dataclass
class Setup:
    world: Any
    school: Any
    group: Group
    students: list[Patron]


def make_class(school: Any, name: str = "7.A", size: int = 28) -> tuple[Group, list[Patron]]:
    group = patrons.create_group(SYSTEM, school, name=name, school_year="2026/27", grade=7)
    students = []
    for n in range(1, size + 1):
        patron = patrons.create_patron(
            SYSTEM,
            school,
            category="student",
            username=f"{name.replace('.', '').lower()}-{n:02}",
            first_name=f"Elev{n:02}",
            last_name=name,
            password=PASSWORD,
        )
        patrons.add_member(SYSTEM, group, patron)
        students.append(patron)
    return group, students


@pytest.fixture
def setup(world) -> Setup:  # type: ignore[no-untyped-def]
    add_calendar(world.school_a)
    group, students = make_class(world.school_a)
    return Setup(world=world, school=world.school_a, group=group, students=students)


def add_technology(actor: Any, school: Any, group: Group, users: list[Any]) -> None:
    """Something for each technology report: six Chromebooks, one per user lent to ``group``
    (up to five), one lost, a repair of 1,234.50 and a licence ending in 30 days."""
    from decimal import Decimal

    from django.utils import timezone

    from reol.technology import importer, licences, services

    importer.import_devices(actor, school, google_csv(6, prefix="RP"))
    for n, user in enumerate(users[:5], start=1):
        services.assign_device(actor, school, user, f"RP{n:04}", group=group)
    services.flag_lost(actor, school, "RP0006")
    order = services.report_problem(actor, school, tag="RP0001", problem="Cracked screen")
    services.add_cost(actor, order, description="Screen", amount=Decimal("1000.25"))
    services.add_cost(actor, order, description="Hours", amount=Decimal("234.25"))
    today = timezone.localdate()
    licences.save_licence(
        actor,
        school,
        name="Skoletube",
        starts=today - dt.timedelta(days=335),
        ends=today + dt.timedelta(days=30),
        cost=Decimal("4500.00"),
    )


@pytest.fixture
def charged(setup):  # type: ignore[no-untyped-def]
    """A replacement charge of 99.99 on the first student's device loan at school A."""
    w = setup.world
    importer.import_devices(w.librarian_a, setup.school, ONE_CHROMEBOOK)
    services.assign_device(w.librarian_a, setup.school, setup.students[0].user, "CB0001")
    returns.set_charge_policy(w.librarian_a, w.school_a, replacement_charges=True)
    setup.device = Device.objects.get(item__barcode="CB0001")
    setup.charge = returns.record_charge(
        w.librarian_a, setup.device, note="Screen smashed", amount=Decimal("99.99")
    )
    return setup
