"""A OneRoster bundle's tables read row by row: the tolerant cell reader, then the people (with
their roles, grades and guardians) and the classes with their enrollments, as ``roster``
records. ``oneroster.roster_from_oneroster`` puts them together for the chosen school.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from reol.core import calendar
from reol.core.services import USERNAME_PATTERN
from reol.core.text import one_line

from .reader import Row, Table, TableError, read_table
from .roster import (
    STUDENT,
    TEACHER,
    GroupSpec,
    Person,
    Roster,
    is_email,
)

SUMMER_SLACK = dt.timedelta(days=45)  # a session's summer edge, moved into its school year
GUARDIAN_ROLES = {"parent", "guardian"}
PERSON_ROLES = {"student": STUDENT, "teacher": TEACHER}


def _cell(table: Table, row: list[str], *names: str) -> str:
    """The first non-empty of the named columns of a row ("" when none has a value)."""
    cache: dict[tuple[str, ...], list[int]] = table.__dict__.setdefault("_indexes", {})
    indexes = cache.get(names)
    if indexes is None:
        found = (table.column(name) for name in names)
        indexes = cache[names] = [i for i in found if i is not None]
    for index in indexes:
        if index < len(row):
            value = one_line(row[index])  # every value Reol reads from a bundle is one line
            if value:
                return value
    return ""


def _has(table: Table, *names: str) -> bool:
    return any(table.column(n) is not None for n in names)


class _Reader:
    def __init__(self, files: dict[str, tuple[str, bytes]], roster: Roster) -> None:
        self.files, self.roster = files, roster

    def table(self, key: str, required: Iterable[str] = ()) -> Table | None:
        """The file as a table; None (and a problem) when it is missing, empty or unreadable."""
        if key not in self.files:
            return None
        name, data = self.files[key]
        if not data.strip():
            self.roster.warn(name, 0, _("The file is empty."))
            return None
        try:
            table = read_table(data, name)
        except TableError as error:
            self.roster.error(name, 0, str(error))
            return None
        for line, text in table.warnings:
            self.roster.warn(name, line, text)
        missing = [c for c in required if table.column(c) is None]
        if missing:
            self.roster.error(
                name,
                0,
                _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )
            return None
        return table


def _year_of(start: str, end: str, school_year_column: str) -> str:
    """The school year ("2021/22") of a session from its dates, else its schoolYear column."""
    try:
        # a session that starts in the summer (OneRoster's 1 July) belongs to the year it opens
        day = dt.date.fromisoformat(start[:10])
        return calendar.year_name_of(day + SUMMER_SLACK)
    except ValueError:
        pass
    try:
        day = dt.date.fromisoformat(end[:10])
        return calendar.year_name_of(day - SUMMER_SLACK)
    except ValueError:
        pass
    if school_year_column.isdigit():  # OneRoster: the year the school year ends
        return calendar.year_name_starting(int(school_year_column) - 1)
    return ""


def _sessions(reader: _Reader, default: str) -> dict[str, str]:
    """Session id → school year ("2026/27"), terms taking their school year's."""
    table = reader.table("academicsessions", ["sourcedId"])
    if table is None:
        return {}
    own: dict[str, str] = {}
    parents: dict[str, str] = {}
    for row in table.rows:
        sid = _cell(table, row.cells, "sourcedId")
        start = _cell(table, row.cells, "startDate")
        end = _cell(table, row.cells, "endDate")
        year = _year_of(start, end, _cell(table, row.cells, "schoolYear"))
        own[sid] = year
        parents[sid] = _cell(table, row.cells, "parentSourcedId")
    result = {}
    for sid, year in own.items():
        parent, seen = parents.get(sid, ""), {sid}
        while parent and parent in own and parent not in seen:  # the school year above a term
            year = own[parent] or year
            seen.add(parent)
            parent = parents.get(parent, "")
        result[sid] = year or default
    return result


def _roles(reader: _Reader, users: Table) -> dict[str, list[tuple[str, str, str]]]:
    """User id → [(role, org, grade)], from users.csv (1.1) or roles.csv (1.2, SDS)."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    table = reader.table("roles", ["userSourcedId", "role"])
    if table is not None:
        for row in table.rows:
            if _cell(table, row.cells, "status").lower() == "tobedeleted":
                continue
            found[_cell(table, row.cells, "userSourcedId")].append(
                (
                    _cell(table, row.cells, "role").lower(),
                    _cell(table, row.cells, "orgSourcedId"),
                    _cell(table, row.cells, "grade", "grades"),
                )
            )
    return found


def _grade(value: str) -> int | None:
    """A OneRoster grade (CEDS: "KG", "01" … "13") as Reol's 0–13; None for the rest."""
    first = value.split(",")[0].strip().upper()
    if first in ("KG", "TK"):
        return 0
    if first.isdigit() and int(first) <= 13:
        return int(first)
    return None


def _hold_back_duplicate(
    roster: Roster, name: str, line: int, first: int, sid: str, people: dict[str, Person | None]
) -> None:
    """A sourcedId on two lines: both rows are reported and neither is imported."""
    roster.error(
        name,
        line,
        _("The sourcedId “%(id)s” is also on line %(line)d; neither row is imported.")
        % {"id": sid, "line": first},
    )
    if people.get(sid) is not None:
        roster.error(
            name,
            first,
            _("The sourcedId “%(id)s” is also on line %(line)d; neither row is imported.")
            % {"id": sid, "line": line},
        )
    people[sid] = None
    roster.held_back.add(sid.casefold())


def _person_of(
    users: Table,
    line: int,
    cells: list[str],
    sid: str,
    category: str,
    here: list[tuple[str, str, str]],
    card_from: str,
) -> Person:
    """The Person of one users.csv row (not yet checked)."""
    person = Person(file=users.name, line=line, source_id=sid, category=category)
    person.first_name = _cell(users, cells, "preferredGivenName", "givenName")
    person.last_name = _cell(users, cells, "preferredFamilyName", "familyName")
    person.username = _cell(users, cells, "username")
    person.email = _cell(users, cells, "email")
    grade_text = _cell(users, cells, "grades", "grade") or next((r[2] for r in here if r[2]), "")
    person.grade = _grade(grade_text) if category == STUDENT else None
    if card_from:
        person.card_barcode = _cell(users, cells, card_from)
    return person


def _people(
    roster: Roster,
    users: Table,
    roles: dict[str, list[tuple[str, str, str]]],
    ours: set[str] | None,
    card_from: str,
) -> dict[str, Person | None]:
    """Source id → Person for the school's students and teachers; None for a rejected row."""
    name = users.name
    roster.provides = {"source_id", "first_name", "last_name", "username", "email", "grade"}
    if card_from:
        roster.provides.add("card_barcode")
    people: dict[str, Person | None] = {}
    first_line: dict[str, int] = {}
    skipped: dict[str, int] = defaultdict(int)
    has_role_column = _has(users, "role")
    for row in users.rows:
        cells = row.cells
        sid = _cell(users, cells, "sourcedId")
        if not sid:
            roster.error(name, row.line, _("The row has no sourcedId."))
            continue
        if sid in first_line:
            _hold_back_duplicate(roster, name, row.line, first_line[sid], sid, people)
            continue
        first_line[sid] = row.line
        if has_role_column:
            orgs = [o.strip() for o in _cell(users, cells, "orgSourcedIds").split(",")]
            user_roles = [(_cell(users, cells, "role").lower(), o, "") for o in orgs]
        else:
            user_roles = roles.get(sid, [])
        primary = _cell(users, cells, "primaryOrgSourcedId")
        here = [
            r for r in user_roles if ours is None or r[1] in ours or (not r[1] and primary in ours)
        ]
        category = next((PERSON_ROLES[r[0]] for r in here if r[0] in PERSON_ROLES), None)
        if _cell(users, cells, "status").lower() == "tobedeleted":
            if here:
                roster.leaving.add(sid)
            continue
        if category is None:
            # Of another school only when a role says so: a guardian has no role of a school
            # (Microsoft SDS lists them in users.csv with none in roles.csv), nor a parent's.
            elsewhere = not here and any(r[0] not in GUARDIAN_ROLES for r in user_roles)
            skipped["other_school" if elsewhere else "other_role"] += 1
            continue
        person = _person_of(users, row.line, cells, sid, category, here, card_from)
        problems = _check_person(person)
        if problems:
            for reason in problems:
                roster.error(name, row.line, reason)
            people[sid] = None
            roster.held_back.add(sid.casefold())
            continue
        people[sid] = person
    roster.facts["skipped_other_roles"] = skipped["other_role"]
    roster.facts["skipped_other_schools"] = skipped["other_school"]
    return people


def _check_person(person: Person) -> list[str]:
    problems = []
    if not (person.first_name or person.last_name):
        problems.append(_("The user has neither givenName nor familyName."))
    for attr, most in (("first_name", 150), ("last_name", 150), ("source_id", 128)):
        if len(getattr(person, attr)) > most:
            problems.append(_("A value is longer than %(n)d characters.") % {"n": most})
    if len(person.card_barcode) > 64:
        problems.append(_("The card barcode is longer than 64 characters."))
    if person.username and not USERNAME_PATTERN.fullmatch(person.username):
        problems.append(
            _(
                "The username “%(u)s” is not allowed: 1 to 150 letters, digits or . _ - @, "
                "without spaces."
            )
            % {"u": person.username}
        )
    if person.email and not is_email(person.email):
        person.email = ""  # a phone number or a name in the e-mail column: left out
    return problems


def _guardians(
    reader: _Reader, roster: Roster, users: Table, people: dict[str, Person | None]
) -> None:
    """Students' guardians' e-mail addresses, from agentSourcedIds or relationships.csv."""
    emails: dict[str, str] = {}
    agents: dict[str, list[str]] = defaultdict(list)
    has_agents = _has(users, "agentSourcedIds", "agents")
    for row in users.rows:
        sid = _cell(users, row.cells, "sourcedId")
        email = _cell(users, row.cells, "email")
        if email and is_email(email):
            emails[sid] = email
        if has_agents:
            agents[sid] = [
                a.strip()
                for a in _cell(users, row.cells, "agentSourcedIds", "agents").split(",")
                if a.strip()
            ]
    table = reader.table("relationships", ["userSourcedId", "relationshipUserSourcedId"])
    if table is not None:
        has_agents = True
        for row in table.rows:
            role = _cell(table, row.cells, "relationshipRole").lower()
            if role in GUARDIAN_ROLES:
                agents[_cell(table, row.cells, "userSourcedId")].append(
                    _cell(table, row.cells, "relationshipUserSourcedId")
                )
    if not has_agents:
        return
    roster.provides.add("guardian_emails")
    for sid, person in people.items():
        if person is not None and person.category == STUDENT:
            found = (emails[a] for a in agents.get(sid, []) if a in emails)
            person.guardian_emails = list(dict.fromkeys(found))


@dataclass
class _ClassFile:
    """classes.csv as it is read: what decides which classes are ours and their year, and what
    the rows so far have shown."""

    ours: set[str] | None  # the chosen schools' ids (None: every school)
    sessions: dict[str, str]  # term id → school year
    default_year: str  # for a class whose terms are not in academicSessions.csv
    known: set[str] = field(default_factory=set)  # every class id in the file (ours or not)
    mine: dict[str, GroupSpec] = field(default_factory=dict)
    first_line: dict[str, int] = field(default_factory=dict)
    unknown_terms: set[str] = field(default_factory=set)


def _first_time(roster: Roster, table: Table, row: Row, sid: str, found: _ClassFile) -> bool:
    """Whether the class id is new; a repeated one rejects both rows (each names the other)."""
    if sid not in found.first_line:
        found.first_line[sid] = row.line
        found.known.add(sid)
        return True
    first = found.first_line[sid]
    for line, other in ((row.line, first), (first, row.line)):
        roster.error(
            table.name,
            line,
            _("The class id “%(id)s” is also on line %(line)d; neither row is imported.")
            % {"id": sid, "line": other},
        )
    found.mine.pop(sid, None)
    return False


def _class_year(table: Table, cells: list[str], found: _ClassFile) -> str:
    """The school year of the class's first known term (the default year when none is known)."""
    terms = [
        t.strip()
        for t in _cell(table, cells, "termSourcedIds", "sessionSourcedIds").split(",")
        if t.strip()
    ]
    year = next((found.sessions[t] for t in terms if t in found.sessions), "")
    if not year:
        found.unknown_terms.update(t for t in terms if t not in found.sessions)
        year = found.default_year
    return year


def _read_class(roster: Roster, table: Table, row: Row, found: _ClassFile) -> None:
    """One row of classes.csv: a group of ours into ``found.mine``, or an error, or skipped."""
    cells = row.cells
    sid = _cell(table, cells, "sourcedId")
    if not sid:
        roster.error(table.name, row.line, _("The row has no sourcedId."))
        return
    if not _first_time(roster, table, row, sid, found):
        return
    school = _cell(table, cells, "schoolSourcedId", "orgSourcedId")
    if found.ours is not None and school not in found.ours:
        return
    if _cell(table, cells, "status").lower() == "tobedeleted":
        return
    title = _cell(table, cells, "title")
    year = _class_year(table, cells, found)
    if not title:
        roster.error(table.name, row.line, _("The class has no title."))
        return
    found.mine[sid] = GroupSpec(
        key=sid,
        name=title[:64],
        school_year=year,
        file=table.name,
        line=row.line,
        grade=_grade(_cell(table, cells, "grades", "grade")),
        code=_cell(table, cells, "classCode"),
    )


def _classes_and_enrollments(
    reader: _Reader,
    roster: Roster,
    people: dict[str, Person | None],
    every_user: set[str],
    ours: set[str] | None,
    sessions: dict[str, str],
    default_year: str,
) -> None:
    classes = reader.table("classes", ["sourcedId", "title"])
    if classes is None:
        return
    found = _ClassFile(ours, sessions, default_year)
    for row in classes.rows:
        _read_class(roster, classes, row, found)
    if found.unknown_terms:
        roster.warn(
            classes.name,
            0,
            _("Terms not in academicSessions.csv (%(terms)s): those classes are put in %(year)s.")
            % {"terms": ", ".join(sorted(found.unknown_terms)[:10]), "year": default_year},
        )
    roster.groups = found.mine
    enrollments = reader.table("enrollments", ["classSourcedId", "userSourcedId"])
    if enrollments is None:
        return
    roster.has_memberships = True
    _enrollments(roster, enrollments, people, every_user, found.known, found.mine)


def _enrollments(
    roster: Roster,
    table: Table,
    people: dict[str, Person | None],
    every_user: set[str],
    known: set[str],
    mine: dict[str, GroupSpec],
) -> None:
    name = table.name
    seen_ids: dict[str, int] = {}
    pairs: dict[tuple[str, str], int] = {}
    has_id = _has(table, "sourcedId")
    for row in table.rows:
        cells = row.cells
        if _cell(table, cells, "status").lower() == "tobedeleted":
            continue
        if has_id:
            eid = _cell(table, cells, "sourcedId")
            if eid and eid in seen_ids:
                roster.error(
                    name,
                    row.line,
                    _("The enrollment id “%(id)s” is also on line %(line)d.")
                    % {"id": eid, "line": seen_ids[eid]},
                )
                continue
            seen_ids[eid] = row.line
        class_id = _cell(table, cells, "classSourcedId")
        user_id = _cell(table, cells, "userSourcedId")
        if class_id not in known:
            roster.error(
                name,
                row.line,
                _("The class “%(id)s” is not in classes.csv.") % {"id": class_id},
            )
            continue
        if user_id not in every_user:
            if class_id in mine:
                roster.error(
                    name,
                    row.line,
                    _("The user “%(id)s” is not in users.csv.") % {"id": user_id},
                )
            continue
        group, person = mine.get(class_id), people.get(user_id)
        if group is None or person is None:
            continue  # another school's class, or a user not imported (or rejected)
        role = _cell(table, cells, "role").lower()
        member_role = TEACHER if role == TEACHER else STUDENT if role == STUDENT else ""
        if not member_role:
            continue  # an aide's or a guardian's enrollment
        if (class_id, user_id) in pairs:
            continue
        pairs[(class_id, user_id)] = row.line
        person.groups.append((class_id, member_role))
