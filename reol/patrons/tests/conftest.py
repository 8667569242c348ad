"""Fixtures of the patrons tests: circulation's `library` (calendar, titles and copies at both
schools) with patrons and groups added through the services.

School A (nord) in 2026/27: 5.A (student_a1, taught by teacher_a), 6.A (student_a2, taught by
a second teacher, laerer-a2). School B (syd): 5.A (student_b1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from reol.circulation.tests.conftest import library  # noqa: F401 - a fixture used here
from reol.core.permissions import SYSTEM
from reol.patrons import services
from reol.patrons.models import GroupMember, Patron

YEAR = "2026/27"


@dataclass
class Patrons:
    library: Any
    world: Any
    a1: Patron
    a2: Patron
    b1: Patron
    teacher: Patron
    teacher2: Patron
    class_5a: Any
    class_6a: Any
    class_5a_b: Any


@pytest.fixture
def patrons(library) -> Patrons:  # noqa: F811
    w = library.world
    a, b = w.school_a, w.school_b
    a1 = services.create_patron(SYSTEM, a, category="student", user=w.student_a1, grade=5)
    a2 = services.create_patron(SYSTEM, a, category="student", user=w.student_a2, grade=6)
    b1 = services.create_patron(SYSTEM, b, category="student", user=w.student_b1, grade=5)
    teacher = services.create_patron(SYSTEM, a, category="teacher", user=w.teacher_a)
    teacher2 = services.create_patron(
        SYSTEM,
        a,
        category="teacher",
        username="laerer-a2",
        first_name="Anden",
        last_name="Lærer",
        password="Correct-Horse-42",
    )
    c5 = services.create_group(SYSTEM, a, name="5.A", school_year=YEAR, grade=5)
    c6 = services.create_group(SYSTEM, a, name="6.A", school_year=YEAR, grade=6)
    c5b = services.create_group(SYSTEM, b, name="5.A", school_year=YEAR, grade=5)
    services.add_member(SYSTEM, c5, a1)
    services.add_member(SYSTEM, c6, a2)
    services.add_member(SYSTEM, c5b, b1)
    services.add_member(SYSTEM, c5, teacher, role=GroupMember.Role.TEACHER)
    services.add_member(SYSTEM, c6, teacher2, role=GroupMember.Role.TEACHER)
    return Patrons(library, w, a1, a2, b1, teacher, teacher2, c5, c6, c5b)


@pytest.fixture(autouse=True)
def _only_mounted_menu_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Other apps are being built beside this one: a menu entry whose page is not mounted yet
    would break every page, so these tests (about the patrons pages) leave such entries out."""
    from django.urls import NoReverseMatch, reverse

    from reol.core import navigation

    def mounted(entry: navigation.NavEntry) -> bool:
        try:
            reverse(entry.url_name)
        except NoReverseMatch:
            return False
        return True

    monkeypatch.setattr(navigation, "_entries", [e for e in navigation._entries if mounted(e)])
