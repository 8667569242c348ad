"""Every write of planning: one function per change, one transaction each, audited.

Plans are edited by the teachers of the group and by the learning-centre staff (see
``access``). Reservations and room bookings go through ``reol.bookings.services.book`` (which
decides conflicts); publishing a resource list on the OPAC goes through
``reol.catalog.lists.services`` (which decides who may publish reading lists), so neither rule
is written twice.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reol.acquisitions.actions import suggestions
from reol.acquisitions.models import Suggestion
from reol.catalog.lists import services as reading_lists
from reol.catalog.models import Record
from reol.core import audit, calendar
from reol.core.models import School, SchoolYear, User
from reol.core.permissions import Actor, Perm, has_perm, require
from reol.core.text import one_line
from reol.patrons.models import Group

from . import access
from .models import (
    CalendarFeed,
    Collaboration,
    DevelopmentGoal,
    PlanEntry,
    PlanningSettings,
    ResourceLine,
    ResourceList,
    TeamTask,
)

ENTRY_TEXT_LIMITS = {"title": 200, "subject": 100, "goals": 5000, "materials": 5000}
MAX_QUANTITY = 500


def _person(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


def _text(values: dict[str, Any], limits: dict[str, int]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, limit in limits.items():
        if name not in values:
            continue
        value = str(values[name] or "").strip()
        if len(value) > limit:
            errors[name] = _("Keep this to at most %(n)s characters.") % {"n": limit}
        cleaned[name] = value
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = _("Give it a title.")
    if errors:
        raise ValidationError(errors)
    return cleaned


def resolve_dates(
    group: Group,
    *,
    weeks_text: str | None = None,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
) -> tuple[dt.date, dt.date]:
    """Dates from ISO weeks ("41–43", read in the group's school year) or from two dates."""
    first, last = calendar.school_year_bounds(group.school, group.school_year)
    if weeks_text and weeks_text.strip():
        try:
            found = calendar.parse_weeks(weeks_text, group.school_year, begins=first)
        except ValidationError as error:
            raise ValidationError({"weeks": error.messages}) from error
        starts, ends = found.starts, found.ends
    if starts is None or ends is None:
        raise ValidationError({"weeks": _("Give the weeks (e.g. 41–43) or a first and last day.")})
    if ends < starts:
        raise ValidationError({"ends": _("The last day comes before the first.")})
    # A week may start before the first school day or end after the last one.
    if ends < first - dt.timedelta(days=6) or starts > last + dt.timedelta(days=6):
        raise ValidationError(
            {
                "weeks": _("That is outside the school year %(year)s (%(first)s – %(last)s).")
                % {"year": group.school_year, "first": first, "last": last}
            }
        )
    return starts, ends


@transaction.atomic
def create_entry(
    actor: Actor,
    group: Group,
    *,
    title: str,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    weeks_text: str | None = None,
    subject: str = "",
    kind: str = PlanEntry.Kind.TOPIC,
    goals: str = "",
    materials: str = "",
    heavy_use: bool = False,
) -> PlanEntry:
    """Add a topic or project to a group's annual plan, by ISO weeks or by dates."""
    access.require_plan_editor(actor, group)
    if heavy_use and not access.is_centre_staff(actor, group.school):
        raise PermissionDenied(_("Only the learning-centre staff mark heavy-use periods."))
    if kind not in PlanEntry.Kind.values:
        raise ValidationError({"kind": _("Choose a topic or a project.")})
    values = _text(
        {"title": title, "subject": subject, "goals": goals, "materials": materials},
        ENTRY_TEXT_LIMITS,
    )
    starts, ends = resolve_dates(group, weeks_text=weeks_text, starts=starts, ends=ends)
    entry = PlanEntry.objects.create(
        school=group.school,
        group=group,
        school_year=group.school_year,
        kind=kind,
        starts=starts,
        ends=ends,
        heavy_use=heavy_use,
        created_by=_person(actor),
        **values,
    )
    audit.record(
        actor,
        "plan.create",
        entry,
        school=group.school,
        details={"group": group.name, "weeks": entry.weeks},
    )
    return entry


def _locked_entry(entry: PlanEntry) -> PlanEntry:
    return (
        PlanEntry.objects.select_for_update(of=("self",))
        .select_related("group__school", "school__municipality")
        .get(pk=entry.pk)
    )


@transaction.atomic
def update_entry(
    actor: Actor,
    entry: PlanEntry,
    *,
    weeks_text: str | None = None,
    **values: Any,
) -> PlanEntry:
    """Change a plan entry; ``weeks_text`` or ``starts``/``ends`` move it."""
    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    allowed = {"title", "subject", "kind", "goals", "materials", "heavy_use", "starts", "ends"}
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown plan entry fields: {sorted(unknown)}")
    changes: dict[str, Any] = _text(values, ENTRY_TEXT_LIMITS)
    if "kind" in values:
        if values["kind"] not in PlanEntry.Kind.values:
            raise ValidationError({"kind": _("Choose a topic or a project.")})
        changes["kind"] = values["kind"]
    if "heavy_use" in values and bool(values["heavy_use"]) != locked.heavy_use:
        if not access.is_centre_staff(actor, locked.school):
            raise PermissionDenied(_("Only the learning-centre staff mark heavy-use periods."))
        changes["heavy_use"] = bool(values["heavy_use"])
    if weeks_text or "starts" in values or "ends" in values:
        starts, ends = resolve_dates(
            locked.group,
            weeks_text=weeks_text,
            starts=values.get("starts", locked.starts),
            ends=values.get("ends", locked.ends),
        )
        changes.update(starts=starts, ends=ends)
    changed = {k: v for k, v in changes.items() if getattr(locked, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor,
            "plan.update",
            locked,
            school=locked.school,
            details={"fields": sorted(changed)},
        )
    return locked


@transaction.atomic
def set_heavy_use(actor: Actor, entry: PlanEntry, heavy_use: bool) -> PlanEntry:
    """Staff mark (or unmark) a topic's weeks as a heavy-use period of the library."""
    locked = _locked_entry(entry)
    access.require_centre_staff(actor, locked.school)
    if locked.heavy_use != heavy_use:
        locked.heavy_use = heavy_use
        locked.save(update_fields=["heavy_use", "updated_at"])
        audit.record(
            actor, "plan.heavy_use", locked, school=locked.school, details={"on": heavy_use}
        )
    return locked


@transaction.atomic
def delete_entry(actor: Actor, entry: PlanEntry) -> None:
    locked = _locked_entry(entry)
    access.require_plan_editor(actor, locked.group)
    audit.record(
        actor,
        "plan.delete",
        locked,
        school=locked.school,
        details={"title": locked.title, "group": locked.group.name, "weeks": locked.weeks},
    )
    locked.delete()


@transaction.atomic
def set_heavy_use_capacity(actor: Actor, school: School, capacity: int) -> PlanningSettings:
    """How many heavy-use classes a week the learning-centre staff can serve."""
    access.require_centre_staff(actor, school)
    if not 0 <= capacity <= 500:
        raise ValidationError({"heavy_use_capacity": _("Give a number from 0 to 500.")})
    row, _created = PlanningSettings.objects.select_for_update().get_or_create(school=school)
    if row.heavy_use_capacity != capacity:
        before = row.heavy_use_capacity
        row.heavy_use_capacity = capacity
        row.save(update_fields=["heavy_use_capacity"])
        audit.record(
            actor,
            "planning.capacity",
            row,
            school=school,
            details={"from": before, "to": capacity},
        )
    return row


# --- Topic resource lists ---------------------------------------------------------------------


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


# --- Collaborations, goals and tasks ----------------------------------------------------------

COLLABORATION_TEXT = {
    "title": 200,
    "subject": 100,
    "goals": 5000,
    "materials": 5000,
    "evaluation": 10000,
}


def _collaboration_values(
    school: School, values: dict[str, Any]
) -> tuple[dict[str, Any], list[User] | None, list[Any] | None]:
    from reol.bookings.models import Resource

    allowed = {*COLLABORATION_TEXT, "kind", "group", "starts", "ends", "teachers", "rooms"}
    allowed.add("school_year")
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown collaboration fields: {sorted(unknown)}")
    cleaned: dict[str, Any] = _text(values, COLLABORATION_TEXT)
    if "kind" in values:
        if values["kind"] not in Collaboration.Kind.values:
            raise ValidationError({"kind": _("Choose a course or guidance.")})
        cleaned["kind"] = values["kind"]
    if "group" in values:
        group = values["group"]
        if group is not None and group.school_id != school.pk:
            raise ValidationError({"group": _("Choose a group of this school.")})
        cleaned["group"] = group
    for name in ("starts", "ends", "school_year"):
        if name in values:
            cleaned[name] = values[name]
    teachers = values.get("teachers")
    if teachers is not None:
        teachers = list(teachers)
        for person in teachers:
            if not has_perm(person, Perm.PLANNING, school):
                raise ValidationError(
                    {"teachers": _("%(name)s does not plan at this school.") % {"name": person}}
                )
    rooms = values.get("rooms")
    if rooms is not None:
        rooms = list(rooms)
        if any(not isinstance(r, Resource) or r.school_id != school.pk for r in rooms):
            raise ValidationError({"rooms": _("Choose rooms and equipment of this school.")})
    return cleaned, teachers, rooms


def _check_dates(starts: Any, ends: Any) -> None:
    if starts is None or ends is None:
        raise ValidationError({"starts": _("Give a first and a last day.")})
    if ends < starts:
        raise ValidationError({"ends": _("The last day comes before the first.")})


@transaction.atomic
def create_collaboration(actor: Actor, school: School, **values: Any) -> Collaboration:
    """Plan a course or guidance session with teachers (staff, or a teacher of the group)."""
    cleaned, teachers, rooms = _collaboration_values(school, values)
    group = cleaned.get("group")
    require(actor, Perm.PLANNING, school)
    if not access.is_centre_staff(actor, school) and not (group and access.teaches(actor, group)):
        raise PermissionDenied(
            _("Collaborations are planned by the learning-centre staff or a teacher of the group.")
        )
    _check_dates(cleaned.get("starts"), cleaned.get("ends"))
    if not cleaned.get("school_year"):
        year = SchoolYear.objects.filter(
            school=school, starts__lte=cleaned["starts"], ends__gte=cleaned["starts"]
        ).first()
        cleaned["school_year"] = (
            group.school_year
            if group
            else year.name
            if year
            else calendar.year_name_of(cleaned["starts"])
        )
    collaboration = Collaboration.objects.create(
        school=school, created_by=_person(actor), **cleaned
    )
    if teachers is not None:
        collaboration.teachers.set(teachers)
    if rooms is not None:
        collaboration.rooms.set(rooms)
    audit.record(actor, "collaboration.create", collaboration, school=school)
    return collaboration


def may_edit_collaboration(actor: Any, collaboration: Collaboration) -> bool:
    if not has_perm(actor, Perm.PLANNING, collaboration.school):
        return False
    if access.is_centre_staff(actor, collaboration.school):
        return True
    if isinstance(actor, User) and collaboration.teachers.filter(pk=actor.pk).exists():
        return True
    return collaboration.group is not None and access.teaches(actor, collaboration.group)


@transaction.atomic
def update_collaboration(
    actor: Actor, collaboration: Collaboration, **values: Any
) -> Collaboration:
    locked = (
        Collaboration.objects.select_for_update(of=("self",))
        .select_related("school__municipality", "group")
        .get(pk=collaboration.pk)
    )
    require(actor, Perm.PLANNING, locked.school)
    if not may_edit_collaboration(actor, locked):
        raise PermissionDenied(_("You are not part of this collaboration."))
    cleaned, teachers, rooms = _collaboration_values(locked.school, values)
    _check_dates(cleaned.get("starts", locked.starts), cleaned.get("ends", locked.ends))
    changed = [k for k, v in cleaned.items() if getattr(locked, k) != v]
    for name in changed:
        setattr(locked, name, cleaned[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    if teachers is not None and {t.pk for t in teachers} != set(
        locked.teachers.values_list("pk", flat=True)
    ):
        locked.teachers.set(teachers)
        changed.append("teachers")
    if rooms is not None and {r.pk for r in rooms} != set(
        locked.rooms.values_list("pk", flat=True)
    ):
        locked.rooms.set(rooms)
        changed.append("rooms")
    if changed:
        audit.record(
            actor,
            "collaboration.update",
            locked,
            school=locked.school,
            details={"fields": sorted(changed)},
        )
    return locked


@transaction.atomic
def delete_collaboration(actor: Actor, collaboration: Collaboration) -> None:
    locked = Collaboration.objects.select_for_update().get(pk=collaboration.pk)
    access.require_centre_staff(actor, locked.school)
    audit.record(
        actor, "collaboration.delete", locked, school=locked.school, details={"title": locked.title}
    )
    locked.delete()


@transaction.atomic
def save_goal(
    actor: Actor,
    school: School,
    *,
    school_year: str,
    title: str,
    description: str = "",
    goal: DevelopmentGoal | None = None,
) -> DevelopmentGoal:
    """Add (or, with ``goal``, change) one of the school's development goals."""
    access.require_centre_staff(actor, school)
    calendar.start_year(school_year)
    values = _text(
        {"title": title, "description": description}, {"title": 200, "description": 5000}
    )
    clash = DevelopmentGoal.objects.filter(
        school=school, school_year=school_year, title=values["title"]
    )
    if goal is not None:
        clash = clash.exclude(pk=goal.pk)
    if clash.exists():
        raise ValidationError({"title": _("This goal is there already.")})
    if goal is None:
        goal = DevelopmentGoal.objects.create(school=school, school_year=school_year, **values)
        audit.record(actor, "goal.create", goal, school=school)
    else:
        if goal.school_id != school.pk:
            raise PermissionDenied
        goal.school_year = school_year
        goal.title, goal.description = values["title"], values["description"]
        goal.save()
        audit.record(actor, "goal.update", goal, school=school)
    return goal


@transaction.atomic
def delete_goal(actor: Actor, goal: DevelopmentGoal) -> None:
    access.require_centre_staff(actor, goal.school)
    audit.record(actor, "goal.delete", goal, school=goal.school, details={"title": goal.title})
    goal.delete()


@transaction.atomic
def save_task(
    actor: Actor,
    school: School,
    *,
    school_year: str,
    title: str,
    description: str = "",
    responsible: User | None = None,
    goals: list[DevelopmentGoal] | None = None,
    task: TeamTask | None = None,
) -> TeamTask:
    """Say who on the team does what, and which development goals it serves."""
    access.require_centre_staff(actor, school)
    calendar.start_year(school_year)
    values = _text(
        {"title": title, "description": description}, {"title": 200, "description": 5000}
    )
    if responsible is not None and not access.is_centre_staff(responsible, school):
        raise ValidationError(
            {
                "responsible": _("%(name)s is not on the learning-centre team.")
                % {"name": responsible}
            }
        )
    goals = list(goals or [])
    if any(g.school_id != school.pk for g in goals):
        raise ValidationError({"goals": _("Choose goals of this school.")})
    if task is None:
        task = TeamTask.objects.create(
            school=school, school_year=school_year, responsible=responsible, **values
        )
        action = "task.create"
    else:
        if task.school_id != school.pk:
            raise PermissionDenied
        task.school_year, task.responsible = school_year, responsible
        task.title, task.description = values["title"], values["description"]
        task.save()
        action = "task.update"
    task.goals.set(goals)
    audit.record(actor, action, task, school=school)
    return task


@transaction.atomic
def delete_task(actor: Actor, task: TeamTask) -> None:
    access.require_centre_staff(actor, task.school)
    audit.record(actor, "task.delete", task, school=task.school, details={"title": task.title})
    task.delete()


# --- Calendar feeds ---------------------------------------------------------------------------


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
