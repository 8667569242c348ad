"""Calendar feeds: a secret address made for a person, and revoked."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Perm, require

from ..models import (
    CalendarFeed,
)


@transaction.atomic
def create_feed(actor: User, school: School, kind: str, *, resource: Any = None) -> CalendarFeed:
    """A new secret address for one of ``actor``'s calendars."""
    if kind == CalendarFeed.Kind.COORDINATION:
        require(actor, Perm.PLANNING, school)
    elif kind in (CalendarFeed.Kind.TEACHER_BOOKINGS, CalendarFeed.Kind.RESOURCE):
        require(actor, Perm.BOOKING, school)
    else:
        raise ValidationError({"kind": _("Choose a calendar.")})
    if kind == CalendarFeed.Kind.RESOURCE:
        if resource is None or resource.school_id != school.pk:
            raise ValidationError({"resource": _("Choose a room or equipment of this school.")})
    else:
        resource = None
    feed = CalendarFeed.objects.create(
        user=actor,
        school=school,
        kind=kind,
        resource=resource,
        token=secrets.token_urlsafe(32),
    )
    audit.record(actor, "feed.create", feed, school=school, details={"kind": kind})
    return feed


@transaction.atomic
def revoke_feed(actor: User, feed: CalendarFeed) -> CalendarFeed:
    locked = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if locked.user_id != actor.pk:
        raise PermissionDenied(_("This is someone else's calendar address."))
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(actor, "feed.revoke", locked, school=locked.school)
    return locked
