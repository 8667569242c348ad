"""Writes of a topic's resource list: lines added and removed, materials requested from
acquisitions, copies reserved and a room booked (through ``reol.bookings.services.book``),
the list shared with a teacher or published on the OPAC (through ``reol.catalog.lists``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.acquisitions.actions import suggestions
from reol.acquisitions.models import Suggestion
from reol.catalog.lists import services as reading_lists
from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import User
from reol.core.permissions import Actor, Perm, has_perm, require
from reol.core.text import one_line

from .. import access
from ..models import (
    PlanEntry,
    ResourceLine,
    ResourceList,
)
from .entries import MAX_QUANTITY, _locked_entry, _person


def _resource_list(entry: PlanEntry) -> ResourceList:
    found, _created = ResourceList.objects.get_or_create(entry=entry)
    return found


def _quantity(quantity: object) -> int:
    try:
        value = int(str(quantity))
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_QUANTITY:
        raise ValidationError({"quantity": _("Ask for 1 to %(n)s copies.") % {"n": MAX_QUANTITY}})
    return value


@transaction.atomic
def add_resource(
    actor: Actor, entry: PlanEntry, record: Record, quantity: int | str = 1
) -> ResourceLine:
    """Put a title on the topic's resource list (again: its quantity is changed instead)."""
    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    if record.municipality_id != locked.school.municipality_id or record.merged_into_id:
        raise ValidationError({"record": _("There is no such title in this catalogue.")})
    amount = _quantity(quantity)
    resources = _resource_list(locked)
    line = ResourceLine.objects.filter(resource_list=resources, record=record).first()
    if line is None:
        line = ResourceLine.objects.create(resource_list=resources, record=record, quantity=amount)
    elif line.quantity != amount:
        if line.booking_id is not None:
            raise ValidationError(
                {"quantity": _("These copies are reserved already; cancel the booking first.")}
            )
        line.quantity = amount
        line.save(update_fields=["quantity"])
    audit.record(
        actor,
        "plan.resource_add",
        locked,
        school=locked.school,
        details={"record": record.pk, "title": record.title, "quantity": amount},
    )
    return line


@transaction.atomic
def request_materials(actor: User, entry: PlanEntry, **values: Any) -> Suggestion:
    """A teacher asks the library to buy materials for a topic of the class's annual plan: a
    suggestion in acquisitions (rung 5) that carries the topic's id and name, so the library
    sees what it is for and the plan shows the request and its state. The ISBN is looked up
    first, outside the transaction; ``suggest`` writes and audits in one."""
    access.require_plan_editor(actor, entry.group)
    topic = f"{entry.title} ({entry.group.name})"
    return suggestions.suggest_looked_up(
        actor, entry.school, plan_entry_id=entry.pk, topic=topic, **values
    )


def remove_resource(actor: Actor, line: ResourceLine) -> None:
    locked = (
        ResourceLine.objects.select_for_update(of=("self",))
        .select_related("resource_list__entry__group__school", "record")
        .get(pk=line.pk)
    )
    entry = locked.resource_list.entry
    access.require_plan_editor(actor, entry.group)
    audit.record(
        actor,
        "plan.resource_remove",
        entry,
        school=entry.school,
        details={"record": locked.record_id, "title": locked.record.title},
    )
    locked.delete()


@transaction.atomic
def reserve_resources(actor: Actor, entry: PlanEntry) -> Any:
    """Book every title of the list not yet reserved, for the topic's dates, in one booking.

    ``reol.bookings.services.book`` decides what is free; its ``BookingConflict`` (who holds
    the copies, and what else is free) reaches the caller and nothing is reserved.
    """
    from reol.bookings import services as bookings

    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    require(actor, Perm.BOOKING, locked.school)
    lines = list(
        ResourceLine.objects.select_for_update(of=("self",))
        .filter(resource_list__entry=locked, booking__isnull=True)
        .select_related("record")
    )
    if not lines:
        raise ValidationError(_("Everything on the list is reserved already."))
    teacher = _person(actor) if access.teaches(actor, locked.group) else None
    booking = bookings.book(
        actor,
        locked.school,
        starts=locked.starts,
        ends=locked.ends,
        lines=[
            bookings.BookingRequest(record=line.record, quantity=line.quantity) for line in lines
        ],
        title=locked.title,
        group=locked.group,
        teacher=teacher,
    )
    ResourceLine.objects.filter(pk__in=[line.pk for line in lines]).update(booking=booking)
    audit.record(
        actor,
        "plan.reserve",
        locked,
        school=locked.school,
        details={"booking": booking.pk, "records": [line.record_id for line in lines]},
    )
    return booking


@transaction.atomic
def book_room(
    actor: Actor,
    entry: PlanEntry,
    resource: Any,
    *,
    day: dt.date,
    start_time: dt.time | None = None,
    end_time: dt.time | None = None,
) -> Any:
    """Book a room or equipment for the topic's group on one day (an afternoon: with times)."""
    from reol.bookings import services as bookings

    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    if resource.school_id != locked.school_id:
        raise ValidationError({"resource": _("Choose a room or equipment of this school.")})
    teacher = _person(actor) if access.teaches(actor, locked.group) else None
    booking = bookings.book(
        actor,
        locked.school,
        starts=day,
        ends=day,
        lines=[bookings.BookingRequest(resource=resource)],
        title=locked.title,
        group=locked.group,
        teacher=teacher,
        start_time=start_time,
        end_time=end_time,
    )
    audit.record(
        actor,
        "plan.book_room",
        locked,
        school=locked.school,
        details={"booking": booking.pk, "resource": resource.pk, "day": day.isoformat()},
    )
    return booking


@transaction.atomic
def share_resources(actor: Actor, entry: PlanEntry, teacher: User, link: str = "") -> ResourceList:
    """Send the list to a teacher who plans at the school (an e-mail in their language)."""
    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    if not has_perm(teacher, Perm.PLANNING, locked.school):
        raise ValidationError({"teacher": _("Choose someone who plans at this school.")})
    if not teacher.email:
        raise ValidationError({"teacher": _("%(name)s has no e-mail address.") % {"name": teacher}})
    resources = _resource_list(locked)
    lines = list(resources.lines.select_related("record"))
    resources.shared_with = teacher
    resources.shared_at = timezone.now()
    resources.save(update_fields=["shared_with", "shared_at"])
    audit.record(
        actor, "plan.share", locked, school=locked.school, details={"with": teacher.username}
    )
    language = teacher.preferred_language or locked.school.default_language
    with translation.override(language):
        subject = _("Resource list: %(title)s (%(group)s, weeks %(weeks)s)") % {
            "title": locked.title,
            "group": locked.group.name,
            "weeks": locked.weeks,
        }
        subject = one_line(subject)  # a mail header is one line, whatever the title
        body = "\n".join(
            [
                _("%(who)s has shared the resource list of a topic with you.") % {"who": actor},
                "",
                subject,
                "",
                *[f"{line.quantity} × {line.record.title}" for line in lines],
                "",
                link,
            ]
        )
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [teacher.email], fail_silently=True)
    )
    return resources


@transaction.atomic
def publish_resources(actor: Actor, entry: PlanEntry) -> Any:
    """Make (or bring up to date) the OPAC reading list of the topic's resource list.

    Through the reading lists' services, so their permission (``CATALOG_EDIT``) and rules apply.
    """
    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    resources = _resource_list(locked)
    lines = list(resources.lines.select_related("record").order_by("id"))
    if not lines:
        raise ValidationError(_("Put some titles on the list first."))
    title = f"{locked.title} ({locked.group.name})"[:200]
    audience = locked.group.name[:100]
    reading_list = resources.reading_list
    if reading_list is None:
        reading_list = reading_lists.create_reading_list(
            actor,
            locked.school.municipality,
            school=locked.school,
            title=title,
            audience=audience,
            description=locked.goals,
        )
        resources.reading_list = reading_list
        resources.save(update_fields=["reading_list"])
    else:
        reading_list = reading_lists.update_reading_list(
            actor, reading_list, title=title, audience=audience, published=True
        )
    on_list = set(reading_list.entries.values_list("record_id", flat=True))
    for line in lines:
        if line.record_id not in on_list:
            reading_lists.add_entry(actor, reading_list, line.record)
    audit.record(
        actor,
        "plan.publish",
        locked,
        school=locked.school,
        details={"reading_list": reading_list.pk},
    )
    return reading_list
