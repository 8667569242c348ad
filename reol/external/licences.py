"""Licensed films and e-resources: who may open a link, while the licence runs, and how often
it was opened (a count per month, never who).

``usable`` is the one rule for "may this person open this licence here now"; the OPAC shows a
link only when it holds, and the open view asks it again before redirecting.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm, require, roles_at
from reol.patrons.models import GroupMember

from .models import Audience, Licence, LicenceSeat, LicenceUse

WARN_AHEAD = dt.timedelta(days=30)
SEAT_TIME = dt.timedelta(minutes=90)  # a lesson and a half: then the seat is free again
FIELDS = (
    "provider", "url", "starts", "ends", "audience", "group", "networks", "seats", "cost",
    "show_in_class", "share_on_platform", "excerpts",
)  # fmt: skip


def networks_of(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for part in text.split():
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError as error:
            raise ValidationError(
                {"networks": _("“%(value)s” is not an address range.") % {"value": part[:50]}}
            ) from error
    return found


@transaction.atomic
def save_licence(
    actor: Actor, record: Record, school: School, licence: Licence | None = None, **values: Any
) -> Licence:
    require(actor, Perm.EXTERNAL_MANAGE, school)
    if record.municipality_id != school.municipality_id:
        raise ValidationError(_("The record belongs to another municipality."))
    group = values.get("group")
    if group is not None and group.school_id != school.pk:
        raise ValidationError({"group": _("The class belongs to another school.")})
    networks_of(values.get("networks") or "")
    licence = licence or Licence(record=record, school=school)
    old_ends = licence.ends if licence.pk else None
    for name in FIELDS:
        if name in values:
            setattr(licence, name, values[name])
    if licence.ends != old_ends:
        licence.warned_on = None  # a new end date is warned about anew
    licence.full_clean()
    licence.save()
    audit.record(
        actor, "licence.save", licence, school=school,
        details={"record": record.pk, "ends": licence.ends.isoformat()},
    )  # fmt: skip
    return licence


def valid_on(licence: Licence, day: dt.date) -> bool:
    return licence.starts <= day <= licence.ends


def usable(licence: Licence, user: Any, address: str | None, today: dt.date | None = None) -> bool:
    """May ``user`` (anyone, signed in or not) at ``address`` open this licence today?"""
    if not valid_on(licence, today or timezone.localdate()):
        return False
    if licence.audience == Audience.NETWORK:
        if not address:
            return False
        try:
            where = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(where in net for net in networks_of(licence.networks))
    if not isinstance(user, User) or not roles_at(user, licence.school):
        return False
    if licence.audience == Audience.GROUP:
        return GroupMember.objects.filter(group=licence.group, patron__user=user).exists()
    return True  # signed in at the licence's school


def links_for(
    record: Record, school: School | None, user: Any, address: str | None
) -> list[Licence]:
    """The record's licences this visitor may open now (at the school they are looking at)."""
    if school is None:
        return []
    today = timezone.localdate()
    current = record.licences.filter(school=school, starts__lte=today, ends__gte=today)
    return [lic for lic in current if usable(lic, user, address, today)]


def for_record(
    record: Record, school: School | None, user: Any, address: str | None
) -> tuple[list[Licence], bool]:
    """What the record page needs in one query: the licences this visitor may open now (as
    ``links_for``), and whether the record is under any licence at all."""
    every = list(record.licences.all())
    if school is None:
        return [], bool(every)
    today = timezone.localdate()
    links = [
        lic
        for lic in every
        if lic.school_id == school.pk
        and lic.starts <= today <= lic.ends
        and usable(lic, user, address, today)
    ]
    return links, bool(every)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class SeatsTaken(PermissionDenied):
    """Every seat of the licence is in use now."""


def seat_holder(session_key: str) -> str:
    """What a seat records of its holder: a digest of the browser session, never who."""
    return hashlib.sha256(f"seat:{session_key}".encode()).hexdigest()


def _take_seat(licence: Licence, holder: str) -> None:
    """Hold one of the licence's concurrent seats for ``SEAT_TIME`` (the same session keeps
    its seat and renews it). The licence row is locked, so two visitors racing for the last
    seat are served one after the other: one gets it, the other is told the seats are full."""
    if not licence.seats:
        return
    now = timezone.now()
    Licence.objects.select_for_update().filter(pk=licence.pk).values_list("pk").get()
    LicenceSeat.objects.filter(licence=licence, until__lte=now).delete()
    if LicenceSeat.objects.filter(licence=licence, holder=holder).update(until=now + SEAT_TIME):
        return
    if LicenceSeat.objects.filter(licence=licence).count() >= licence.seats:
        raise SeatsTaken(
            ngettext(
                "The licence has %(seats)s seat, and it is in use now. "
                "Try again later: a seat is free again at the latest %(minutes)s minutes "
                "after it was taken.",
                "All %(seats)s seats of the licence are in use now. "
                "Try again later: a seat is free again at the latest %(minutes)s minutes "
                "after it was taken.",
                licence.seats,
            )
            % {"seats": licence.seats, "minutes": int(SEAT_TIME.total_seconds() // 60)}
        )
    LicenceSeat.objects.create(licence=licence, holder=holder, until=now + SEAT_TIME)


def seats_in_use(licence: Licence) -> int:
    return LicenceSeat.objects.filter(licence=licence, until__gt=timezone.now()).count()


@transaction.atomic
def open_licence(licence: Licence, user: Any, address: str | None, holder: str = "") -> str:
    """Take a seat (if the licence counts seats), count one use (this month) and give the
    address to go to; refuses who may not, and anyone when every seat is taken."""
    if not usable(licence, user, address):
        raise PermissionDenied(_("This film or resource is not open to you here now."))
    _take_seat(licence, holder or seat_holder(secrets.token_hex(16)))
    month = first_of_month(timezone.localdate())
    row, _created = LicenceUse.objects.get_or_create(licence=licence, month=month)
    LicenceUse.objects.filter(pk=row.pk).update(count=F("count") + 1)
    return licence.url


def expiring(school: School, today: dt.date | None = None) -> QuerySet[Licence]:
    """Licences of the school that end within a month (and have not ended)."""
    today = today or timezone.localdate()
    return Licence.objects.filter(school=school, ends__gte=today, ends__lte=today + WARN_AHEAD)


def count_expiring(school: School) -> int:
    return expiring(school).count()


def warn_expiring(today: dt.date | None = None) -> int:
    """Warn each school's library (its e-mail, and the audit log) of licences ending within a
    month, once per end date. Returns how many licences were warned of."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(
        ends__gte=today, ends__lte=today + WARN_AHEAD, warned_on__isnull=True
    ).select_related("school", "record")
    warned = 0
    for licence in due:
        with transaction.atomic():
            if not Licence.objects.filter(pk=licence.pk, warned_on__isnull=True).update(
                warned_on=today
            ):
                continue  # another worker warned of it
            audit.record(
                SYSTEM, "licence.expiry_warned", licence, school=licence.school,
                details={"record": licence.record.title, "ends": licence.ends.isoformat()},
            )  # fmt: skip
            if licence.school.email:
                mail = _expiry_mail(licence)
                transaction.on_commit(lambda m=mail: m.send(fail_silently=True))  # type: ignore[misc]
            warned += 1
    return warned


def _expiry_mail(licence: Licence) -> EmailMessage:
    subject = _("Licence ends on %(date)s: %(title)s") % {
        "date": licence.ends.isoformat(),
        "title": licence.record.title[:120],
    }
    body = _(
        "The licence for “%(title)s” from %(provider)s ends on %(date)s. After that day its "
        "link is no longer shown. Renew it with the provider, or let it end."
    ) % {
        "title": licence.record.title,
        "provider": licence.provider,
        "date": licence.ends.isoformat(),
    }
    return EmailMessage(subject=subject, body=body, to=[licence.school.email])
