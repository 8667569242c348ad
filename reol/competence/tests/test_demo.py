"""The demo's county network: loaded once, its coordinator's login printed by `make run`."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from reol.competence import access, demo
from reol.competence.models import Course, Network, Shift, Workshop
from reol.core.demo import DEMO_PASSWORD
from reol.core.permissions import Perm

pytestmark = pytest.mark.django_db


def test_the_demo_network_is_made_once_and_its_coordinator_signs_in(world):
    logins = demo.load_demo_network(world.municipality)
    assert ("koordinator", DEMO_PASSWORD) in [(x.username, x.secret) for x in logins]
    demo.load_demo_network(world.municipality)
    network = Network.objects.get()
    assert [m.municipality for m in network.members.all()] == [world.municipality]
    assert [lib.name for lib in network.libraries.all()] == ["Amtsbiblioteket"]
    assert Course.objects.get().sessions.count() == 3
    coordinator = authenticate(username="koordinator", password=DEMO_PASSWORD)
    assert coordinator is not None and access.may(coordinator, Perm.NETWORK_COORDINATE, network)
    assert access.may(world.librarian_a, Perm.COMPETENCE, network)
    workshop = Workshop.objects.get()
    assert workshop.school == world.school_a
    assert {p.username for p in workshop.participants.all()} == {"bib-a", "laerer-a"}
    assert Shift.objects.filter(school=world.school_a).count() == 10
