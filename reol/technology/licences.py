"""Software and digital-resource licences: saved through ``save_licence`` (audited), read
with ``licences_of`` and ``renewals_ahead`` (the warning before a renewal date)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require, scope
from reol.patrons.models import Group

from .models import Licence

WARN_DAYS = 60  # a renewal is flagged this many days before the licence ends


@transaction.atomic
def save_licence(
    actor: Actor,
    school: School,
    *,
    licence: Licence | None = None,
    name: str,
    starts: dt.date,
    ends: dt.date,
    cost: Decimal = Decimal("0"),
    seats: int | None = None,
    seats_in_use: int | None = None,
    vendor: str = "",
    groups: list[int] | None = None,
    notes: str = "",
) -> Licence:
    """Add a licence at ``school`` or change one (``licence``)."""
    require(actor, Perm.TECHNOLOGY, school)
    if licence is not None and licence.school_id != school.pk:
        raise ValidationError(_("The licence belongs to another school."))
    row = licence or Licence(school=school)
    row.name, row.vendor, row.notes = name.strip()[:200], vendor.strip()[:200], notes.strip()
    row.starts, row.ends, row.cost = starts, ends, cost
    row.seats, row.seats_in_use = seats, seats_in_use
    if ends < starts:
        raise ValidationError({"ends": _("A licence cannot end before it starts.")})
    if seats is not None and seats_in_use is not None and seats_in_use > seats:
        raise ValidationError({"seats_in_use": _("More seats are in use than the licence has.")})
    row.full_clean()
    row.save()
    if groups is not None:
        row.groups.set(Group.objects.filter(school=school, pk__in=groups))
    audit.record(
        actor,
        "licence.save",
        row,
        school=school,
        details={"name": row.name, "ends": ends.isoformat(), "cost": str(cost)},
    )
    return row


def licences_of(actor: Actor | AnonymousUser) -> QuerySet[Licence]:
    return scope(Licence.objects.all(), actor, Perm.TECHNOLOGY).prefetch_related("groups")


def renewals_ahead(
    licences: QuerySet[Licence], today: dt.date, days: int = WARN_DAYS
) -> QuerySet[Licence]:
    """Licences that end within ``days`` (and have not ended yet): renew or let go."""
    return licences.filter(ends__gte=today, ends__lte=today + dt.timedelta(days=days))
