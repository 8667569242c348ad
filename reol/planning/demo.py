"""The demo's annual plans: a few topics per class this school year, with a clash.

Made through the services as the installation (``SYSTEM``) and only at a school that has no
plan entries yet, so loading the demo again changes nothing. The topics start in the coming
weeks (so the calendar and the weekly digest have something to show whenever the demo is
loaded). The first two classes plan "Vikingerne" for the same three weeks with the same novel
on their resource lists: the coordination calendar shows the clash, and they are heavy users.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from reol.catalog.models import Record
from reol.core import calendar
from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM
from reol.patrons.models import Group

from . import services
from .models import Collaboration, DevelopmentGoal, PlanEntry

# (title, subject, first week from next week on, goals, materials, heavy use); each three weeks.
TOPICS: tuple[tuple[str, str, int, str, str, bool], ...] = (
    (
        "Vikingerne",
        "Historie",
        1,
        "Eleverne kan fortælle om vikingernes hverdag og togter.",
        "Klassesæt af en roman, film, hjælp til research i biblioteket.",
        True,
    ),
    ("Eventyr", "Dansk", 5, "Genrekendetegn; eleverne skriver et eventyr.", "", False),
    (
        "Vand og vejr",
        "Natur/teknologi",
        9,
        "Vandets kredsløb; eleverne måler vejret i en uge.",
        "Fagbøger om vejr, kameraer til en vejrudsigt i medieværkstedet.",
        True,
    ),
    ("Krop og sundhed", "Idræt", 13, "", "", False),
)


def _novel(school: School) -> Record | None:
    return (
        Record.objects.filter(items__school=school)
        .annotate(n=Count("items", filter=Q(items__school=school)))
        .order_by("-n", "id")
        .first()
    )


def _plan_topics(groups: list[Group], monday: dt.date, last_day: dt.date) -> int:
    """Two to four ``TOPICS`` per class from ``monday`` on (none past the school year's end);
    the first two classes are heavy users. Returns how many entries were made."""
    made = 0
    for n, group in enumerate(groups):
        for title, subject, offset, goals, materials, heavy in TOPICS[: 2 + n % 3]:
            starts = monday + dt.timedelta(weeks=offset)
            ends = starts + dt.timedelta(weeks=2, days=4)
            if ends > last_day:
                continue
            services.create_entry(
                SYSTEM,
                group,
                title=title,
                subject=subject,
                starts=starts,
                ends=ends,
                kind="project" if heavy else "topic",
                goals=goals,
                materials=materials,
                heavy_use=heavy and n < 2,
            )
            made += 1
    return made


def _the_clash(school: School, groups: list[Group]) -> None:
    """Two classes each want a class set of the school's copies of one novel in the same weeks."""
    novel = _novel(school)
    if novel is None:
        return
    copies = min(500, max(1, novel.n))  # type: ignore[attr-defined]
    for group in groups[:2]:
        entry = PlanEntry.objects.filter(group=group, title="Vikingerne").first()
        if entry is not None:
            services.add_resource(SYSTEM, entry, novel, quantity=copies)


def _team_and_course(school: School, year: str) -> None:
    """A development goal with a task for the team, and a course on the viking topic."""
    if not DevelopmentGoal.objects.filter(school=school, school_year=year).exists():
        goal = services.save_goal(
            SYSTEM, school, school_year=year, title="Læselyst på mellemtrinnet"
        )
        services.save_task(
            SYSTEM,
            school,
            school_year=year,
            title="Bogklub for 4.–6. klasse",
            goals=[goal],
        )
    if not Collaboration.objects.filter(school=school).exists():
        viking = PlanEntry.objects.filter(school=school, title="Vikingerne").first()
        if viking is not None:
            services.create_collaboration(
                SYSTEM,
                school,
                kind="course",
                title="Informationssøgning: vikingerne",
                subject="Historie",
                group=viking.group,
                starts=viking.starts,
                ends=viking.starts,
                goals="Eleverne søger i bibliotekets base og vurderer kilder.",
            )


@transaction.atomic
def _plan_school(school: School, today: dt.date) -> int:
    if PlanEntry.objects.filter(school=school).exists():
        return 0
    year = calendar.current_school_year(school, today)
    first_day, last_day = calendar.school_year_bounds(school, year)
    monday = max(today, first_day) + dt.timedelta(days=7 - max(today, first_day).weekday())
    groups = list(Group.objects.filter(school=school, school_year=year).order_by("grade", "name"))
    if not groups:
        return 0
    made = _plan_topics(groups, monday, last_day)
    _the_clash(school, groups)
    _team_and_course(school, year)
    return made


def load_demo_plans(municipality: Municipality, today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return sum(
        _plan_school(school, today)
        for school in School.objects.filter(municipality=municipality).order_by("code")
    )
