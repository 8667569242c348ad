"""Training records: per person at the schools a leader may see, the courses they completed
(each with its certificate), their hours of professional development in a period (course
sessions they attended, the library's workshops they took part in), the teams and subjects of
those workshops, and their gaps against the competence map.

A gap comes from the person's latest self-assessment and is shown only to whom may see that
answer (the person and their own leader, ``access.may_see_answer``); a municipality's
consultant sees hours and courses, and "not shown" for the gaps.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from reol.core import calendar
from reol.core.models import Membership, School, User
from reol.core.permissions import Actor

from . import access
from .models import (
    Attendance,
    CompetenceArea,
    Course,
    Registration,
    Session,
    SurveyResponse,
    Workshop,
)

# Whose records a leader sees: the people who work in the school (never its students).
RECORD_ROLES = ("administrator", "librarian", "teacher", "volunteer")
TENTH = Decimal("0.1")


def hours_between(starts: dt.datetime, ends: dt.datetime) -> Decimal:
    return (Decimal((ends - starts).total_seconds()) / 3600).quantize(TENTH, ROUND_HALF_UP)


@dataclass
class Gap:
    area: CompetenceArea
    size: int  # needed − level, > 0


@dataclass
class PersonRecord:
    person: User
    schools: list[str] = field(default_factory=list)
    completed: list[Course] = field(default_factory=list)
    course_hours: Decimal = Decimal(0)
    workshop_hours: Decimal = Decimal(0)
    workshops: int = 0
    teams: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    gaps: list[Gap] | None = None  # None: no answer, or not the asker's to see
    answered: bool = False

    @property
    def hours(self) -> Decimal:
        return self.course_hours + self.workshop_hours


def period(
    school: School, starts: dt.date | None = None, ends: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """The period records cover unless told otherwise: the school's current school year."""
    year_starts, year_ends = calendar.school_year_bounds(
        school, calendar.current_school_year(school)
    )
    return starts or year_starts, ends or year_ends


def staff_of(schools: QuerySet[School]) -> QuerySet[User]:
    return (
        User.objects.filter(memberships__school__in=schools, memberships__role__in=RECORD_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _workshops(schools: QuerySet[School], starts: dt.date, ends: dt.date) -> QuerySet[Workshop]:
    return Workshop.objects.filter(school__in=schools, held_on__gte=starts, held_on__lte=ends)


def _window(starts: dt.date, ends: dt.date) -> Q:
    first = timezone.make_aware(dt.datetime.combine(starts, dt.time.min))
    last = timezone.make_aware(dt.datetime.combine(ends, dt.time.max))
    return Q(session__starts__gte=first, session__starts__lte=last)


def _courses(records: dict[int, PersonRecord], starts: dt.date, ends: dt.date) -> None:
    ids = list(records)
    attended: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    present = Attendance.objects.filter(
        user_id__in=ids, present=True, session__cancelled_at__isnull=True
    )
    for uid, course_id in present.values_list("user_id", "session__course_id"):
        attended[uid][course_id] += 1
    in_window = present.filter(_window(starts, ends))
    for uid, s, e in in_window.values_list("user_id", "session__starts", "session__ends"):
        records[uid].course_hours += hours_between(s, e)
    course_ids = {c for per in attended.values() for c in per}
    sessions = dict(
        Session.objects.held()
        .filter(course_id__in=course_ids)
        .values("course_id")
        .annotate(n=Count("pk"))
        .values_list("course_id", "n")
    )
    seated = set(
        Registration.objects.filter(user_id__in=ids, status="registered").values_list(
            "user_id", "course_id"
        )
    )
    done = {
        (uid, cid)
        for uid, per in attended.items()
        for cid, n in per.items()
        if n == sessions.get(cid) and (uid, cid) in seated
    }
    courses = Course.objects.in_bulk({cid for _uid, cid in done})
    for uid, cid in sorted(done, key=lambda uc: uc[1]):
        records[uid].completed.append(courses[cid])


def _workshop_hours(
    records: dict[int, PersonRecord], schools: QuerySet[School], starts: dt.date, ends: dt.date
) -> None:
    through = Workshop.participants.through.objects.filter(
        user_id__in=list(records), workshop__in=_workshops(schools, starts, ends)
    )
    for uid, hours, team, subject in through.values_list(
        "user_id", "workshop__hours", "workshop__committee", "workshop__subject"
    ):
        record = records[uid]
        record.workshop_hours += hours
        record.workshops += 1
        if team:
            record.teams.add(team)
        if subject:
            record.subjects.add(subject)


def _gaps(actor: Actor, records: dict[int, PersonRecord]) -> None:
    latest: dict[int, SurveyResponse] = {}
    for response in (
        SurveyResponse.objects.filter(user_id__in=list(records))
        .prefetch_related("answers__area")
        .order_by("submitted_at", "pk")
    ):
        latest[response.user_id] = response
    seen: dict[tuple[int | None, int | None], bool] = {}
    for uid, response in latest.items():
        record = records[uid]
        record.answered = True
        where = (response.school_id, response.library_id)
        if uid != getattr(actor, "pk", None) and where not in seen:
            seen[where] = access.may_see_answer(actor, response)
        if uid == getattr(actor, "pk", None) or seen[where]:
            gaps = [Gap(a.area, a.needed - a.level) for a in response.answers.all()]
            record.gaps = sorted(
                (g for g in gaps if g.size > 0), key=lambda g: (-g.size, g.area.order)
            )


def training_records(
    actor: Actor,
    schools: QuerySet[School],
    starts: dt.date,
    ends: dt.date,
    *,
    team: str = "",
    subject: str = "",
) -> list[PersonRecord]:
    """The records of the people at ``schools`` (already scoped to what ``actor`` may see)."""
    people = staff_of(schools)
    if team or subject:
        chosen = _workshops(schools, starts, ends)
        if team:
            chosen = chosen.filter(committee=team)
        if subject:
            chosen = chosen.filter(subject=subject)
        people = people.filter(pd_workshops__in=chosen)
    records = {p.pk: PersonRecord(p) for p in people}
    for uid, name in (
        Membership.objects.filter(user_id__in=list(records), school__in=schools)
        .order_by("school__name")
        .values_list("user_id", "school__name")
        .distinct()
    ):
        if name not in records[uid].schools:
            records[uid].schools.append(name)
    _courses(records, starts, ends)
    _workshop_hours(records, schools, starts, ends)
    _gaps(actor, records)
    return list(records.values())


def teams_and_subjects(
    schools: QuerySet[School], starts: dt.date, ends: dt.date
) -> tuple[list[str], list[str]]:
    """The teams and subjects the schools' workshops of the period name (for the filters)."""
    rows = _workshops(schools, starts, ends)
    teams = sorted(set(rows.exclude(committee="").values_list("committee", flat=True)))
    subjects = sorted(set(rows.exclude(subject="").values_list("subject", flat=True)))
    return teams, subjects


@dataclass
class TeamRow:
    team: str
    subject: str
    workshops: int
    people: int
    hours: Decimal  # person-hours: each participant's hours, added up


def attendance_by_team(schools: Iterable[School], starts: dt.date, ends: dt.date) -> list[TeamRow]:
    """PD attendance per team (the workshop's committee) and subject in a period."""
    rows: dict[tuple[str, str], dict[str, object]] = {}
    through = Workshop.participants.through.objects.filter(
        workshop__school__in=list(schools),
        workshop__held_on__gte=starts,
        workshop__held_on__lte=ends,
    )
    for wid, uid, hours, team, subject in through.values_list(
        "workshop_id", "user_id", "workshop__hours", "workshop__committee", "workshop__subject"
    ):
        row = rows.setdefault(
            (team, subject), {"workshops": set(), "people": set(), "hours": Decimal(0)}
        )
        row["workshops"].add(wid)  # type: ignore[attr-defined]
        row["people"].add(uid)  # type: ignore[attr-defined]
        row["hours"] += hours  # type: ignore[operator]
    return [
        TeamRow(
            team,
            subject,
            len(r["workshops"]),  # type: ignore[arg-type]
            len(r["people"]),  # type: ignore[arg-type]
            r["hours"],  # type: ignore[arg-type]
        )
        for (team, subject), r in sorted(rows.items())
    ]
