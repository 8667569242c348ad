"""Writes of the annual plans: a topic entry made, changed, marked for heavy use and deleted, and
the school's heavy-use capacity. Shared helpers of the other service modules live here too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit, calendar
from reol.core.formats import days as written_days
from reol.core.models import School, User
from reol.core.permissions import Actor
from reol.patrons.models import Group

from .. import access
from ..models import (
    PlanEntry,
    PlanningSettings,
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
                "weeks": _("That is outside the school year %(year)s (%(days)s).")
                % {"year": group.school_year, "days": written_days(first, last)}
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
