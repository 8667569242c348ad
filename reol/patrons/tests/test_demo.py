"""The demo's classes: one per demo grade with its students and teacher, loaded once."""

from __future__ import annotations

import pytest

from reol.core import demo
from reol.patrons import selectors
from reol.patrons.demo import load_demo_patrons
from reol.patrons.models import Group, GroupMember, Patron


@pytest.mark.django_db
def test_the_demo_has_classes_and_loading_twice_changes_nothing(monkeypatch):
    monkeypatch.setattr(demo, "_EXTENSIONS", [load_demo_patrons])
    demo.load_demo()
    counts = (Patron.objects.count(), Group.objects.count(), GroupMember.objects.count())
    per_school = len(demo.SCHOOLS[0].grades) * (demo.STUDENTS_PER_CLASS + 1)
    assert counts[0] == 2 * per_school and counts[1] == 6 and counts[2] == 2 * per_school
    student = Patron.objects.get(user__username="elev-nord-503")
    assert student.grade == 5 and [g.name for g in student.groups.all()] == ["5.A"]
    teacher = Patron.objects.get(user__username="laerer-nord-2").user
    assert [g.name for g in selectors.groups_taught_by(teacher, student.school)] == ["5.A"]
    demo.load_demo()
    assert (Patron.objects.count(), Group.objects.count(), GroupMember.objects.count()) == counts
