"""Planning a roster import's groups and memberships: which groups are new, renamed or retired,
and who joins, changes role in or leaves each. Part of the plan (``importer``): reads only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from reol.patrons.models import Group, GroupMember

from .roster import WARNING, GroupSpec, Problem

if TYPE_CHECKING:
    from .importer import _Plan


def plan_groups(plan: _Plan) -> None:
    roster = plan.roster
    if not roster.groups:
        return
    groups = list(Group.objects.filter(school=plan.school))
    by_source = {g.source_id: g for g in groups if g.source_id}
    by_name = {(g.school_year, g.name.casefold()): g for g in groups}
    taken_by: dict[tuple[str, str], Group] = dict(by_name)
    titles: dict[tuple[str, str], int] = {}
    for spec in roster.groups.values():
        key = (spec.school_year, spec.name.casefold())
        titles[key] = titles.get(key, 0) + 1
    used: set[int] = set()
    for spec in roster.groups.values():
        name = spec.name
        if titles[(spec.school_year, name.casefold())] > 1:
            name = _qualified(spec)
        group = by_source.get(spec.key)
        if group is None:
            candidate = by_name.get((spec.school_year, name.casefold()))
            if (
                candidate is not None
                and candidate.pk not in used
                and (not candidate.source_id or candidate.source_id not in roster.groups)
            ):
                group = candidate
        holder = taken_by.get((spec.school_year, name.casefold()))
        if holder is not None and holder is not group:
            name = _qualified(spec)
            plan.report.problems.append(
                Problem(
                    spec.file,
                    spec.line,
                    _("Another group is called “%(name)s” in %(year)s; this one is “%(new)s”.")
                    % {"name": spec.name, "year": spec.school_year, "new": name},
                    WARNING,
                )
            )
        if group is None:
            group = Group(
                school=plan.school,
                school_year=spec.school_year,
                name=name,
                grade=spec.grade,
                source_id=spec.key,
                kind=Group.Kind.CLASS,
            )
            plan.new_groups.append(group)
        else:
            used.add(group.pk)
            _update(plan, group, spec, name)
        taken_by[(group.school_year, group.name.casefold())] = group
        plan.group_of[spec.key] = group
    if roster.complete and plan.deactivate_missing:
        _retire_missing(plan, groups, used)


def _update(plan: _Plan, group: Group, spec: GroupSpec, name: str) -> None:
    """An existing group takes the roster's name, year, id and grade, and is active again."""
    changed = []
    for attr, value in (
        ("name", name),
        ("school_year", spec.school_year),
        ("source_id", spec.key),
        ("active", True),
    ):
        if getattr(group, attr) != value:
            setattr(group, attr, value)
            changed.append(attr)
    if spec.grade is not None and group.grade != spec.grade:
        group.grade = spec.grade
        changed.append("grade")
    if changed:
        plan.changed_groups.append((group, changed))


def _retire_missing(plan: _Plan, groups: list[Group], used: set[int]) -> None:
    """A complete roster's groups of its school years that it no longer names (from the same
    kind of source: a CSV file retires only CSV groups) become inactive."""
    roster = plan.roster
    years = {s.school_year for s in roster.groups.values()}
    csv = roster.kind == "csv"
    for group in groups:
        if (
            group.active
            and group.source_id
            and group.pk not in used
            and group.school_year in years
            and group.source_id.startswith("csv:") == csv
        ):
            group.active = False
            plan.retired_groups.append(group)


def plan_members(plan: _Plan) -> None:
    roster = plan.roster
    if not roster.has_memberships:
        return
    managed = {g.pk for g in plan.group_of.values() if g.pk}
    years = {s.school_year for s in roster.groups.values()}
    patron_ids = {e.patron_id for e in plan.entries if e.patron_id}
    existing: dict[tuple[int, int], tuple[int, str]] = {}
    rows = GroupMember.objects.filter(group__school=plan.school).values_list(
        "id", "group_id", "patron_id", "role", "group__source_id", "group__school_year"
    )
    for pk, group_id, patron_id, role, source_id, year in rows:
        if patron_id in patron_ids:
            existing[(group_id, patron_id)] = (pk, role)
            if source_id and year in years:
                managed.add(group_id)
    wanted: set[tuple[int, int]] = set()
    for entry in plan.entries:
        if entry.staff and not entry.patron_id:
            continue  # not a patron here, and an import does not make them one
        for key, role in entry.person.groups:
            group = plan.group_of.get(key)
            if group is None:
                continue
            if group.pk and entry.patron_id:
                pair = (group.pk, entry.patron_id)
                if pair in wanted:
                    continue
                wanted.add(pair)
                found = existing.get(pair)
                if found is None:
                    plan.member_adds.append((entry, key, role))
                    plan.moved.add(entry.patron_id)
                elif found[1] != role:
                    plan.member_roles.append((found[0], role))
                    plan.moved.add(entry.patron_id)
            else:
                plan.member_adds.append((entry, key, role))
                plan.moved.add(entry.patron_id)
    for (group_id, patron_id), (pk, _role) in existing.items():
        if group_id in managed and (group_id, patron_id) not in wanted:
            plan.member_removals.append(pk)
            plan.moved.add(patron_id)


def _qualified(spec: GroupSpec) -> str:
    """A class title made unique by its code or id: "Matematik (7A-ma)"."""
    suffix = f" ({spec.code or spec.key})"
    return spec.name[: 64 - len(suffix)] + suffix if len(suffix) < 40 else spec.name[:64]
