"""A county network over the two test municipalities and a county library, and a second
network that has nothing to do with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from conftest import PASSWORD
from reol.competence.models import Network, NetworkLibrary
from reol.competence.services import networks
from reol.core import services as core
from reol.core.models import Municipality, User
from reol.core.permissions import SYSTEM


@dataclass
class Net:
    world: object
    network: Network
    coordinator: User
    county: NetworkLibrary
    county_leader: User
    county_staff: list[User]
    other_network: Network
    other_coordinator: User
    other_librarian: User


def make_user(username: str, **kw: object) -> User:
    return User.objects.create_user(
        username,
        password=PASSWORD,
        first_name=username.title(),
        last_name="Test",
        email=f"{username}@example.org",
        **kw,
    )


@pytest.fixture
def net(world) -> Net:  # type: ignore[no-untyped-def]
    network = networks.create_network(SYSTEM, code="amt", name="Amtets netværk")
    coordinator = make_user("koord")
    networks.appoint_coordinator(SYSTEM, network, coordinator)
    networks.add_municipality(SYSTEM, network, world.municipality)
    networks.add_municipality(SYSTEM, network, Municipality.objects.get(code="fjordby"))
    county = networks.add_library(SYSTEM, network, name="Amtsbiblioteket", kind="county")
    leader = make_user("amt-leder")
    networks.add_library_staff(SYSTEM, county, leader, is_leader=True)
    staff = [make_user(f"amt-{n}") for n in range(1, 6)]
    for person in staff:
        networks.add_library_staff(SYSTEM, county, person)
    other_m = core.create_municipality(SYSTEM, code="langtvaek", name="Langtvæk Kommune")
    other_school = core.create_school(
        SYSTEM, municipality=other_m, code="fjern", name="Fjernskolen"
    )
    other_librarian = core.create_person(
        SYSTEM,
        other_school,
        username="bib-fjern",
        role="librarian",
        password=PASSWORD,
        first_name="Fjern",
    )
    other = networks.create_network(SYSTEM, code="andet", name="Et andet netværk")
    networks.add_municipality(SYSTEM, other, other_m)
    other_coordinator = make_user("koord-andet")
    networks.appoint_coordinator(SYSTEM, other, other_coordinator)
    return Net(
        world,
        network,
        coordinator,
        county,
        leader,
        staff,
        other,
        other_coordinator,
        other_librarian,
    )


def at(days: int, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=days), dt.time(hour))
    )
