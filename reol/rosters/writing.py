"""Writing a roster import's plan in bulk, in one transaction the caller holds: people, their
role at the school, patrons (new, changed, leaving), groups and group members. Planning
(``importer``) decided everything; this only writes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.utils import timezone

from reol.core import bulk
from reol.core.models import Membership, Role, User
from reol.core.text import fold
from reol.patrons.models import Group, GroupMember, Patron

from .roster import STUDENT, TEACHER

if TYPE_CHECKING:
    from .importer import _Plan
    from .report import Progress

BATCH = 2000
ROLE_OF = {STUDENT: Role.STUDENT, TEACHER: Role.TEACHER}


def chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_plan(plan: _Plan, progress: Progress | None) -> None:
    steps: list[tuple[str, Callable[[_Plan], None]]] = [
        ("people", _write_users),
        ("patrons", _write_patrons),
        ("groups", _write_groups),
        ("members", _write_members),
    ]
    for n, (name, step) in enumerate(steps):
        if progress:
            progress(name, 100 * n // len(steps))
        step(plan)
    if progress:
        progress("done", 100)


def _write_users(plan: _Plan) -> None:
    now = timezone.now()
    new = [e for e in plan.entries if e.user_values is not None]
    rows = []
    for entry in new:
        values = dict(entry.user_values or {})
        # What set_unusable_password() stores, without its slower random string.
        values["password"] = UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)
        values["date_joined"] = now
        values["search_text"] = search_text(values)
        rows.append(values)
    for entry, pk in zip(new, bulk.insert_rows(User, rows), strict=True):
        entry.user_id = pk
    changed: dict[tuple[str, ...], list[User]] = {}
    for entry in plan.entries:
        if entry.user_changes and entry.user is not None:
            if "search_text" in entry.user_changes:
                entry.user.search_text = search_text(entry.user.__dict__)
            changed.setdefault(tuple(sorted(entry.user_changes)), []).append(entry.user)
    for fields, users in changed.items():
        for chunk in chunks(users, 500):
            User.objects.bulk_update(chunk, list(fields))
    roles = [
        {
            "user_id": e.user_id,
            "municipality_id": plan.school.municipality_id,
            "school_id": plan.school.pk,
            "role": ROLE_OF[e.person.category],
        }
        for e in plan.entries
        if e.needs_role
    ]
    bulk.insert_rows(Membership, roles)


def _write_patrons(plan: _Plan) -> None:
    new = [e for e in plan.entries if e.patron_values is not None]
    rows = [{**(e.patron_values or {}), "user_id": e.user_id} for e in new]
    for entry, pk in zip(new, bulk.insert_rows(Patron, rows), strict=True):
        entry.patron_id = pk
    now = timezone.now()
    changed: dict[tuple[str, ...], list[Patron]] = {}
    for entry in plan.entries:
        if entry.patron_changes and entry.patron is not None:
            entry.patron.updated_at = now
            fields = tuple(sorted({*entry.patron_changes, "updated_at"}))
            changed.setdefault(fields, []).append(entry.patron)
    for fields, patrons in changed.items():
        for chunk in chunks(patrons, 500):
            Patron.objects.bulk_update(chunk, list(fields))
    leaving = [p.pk for p in plan.deactivations]
    for chunk in chunks(leaving):
        Patron.objects.filter(pk__in=chunk).update(active=False, left_on=plan.today, updated_at=now)


def _write_groups(plan: _Plan) -> None:
    for chunk in chunks(plan.new_groups):
        Group.objects.bulk_create(chunk)
    for group, fields in plan.changed_groups:
        group.save(update_fields=fields)
    retired = [g.pk for g in plan.retired_groups]
    for chunk in chunks(retired):
        Group.objects.filter(pk__in=chunk).update(active=False)


def _write_members(plan: _Plan) -> None:
    for chunk in chunks(plan.member_removals):
        GroupMember.objects.filter(pk__in=chunk).delete()
    for pk, role in plan.member_roles:
        GroupMember.objects.filter(pk=pk).update(role=role)
    seen: set[tuple[int, int]] = set()
    rows = []
    for entry, key, role in plan.member_adds:
        group = plan.group_of[key]
        pair = (group.pk, entry.patron_id)
        if pair in seen:
            continue
        seen.add(pair)
        rows.append({"group_id": group.pk, "patron_id": entry.patron_id, "role": role})
    bulk.insert_rows(GroupMember, rows)


def search_text(values: dict[str, Any]) -> str:
    """What ``User.save()`` keeps in ``search_text`` (bulk inserts do not call save)."""
    return fold(" ".join(str(values.get(f) or "") for f in User.SEARCHED_FIELDS))[:520]
