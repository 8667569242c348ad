"""Fixtures of the workshop tests: class 7.A at school A, with teacher A as its teacher and
student A1 in it (student A2 is in no class of teacher A's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from reol.core.permissions import SYSTEM
from reol.patrons import services as patrons
from reol.patrons.models import GroupMember, Patron
from reol.workshop import services

TEXTS = {
    "da": ("Sådan filmer du med kameraet", "Sæt kameraet på stativet og tænd mikrofonen."),
    "nb": ("Slik filmer du med kameraet", "Sett kameraet på stativet og slå på mikrofonen."),
    "en": ("How to film with the camera", "Put the camera on the tripod and turn on the mic."),
}


@dataclass
class Workshop:
    world: Any
    group: Any
    kit: Any
    day: dt.date


def patron(user: Any, school: Any) -> Patron:
    found = Patron.objects.filter(user=user, school=school).first()
    if found is not None:
        return found
    return patrons.create_patron(SYSTEM, school, category="teacher", user=user)


@pytest.fixture
def workshop(world) -> Workshop:  # type: ignore[no-untyped-def]
    group = patrons.create_group(SYSTEM, world.school_a, name="7.A", school_year="2026/27")
    patrons.add_member(
        SYSTEM, group, patron(world.teacher_a, world.school_a), role=GroupMember.Role.TEACHER
    )
    patrons.add_member(SYSTEM, group, patron(world.student_a1, world.school_a))
    kit = services.create_kit(
        world.librarian_a, world.school_a, name="Kamerakit", units=2, contents="Kamera\nStativ"
    )
    day = timezone.localdate() + dt.timedelta(days=7)
    return Workshop(world=world, group=group, kit=kit, day=day)
