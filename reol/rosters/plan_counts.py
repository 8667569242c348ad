"""Counting a roster import's plan for the report, and previewing up to ``PREVIEW_MAX`` of its
changes, field by field, for the librarian to read before the real run. Reads only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reol.core.models import User

if TYPE_CHECKING:
    from .importer import _Entry, _Plan

PREVIEW_MAX = 500


PATRON_COUNTS = (
    "patrons_created",
    "patrons_updated",
    "patrons_unchanged",
    "patrons_reactivated",
    "existing_people_linked",
)

# The counts of ``count_plan`` that are rows a run writes (the others are rows read, or people
# counted a second time): what decides whether the import refreshes the planner's statistics.
WRITTEN_COUNTS = frozenset(
    {"patrons_created", "patrons_updated", "patrons_reactivated", "patrons_deactivated"}
    | {"groups_created", "groups_updated", "groups_deactivated"}
    | {"members_added", "members_changed", "members_removed"}
)


def count_plan(plan: _Plan) -> None:
    c = plan.report.counts
    c["people"] = len(plan.entries)
    _count_people(plan)
    for key in PATRON_COUNTS:
        c.setdefault(key, 0)
    c["patrons_deactivated"] = len(plan.deactivations)
    _preview_deactivations(plan)
    c["groups_created"] = len(plan.new_groups)
    c["groups_updated"] = len(plan.changed_groups)
    c["groups_deactivated"] = len(plan.retired_groups)
    c["members_added"] = len(plan.member_adds)
    c["members_changed"] = len(plan.member_roles)
    c["members_removed"] = len(plan.member_removals)
    for action, groups in (
        ("group_create", plan.new_groups),
        ("group_deactivate", plan.retired_groups),
    ):
        for group in groups[:PREVIEW_MAX]:
            name = f"{group.name} ({group.school_year})"
            plan.report.changes.append(_fileless_change(action, name, group.source_id))


def _count_people(plan: _Plan) -> None:
    """Count each person by what the run does to their patron, previewing every change."""
    report = plan.report
    for entry in plan.entries:
        if entry.new_patron:
            key = "patrons_created"
            if not entry.new_user:
                report.count("existing_people_linked")
        elif entry.reactivated:
            key = "patrons_reactivated"
        elif (
            entry.user_changes
            or entry.patron_changes
            or entry.needs_role
            or entry.patron_id in plan.moved
        ):
            key = "patrons_updated"
        else:
            key = "patrons_unchanged"
        report.count(key)
        if key != "patrons_unchanged":
            _preview(plan, key, entry)


def _preview_deactivations(plan: _Plan) -> None:
    """The first ``PREVIEW_MAX`` patrons the run deactivates, by name (one query)."""
    if not plan.deactivations:
        return
    shown = [p.user_id for p in plan.deactivations[:PREVIEW_MAX]]
    rows = User.objects.filter(pk__in=shown).values_list(
        "id", "first_name", "last_name", "username"
    )
    full = {pk: f"{first} {last}".strip() or name for pk, first, last, name in rows}
    for patron in plan.deactivations[:PREVIEW_MAX]:
        name = full.get(patron.user_id, "")
        plan.report.changes.append(_fileless_change("deactivate", name, patron.source_id))


def _fileless_change(action: str, name: str, source_id: str) -> dict[str, Any]:
    """A previewed change that no row of the file asks for (a deactivation, a group)."""
    return {
        "action": action,
        "name": name,
        "source_id": source_id,
        "file": "",
        "line": 0,
        "fields": [],
    }


def _preview(plan: _Plan, key: str, entry: _Entry) -> None:
    action = {
        "patrons_created": "create",
        "patrons_updated": "update",
        "patrons_reactivated": "reactivate",
    }[key]
    shown = plan.previewed.get(action, 0)
    if shown >= PREVIEW_MAX:
        return
    plan.previewed[action] = shown + 1
    person = entry.person
    fields = [f for f in entry.user_changes + entry.patron_changes if f != "search_text"]
    if entry.needs_role and not entry.new_user:
        fields.append("role")
    if entry.patron_id and entry.patron_id in plan.moved:
        fields.append("groups")
    plan.report.changes.append(
        {
            "action": action,
            "name": person.name,
            "source_id": person.source_id,
            "file": person.file,
            "line": person.line,
            "fields": fields,
        }
    )
