"""Every write of a school's calendar: opening hours, closed periods and school years, each one
audited transaction. ``services`` re-exports these for its callers; the reads are in
``calendar.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit
from .models import (
    ClosedPeriod,
    OpeningHours,
    School,
    SchoolYear,
    Term,
)
from .permissions import (
    Actor,
    Perm,
    require,
)


@transaction.atomic
def set_opening_hours(
    actor: Actor, school: School, hours: Iterable[tuple[int, dt.time, dt.time]]
) -> None:
    """Replace the weekly opening hours: one (weekday, opens, closes) per open weekday."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    rows = [OpeningHours(school=school, weekday=d, opens=o, closes=c) for d, o, c in hours]
    for row in rows:
        row.full_clean(exclude=["school"], validate_constraints=False)
        if row.closes <= row.opens:
            raise ValidationError(
                _("On %(day)s the library must close after it opens.")
                % {"day": row.get_weekday_display()}
            )
    OpeningHours.objects.filter(school=school).delete()
    OpeningHours.objects.bulk_create(rows)
    audit.record(
        actor,
        "calendar.opening_hours",
        school,
        school=school,
        details={"hours": [[r.weekday, f"{r.opens:%H:%M}", f"{r.closes:%H:%M}"] for r in rows]},
    )


@transaction.atomic
def add_closed_period(
    actor: Actor, school: School, *, name: str, starts: dt.date, ends: dt.date, kind: str
) -> ClosedPeriod:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if ends < starts:
        raise ValidationError({"ends": _("The last day comes before the first.")})
    period = ClosedPeriod(school=school, name=name, starts=starts, ends=ends, kind=kind)
    period.full_clean()
    period.save()
    audit.record(actor, "calendar.closed_period.add", period, school=school)
    return period


@transaction.atomic
def remove_closed_period(actor: Actor, period: ClosedPeriod) -> None:
    require(actor, Perm.SCHOOL_MANAGE, period.school)
    audit.record(actor, "calendar.closed_period.remove", period, school=period.school)
    period.delete()


@transaction.atomic
def add_school_year(
    actor: Actor,
    school: School,
    *,
    name: str,
    starts: dt.date,
    ends: dt.date,
    terms: Iterable[tuple[str, dt.date, dt.date]] = (),
) -> SchoolYear:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if ends <= starts:
        raise ValidationError({"ends": _("The last school day must come after the first.")})
    if SchoolYear.objects.filter(school=school, name=name).exists():
        raise ValidationError({"name": _("This school already has a school year of that name.")})
    overlapping = SchoolYear.objects.filter(school=school, starts__lte=ends, ends__gte=starts)
    if overlapping.exists():
        raise ValidationError(
            _("The dates overlap the school year %(name)s.") % {"name": overlapping.first()}
        )
    year = SchoolYear.objects.create(school=school, name=name, starts=starts, ends=ends)
    for term_name, term_starts, term_ends in terms:
        if not (starts <= term_starts <= term_ends <= ends):
            raise ValidationError(
                _("The term %(name)s lies outside the school year.") % {"name": term_name}
            )
        Term.objects.create(school_year=year, name=term_name, starts=term_starts, ends=term_ends)
    audit.record(actor, "calendar.school_year.add", year, school=school)
    return year
