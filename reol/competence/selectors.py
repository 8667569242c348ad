"""Reads worth a name: the needs analysis (aggregates with small groups suppressed), a
course's people and completers, what a person may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reol.core.models import User

from .models import (
    AreaAnswer,
    CompetenceArea,
    Course,
    Feedback,
    Network,
    Registration,
    Session,
    Survey,
)

# What a mean gap (needed − level, on the 1–5 scale) is called: the heat map says it in words
# and with a pattern, never with colour alone.
BANDS = [(Decimal("1.5"), "large"), (Decimal("0.75"), "medium"), (Decimal("0"), "small")]


def band(gap: Decimal) -> str:
    return next((name for limit, name in BANDS if gap >= limit), "none")


def band_label(name: str) -> str:
    return {
        "large": _("large gap"),
        "medium": _("some gap"),
        "small": _("small gap"),
        "none": _("no gap"),
    }[name]


@dataclass
class Cell:
    gap: Decimal
    band: str
    wishes: int

    @property
    def label(self) -> str:
        return band_label(self.band)


@dataclass
class Group:
    key: str
    name: str
    answers: int
    suppressed: bool
    cells: list[Cell | None] = field(default_factory=list)


@dataclass
class Analysis:
    areas: list[CompetenceArea]
    groups: list[Group]
    ranking: list[tuple[CompetenceArea, Cell]]  # the network's areas, largest gap first
    min_group: int
    total: int


def _mean(values: list[int]) -> Decimal:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class _Tally:
    """One group's answers as they are read: who answered, and per area the gaps and wishes."""

    name: str | None
    responses: set[int] = field(default_factory=set)
    gaps: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    wish: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def _group_of(by: str, network: Network, row: tuple[Any, ...]) -> tuple[str, str | None]:
    """(key, name) of the group an answer counts in: the network, a municipality, or the
    answerer's school or library."""
    sname, smun, lname, lmun, sid, lid = row[5:]
    if by == "network":
        return "network", network.name
    if by == "municipality":
        return f"m-{smun or lmun or '-'}", smun or lmun or _("(no municipality)")
    return (f"school-{sid}" if sid else f"library-{lid}"), sname or lname


def _tallies(rows: Iterable[tuple[Any, ...]], by: str, network: Network) -> dict[str, _Tally]:
    groups: dict[str, _Tally] = {}
    for row in rows:
        rid, area, level, needed, wish = row[:5]
        key, name = _group_of(by, network, row)
        group = groups.setdefault(key, _Tally(name))
        group.responses.add(rid)
        group.gaps[area].append(needed - level)
        group.wish[area] += int(wish)
    return groups


def _group(key: str, tally: _Tally, areas: list[CompetenceArea], min_group: int) -> Group:
    """A row of the heat map: a mean gap per area, or no figures at all for a small group."""
    count = len(tally.responses)
    small = count < min_group
    cells: list[Cell | None] = []
    for a in areas:
        gaps = tally.gaps.get(a.pk, [])
        if small or not gaps:
            cells.append(None)
        else:
            mean = _mean(gaps)
            cells.append(Cell(mean, band(mean), tally.wish[a.pk]))
    return Group(key, str(tally.name), count, small, cells)


def needs_analysis(survey: Survey, by: str = "library") -> Analysis:
    """Mean gap per area for each group (``library``, ``municipality`` or ``network``).

    A group with fewer answers than the network's ``min_group`` shows no figures at all (its
    cells are ``None``); only its count's being small is said.
    """
    network: Network = survey.network
    areas = list(network.areas.all())
    rows = AreaAnswer.objects.filter(response__survey=survey).values_list(
        "response_id",
        "area_id",
        "level",
        "needed",
        "wish",
        "response__school__name",
        "response__school__municipality__name",
        "response__library__name",
        "response__library__municipality__name",
        "response__school_id",
        "response__library_id",
    )
    groups = _tallies(rows, by, network)
    result = [
        _group(key, tally, areas, network.min_group)
        for key, tally in sorted(groups.items(), key=lambda kv: str(kv[1].name))
    ]
    total = len({r[0] for r in rows})
    ranking: list[tuple[CompetenceArea, Cell]] = []
    if total >= network.min_group:
        everyone = needs_analysis(survey, "network") if by != "network" else None
        top = (everyone.groups if everyone else result)[0]
        ranking = sorted(
            ((a, c) for a, c in zip(areas, top.cells, strict=True) if c is not None),
            key=lambda ac: (-ac[1].gap, ac[0].order),
        )
    return Analysis(areas, result, ranking, network.min_group, total)


def live_registrations(course: Course) -> QuerySet[Registration]:
    return course.registrations.exclude(status="cancelled").select_related("user")


def participants(course: Course) -> QuerySet[User]:
    return User.objects.filter(
        course_registrations__course=course, course_registrations__status="registered"
    ).order_by("last_name", "first_name", "username")


def completers(course: Course) -> list[User]:
    """Registered people present at every session of the course that was held."""
    sessions = list(course.sessions.held().values_list("pk", flat=True))
    if not sessions:
        return []
    people = participants(course)
    present: dict[int, int] = defaultdict(int)
    for uid in (
        course.sessions.held()
        .filter(attendance__present=True)
        .values_list("attendance__user_id", flat=True)
    ):
        present[uid] += 1
    return [p for p in people if present[p.pk] == len(sessions)]


def registration_of(user: User, course: Course) -> Registration | None:
    return course.registrations.exclude(status="cancelled").filter(user=user).first()


def waiting_position(registration: Registration) -> int:
    return (
        registration.course.registrations.filter(
            status="waiting", waiting_since__lt=registration.waiting_since
        ).count()
        + 1
    )


def completed_courses(user: User) -> list[Course]:
    """The courses ``user`` completed (present at every session): their training record."""
    taken = Course.objects.filter(
        registrations__user=user, registrations__status="registered"
    ).select_related("network")
    return [course for course in taken if user in completers(course)]


@dataclass
class SessionFeedback:
    session: Session
    answers: int
    mean: Decimal | None
    counts: list[int]  # how many gave 1, 2, 3, 4, 5
    comments: list[str]  # without names: the coordinator reads what was said, not who said it


def feedback_summary(course: Course) -> list[SessionFeedback]:
    """Per session of ``course``: how many answered, the mean rating, its spread, comments."""
    rows: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for session_id, rating, comment in Feedback.objects.filter(session__course=course).values_list(
        "session_id", "rating", "comment"
    ):
        rows[session_id].append((rating, comment))
    summary = []
    for session in course.sessions.all():
        given = rows.get(session.pk, [])
        ratings = [r for r, _c in given]
        summary.append(
            SessionFeedback(
                session,
                len(given),
                _mean(ratings) if ratings else None,
                [ratings.count(n) for n in range(1, 6)],
                [c for _r, c in given if c.strip()],
            )
        )
    return summary
