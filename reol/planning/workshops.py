"""The library's workshops and meetings (``reol.competence``, a lower rung) seen from planning:
a collaboration links the workshops it grew from or led to, and the coordination calendar's
feed shows the school's workshops as all-day events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from icalendar import Event

from reol.competence.models import Workshop
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor
from reol.core.text import one_line, printable

from .models import Collaboration
from .services.collaborations import may_edit_collaboration


def workshops_of(school: School) -> QuerySet[Workshop]:
    return Workshop.objects.filter(school=school).order_by("-held_on", "-id")


@transaction.atomic
def link_workshop(actor: Actor, collaboration: Collaboration, workshop: Workshop) -> None:
    if not may_edit_collaboration(actor, collaboration):
        raise PermissionDenied(_("You may not change this collaboration."))
    if workshop.school_id != collaboration.school_id:
        raise ValidationError(_("Choose a workshop of the collaboration's school."))
    collaboration.workshops.add(workshop)
    audit.record(
        actor,
        "planning.workshop_link",
        collaboration,
        school=collaboration.school,
        details={"workshop": workshop.pk},
    )


@transaction.atomic
def unlink_workshop(actor: Actor, collaboration: Collaboration, workshop: Workshop) -> None:
    if not may_edit_collaboration(actor, collaboration):
        raise PermissionDenied(_("You may not change this collaboration."))
    collaboration.workshops.remove(workshop)
    audit.record(
        actor,
        "planning.workshop_unlink",
        collaboration,
        school=collaboration.school,
        details={"workshop": workshop.pk},
    )


def workshop_event(workshop: Workshop, stamp: dt.datetime) -> Any:
    """A workshop as an all-day event (it has a day, not a time), as plan entries are."""
    event = Event()
    event.add("uid", f"workshop-{workshop.pk}@{workshop.school.code}.reol")
    event.add("dtstamp", stamp)
    summary = f"{workshop.get_kind_display()}: {workshop.title}"
    if workshop.committee:
        summary += f" · {workshop.committee}"
    event.add("summary", one_line(summary))
    if workshop.decisions:
        event.add("description", printable(workshop.decisions))
    event.add("categories", [str(workshop.get_kind_display())])
    event.add("dtstart", workshop.held_on)
    event.add("dtend", workshop.held_on + dt.timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    return event


def workshops_between(school: School, starts: dt.date, ends: dt.date) -> QuerySet[Workshop]:
    return Workshop.objects.filter(
        school=school, held_on__gte=starts, held_on__lte=ends
    ).select_related("school")
