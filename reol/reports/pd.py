"""Professional development reports: the library's workshops and courses for teachers, who
took part per team (the workshop's committee) and subject. About people: a row of fewer than
five people is withheld (the framework's rule)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from reol.competence.training import attendance_by_team

from .framework import Column, Filters, Report, Row, Table, register

SECTION = gettext_lazy("Professional development")
PD_FILTERS = ("school", "school_year", "date_from", "date_to")


def pd_attendance(filters: Filters) -> Table:
    rows = [
        Row(
            {
                "team": r.team or "–",
                "subject": r.subject or "–",
                "workshops": r.workshops,
                "people": r.people,
                "hours": r.hours,
            },
            people=r.people,
        )
        for r in attendance_by_team(filters.schools, filters.starts, filters.ends)
    ]
    return Table(
        columns=[
            Column("team", gettext_lazy("Team or committee"), measure=False),
            Column("subject", gettext_lazy("Subject"), measure=False),
            Column("workshops", gettext_lazy("Workshops")),
            Column("people", gettext_lazy("People"), chart=True),
            Column("hours", gettext_lazy("Person-hours"), chart=True),
        ],
        rows=rows,
        caption=gettext_lazy("Attendance at the library's workshops per team and subject"),
        note=gettext_lazy(
            "Counts the people recorded as taking part; a workshop's hours are counted once "
            "for each of them."
        ),
    )


def register_all() -> None:
    register(
        Report(
            "pd-attendance",
            gettext_lazy("PD attendance per team and subject"),
            gettext_lazy("Who took part in the library's workshops and courses for teachers."),
            SECTION,
            pd_attendance,
            filters=PD_FILTERS,
            order=80,
        )
    )
