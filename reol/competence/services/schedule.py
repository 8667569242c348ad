"""Who staffs the school's library when: shifts for staff and volunteers, and the schedule's
secret calendar address."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import Membership, School, User
from reol.core.permissions import Actor, Perm, require

from ..models import ScheduleFeed, Shift

# Who can hold a shift in the library: the people who work there, and its volunteers.
SHIFT_ROLES = ("administrator", "librarian", "teacher", "volunteer")


def kind_of(person: User, school: School) -> str:
    """A person on a shift is a volunteer when that is their only role at the school."""
    roles = set(
        Membership.objects.filter(user=person, school=school, role__in=SHIFT_ROLES).values_list(
            "role", flat=True
        )
    )
    if not roles:
        raise PermissionDenied(_("Choose someone who works at this school."))
    return Shift.Kind.VOLUNTEER if roles == {"volunteer"} else Shift.Kind.STAFF


@transaction.atomic
def plan_shift(
    actor: Actor,
    school: School,
    *,
    person: User,
    day: dt.date,
    starts: dt.time,
    ends: dt.time,
    task: str = "",
) -> Shift:
    require(actor, Perm.STAFF_SCHEDULE, school)
    kind = kind_of(person, school)
    if ends <= starts:
        raise ValidationError({"ends": _("A shift ends after it starts.")})
    # One writer per person at a time (the row lock), so two overlapping shifts cannot both pass.
    User.objects.select_for_update().filter(pk=person.pk).first()
    clash = Shift.objects.filter(person=person, day=day, starts__lt=ends, ends__gt=starts).first()
    if clash is not None:
        raise ValidationError(
            _("%(name)s already has a shift from %(starts)s to %(ends)s that day.")
            % {
                "name": person.get_full_name() or person.username,
                "starts": clash.starts.strftime("%H:%M"),
                "ends": clash.ends.strftime("%H:%M"),
            }
        )
    shift = Shift.objects.create(
        school=school,
        person=person,
        kind=kind,
        day=day,
        starts=starts,
        ends=ends,
        task=task.strip(),
    )
    audit.record(actor, "schedule.shift", shift, school=school)
    return shift


@transaction.atomic
def remove_shift(actor: Actor, shift: Shift) -> None:
    require(actor, Perm.STAFF_SCHEDULE, shift.school)
    audit.record(
        actor,
        "schedule.shift_removed",
        shift,
        school=shift.school,
        details={"person": shift.person_id, "day": shift.day.isoformat()},
    )
    shift.delete()


@transaction.atomic
def create_feed(actor: User, school: School) -> ScheduleFeed:
    require(actor, Perm.SCHOOL_VIEW, school)
    feed = ScheduleFeed.objects.create(user=actor, school=school, token=secrets.token_urlsafe(32))
    audit.record(actor, "schedule.feed", feed, school=school)
    return feed


@transaction.atomic
def revoke_feed(actor: User, feed: ScheduleFeed) -> None:
    if feed.user_id != actor.pk:
        raise PermissionDenied
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(actor, "schedule.feed", feed, school=feed.school, details={"revoked": True})
