"""Every write of reading lists and their entries (shown in the OPAC, published from planning).

Each function is one transaction that checks the permission (``CATALOG_EDIT``), enforces the
rules, writes and records the audit event. A school's list is edited by those who catalogue at
that school; a list for the whole municipality by anyone who catalogues at one of its schools
(the records on it are the municipality's, shared the same way).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from reol.catalog.models import Record
from reol.core import audit
from reol.core.models import Municipality, School, User
from reol.core.permissions import Actor, Perm, require, schools_with

from .models import ReadingList, ReadingListEntry

LIST_FIELDS = ("title", "audience", "description", "published")


def require_list_editor(actor: Actor, municipality: Municipality, school: School | None) -> None:
    if school is not None:
        if school.municipality_id != municipality.pk:
            raise ValidationError({"school": _("The school is not in this municipality.")})
        require(actor, Perm.CATALOG_EDIT, school)
        return
    if not schools_with(actor, Perm.CATALOG_EDIT).filter(municipality=municipality).exists():
        raise PermissionDenied(
            _("You may not edit reading lists in %(m)s.") % {"m": municipality.name}
        )


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(LIST_FIELDS)
    if unknown:
        raise TypeError(f"unknown reading list fields: {sorted(unknown)}")
    cleaned = dict(values)
    for name in ("title", "audience", "description"):
        if name in cleaned:
            cleaned[name] = str(cleaned[name] or "").strip()
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("Give the list a title.")})
    if len(cleaned.get("title", "")) > 200:
        raise ValidationError({"title": _("The title can be at most 200 characters.")})
    if len(cleaned.get("audience", "")) > 100:
        raise ValidationError({"audience": _("Keep “for whom” to at most 100 characters.")})
    return cleaned


@transaction.atomic
def create_reading_list(
    actor: Actor,
    municipality: Municipality,
    *,
    school: School | None,
    title: str,
    audience: str = "",
    description: str = "",
    published: bool = True,
) -> ReadingList:
    """A new, empty list for ``school`` (or, with ``school=None``, the whole municipality)."""
    require_list_editor(actor, municipality, school)
    values = _clean(
        {"title": title, "audience": audience, "description": description, "published": published}
    )
    reading_list = ReadingList.objects.create(
        municipality=municipality,
        school=school,
        created_by=actor if isinstance(actor, User) else None,
        **values,
    )
    audit.record(
        actor, "reading_list.create", reading_list, school=school, municipality=municipality
    )
    return reading_list


def _locked(reading_list: ReadingList) -> ReadingList:
    return (
        ReadingList.objects.select_for_update(of=("self",))
        .select_related("school", "municipality")
        .get(pk=reading_list.pk)
    )


@transaction.atomic
def update_reading_list(actor: Actor, reading_list: ReadingList, **values: Any) -> ReadingList:
    """Change a list's title, audience, description or whether the public catalogue shows it."""
    locked = _locked(reading_list)
    require_list_editor(actor, locked.municipality, locked.school)
    cleaned = _clean(values)
    changed = {k: v for k, v in cleaned.items() if getattr(locked, k) != v}
    if changed:
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.save(update_fields=[*changed, "updated_at"])
        audit.record(
            actor,
            "reading_list.update",
            locked,
            school=locked.school,
            municipality=locked.municipality,
            details={"fields": sorted(changed)},
        )
    return locked


@transaction.atomic
def delete_reading_list(actor: Actor, reading_list: ReadingList) -> None:
    locked = _locked(reading_list)
    require_list_editor(actor, locked.municipality, locked.school)
    audit.record(
        actor,
        "reading_list.delete",
        locked,
        school=locked.school,
        municipality=locked.municipality,
        details={"title": locked.title, "entries": locked.entries.count()},
    )
    locked.delete()


@transaction.atomic
def add_entry(
    actor: Actor, reading_list: ReadingList, record: Record, *, note: str = ""
) -> ReadingListEntry:
    """Put a title at the end of the list (once: a second time is refused)."""
    locked = _locked(reading_list)
    require_list_editor(actor, locked.municipality, locked.school)
    if record.municipality_id != locked.municipality_id or record.merged_into_id is not None:
        raise ValidationError({"record": _("There is no such title in this catalogue.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note to at most 500 characters.")})
    if locked.entries.filter(record=record).exists():
        raise ValidationError(
            {"record": _("“%(title)s” is already on the list.") % {"title": record.title}}
        )
    last = locked.entries.aggregate(last=Max("position"))["last"]
    entry = ReadingListEntry.objects.create(
        reading_list=locked,
        record=record,
        note=note,
        position=0 if last is None else last + 1,
    )
    audit.record(
        actor,
        "reading_list.entry_add",
        locked,
        school=locked.school,
        municipality=locked.municipality,
        details={"record": record.pk, "title": record.title},
    )
    return entry


def _locked_entry(entry: ReadingListEntry) -> ReadingListEntry:
    return (
        ReadingListEntry.objects.select_for_update(of=("self",))
        .select_related("reading_list__school", "reading_list__municipality", "record")
        .get(pk=entry.pk)
    )


@transaction.atomic
def update_entry(actor: Actor, entry: ReadingListEntry, *, note: str) -> ReadingListEntry:
    locked = _locked_entry(entry)
    rl = locked.reading_list
    require_list_editor(actor, rl.municipality, rl.school)
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note to at most 500 characters.")})
    if note != locked.note:
        locked.note = note
        locked.save(update_fields=["note"])
        audit.record(
            actor,
            "reading_list.entry_update",
            rl,
            school=rl.school,
            municipality=rl.municipality,
            details={"record": locked.record_id},
        )
    return locked


@transaction.atomic
def remove_entry(actor: Actor, entry: ReadingListEntry) -> None:
    locked = _locked_entry(entry)
    rl = locked.reading_list
    require_list_editor(actor, rl.municipality, rl.school)
    audit.record(
        actor,
        "reading_list.entry_remove",
        rl,
        school=rl.school,
        municipality=rl.municipality,
        details={"record": locked.record_id, "title": locked.record.title},
    )
    locked.delete()
    # Close the gap so positions stay 0..n-1.
    rl.entries.filter(position__gt=locked.position).update(position=F("position") - 1)


@transaction.atomic
def move_entry(actor: Actor, entry: ReadingListEntry, *, by: int) -> ReadingListEntry:
    """Move an entry up (``by=-1``) or down (``by=1``) the list, swapping with its neighbour."""
    locked = _locked_entry(entry)
    rl = locked.reading_list
    require_list_editor(actor, rl.municipality, rl.school)
    entries = list(rl.entries.select_for_update().order_by("position", "id"))
    index = next(i for i, e in enumerate(entries) if e.pk == locked.pk)
    target = index + (1 if by > 0 else -1)
    if by == 0 or not 0 <= target < len(entries):
        return locked
    entries[index], entries[target] = entries[target], entries[index]
    for position, each in enumerate(entries):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])
    audit.record(
        actor,
        "reading_list.entry_move",
        rl,
        school=rl.school,
        municipality=rl.municipality,
        details={"record": locked.record_id, "to": target},
    )
    locked.position = target
    return locked
