"""The library's own professional development work at its school: workshops, follow-ups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require, visible_people

from ..models import FollowUpTask, Workshop


@transaction.atomic
def record_workshop(
    actor: Actor,
    school: School,
    *,
    title: str,
    held_on: dt.date,
    kind: str = Workshop.Kind.WORKSHOP,
    committee: str = "",
    subject: str = "",
    hours: Decimal = Decimal(0),
    attendees: int = 0,
    participants: Iterable[User] = (),
    minutes: str = "",
    decisions: str = "",
) -> Workshop:
    require(actor, Perm.PD_WORK, school)
    if not title.strip():
        raise ValidationError({"title": _("Give the workshop a title.")})
    if hours < 0:
        raise ValidationError({"hours": _("Hours cannot be negative.")})
    people = _people_at(actor, school, participants)
    workshop = Workshop.objects.create(
        school=school,
        kind=kind,
        title=title.strip(),
        committee=committee.strip(),
        subject=subject.strip(),
        hours=hours,
        held_on=held_on,
        attendees=max(attendees, len(people)),
        minutes=minutes,
        decisions=decisions,
    )
    workshop.participants.set(people)
    audit.record(
        actor,
        "pd.workshop",
        workshop,
        school=school,
        details={"participants": sorted(p.pk for p in people), "hours": str(hours)},
    )
    return workshop


def _people_at(actor: Actor, school: School, people: Iterable[User]) -> list[User]:
    """``people``, each of whom must have a role at ``school`` the actor may see."""
    chosen = list(people)
    allowed = set(
        visible_people(actor, Perm.PD_WORK)
        .filter(memberships__school=school, pk__in=[p.pk for p in chosen])
        .values_list("pk", flat=True)
    )
    if any(p.pk not in allowed for p in chosen):
        raise PermissionDenied(_("Choose someone from your own school."))
    return chosen


@transaction.atomic
def add_follow_up(
    actor: Actor,
    workshop: Workshop,
    *,
    text: str,
    owner: User | None = None,
    due: dt.date | None = None,
) -> FollowUpTask:
    require(actor, Perm.PD_WORK, workshop.school)
    if owner is not None and not visible_people(actor, Perm.PD_WORK).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("Choose someone from your own school."))
    if not text.strip():
        raise ValidationError({"text": _("Say what is to be done.")})
    task = FollowUpTask.objects.create(workshop=workshop, text=text.strip(), owner=owner, due=due)
    audit.record(actor, "pd.follow_up", workshop, school=workshop.school)
    return task


@transaction.atomic
def complete_follow_up(actor: Actor, task: FollowUpTask) -> FollowUpTask:
    require(actor, Perm.PD_WORK, task.workshop.school)
    task.done = True
    task.save(update_fields=["done"])
    audit.record(actor, "pd.follow_up_done", task.workshop, school=task.workshop.school)
    return task
