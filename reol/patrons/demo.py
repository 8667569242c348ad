"""The demo's patrons and classes: one class per demo grade, its students and its teacher.

Runs after core's demo made the people (``elev-<p>-<grade*100+n>``, ``laerer-<p>-<n>`` for the
n-th grade of a school). Idempotent: existing patrons, groups and members are left as they are.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from reol.core import calendar
from reol.core.demo import SCHOOLS, STUDENTS_PER_CLASS
from reol.core.models import Municipality, School, User
from reol.core.permissions import SYSTEM

from . import services
from .models import Group, GroupMember, Patron, PatronCategory


def _patron(school: School, username: str, category: str, grade: int | None) -> Patron | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    found = Patron.objects.filter(user=user, school=school).first()
    if found is not None:
        return found
    return services.create_patron(SYSTEM, school, category=category, user=user, grade=grade)


@transaction.atomic
def load_demo_patrons(municipality: Municipality) -> int:
    """Patrons and groups for the demo schools of ``municipality``; returns patrons added."""
    before = Patron.objects.filter(school__municipality=municipality).count()
    for spec in SCHOOLS:
        school = School.objects.filter(code=spec.code, municipality=municipality).first()
        if school is None:
            continue
        year = calendar.current_school_year(school, timezone.localdate())
        p = spec.prefix
        for n, grade in enumerate(spec.grades, start=1):
            group = Group.objects.filter(school=school, school_year=year, name=f"{grade}.A").first()
            if group is None:
                group = services.create_group(
                    SYSTEM, school, name=f"{grade}.A", school_year=year, grade=grade
                )
            teacher = _patron(school, f"laerer-{p}-{n}", PatronCategory.TEACHER, None)
            if teacher is not None:
                services.add_member(SYSTEM, group, teacher, role=GroupMember.Role.TEACHER)
            for s in range(1, STUDENTS_PER_CLASS + 1):
                student = _patron(
                    school, f"elev-{p}-{grade * 100 + s}", PatronCategory.STUDENT, grade
                )
                if student is not None and not GroupMember.objects.filter(patron=student).exists():
                    services.add_member(SYSTEM, group, student)
    return Patron.objects.filter(school__municipality=municipality).count() - before
