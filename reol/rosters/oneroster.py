"""OneRoster 1.1 and 1.2 CSV bundles (and Microsoft School Data Sync's close cousins).

A bundle is a zip or a folder of CSV files: ``manifest.csv``, ``orgs.csv``, ``users.csv``,
``classes.csv``, ``enrollments.csv``, ``academicSessions.csv`` (and in 1.2 ``roles.csv``, which
holds the users' roles at their orgs). What real bundles do that the specification does not
say: a manifest that names files which are empty or missing, header-only files without a line
break, roles written "Student", classes tied to their school by ``orgSourcedId`` instead of
``schoolSourcedId``, terms in ``sessionSourcedIds``, and class titles that are not unique.

Users with the role student or teacher at the chosen school (or an org below it) become
patrons; classes become groups of the school year their term belongs to; enrollments become
group members. Guardians (``agentSourcedIds``, or SDS's ``relationships.csv``) give the
students' guardian e-mail addresses.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from reol.core import calendar
from reol.core.services import USERNAME_PATTERN
from reol.core.text import one_line
from reol.core.uploads import ArchiveLimits, UploadRefused, open_zip, read_member

from .reader import Table, TableError, read_table
from .roster import (
    STUDENT,
    TEACHER,
    GroupSpec,
    Person,
    Roster,
    is_email,
    reject_duplicates,
)

SUMMER_SLACK = dt.timedelta(days=45)  # a session's summer edge, moved into its school year
FILES = ("manifest", "orgs", "users", "roles", "classes", "enrollments", "academicsessions")
EXTRA_FILES = ("relationships",)
GUARDIAN_ROLES = {"parent", "guardian"}
PERSON_ROLES = {"student": STUDENT, "teacher": TEACHER}
CARD_SOURCES = ("", "identifier", "username", "sourcedId")


class BundleError(ValueError):
    pass


@dataclass
class Org:
    source_id: str
    name: str
    type: str
    identifier: str
    parent: str


def read_bundle(source: Path | bytes) -> dict[str, tuple[str, bytes]]:
    """{"users": ("users.csv", b"..."), …} from a zip (path or bytes) or a folder."""
    if isinstance(source, Path) and source.is_dir():
        return _from_folder(source)
    data = source.read_bytes() if isinstance(source, Path) else source
    if not data.startswith(b"PK"):
        raise BundleError(_("A OneRoster bundle is a zip file or a folder with users.csv in it."))
    try:
        # checked before a byte is unpacked, and every member read with a hard cap
        with open_zip(io.BytesIO(data)) as archive:
            return _from_zip(archive)
    except UploadRefused as error:
        raise BundleError(str(error)) from None


def _wanted(name: str) -> str | None:
    stem = PurePosixPath(name).name.lower()
    if not stem.endswith(".csv"):
        return None
    stem = stem[: -len(".csv")]
    return stem if stem in FILES or stem in EXTRA_FILES else None


def _from_folder(folder: Path) -> dict[str, tuple[str, bytes]]:
    candidates = [folder, *sorted(p for p in folder.iterdir() if p.is_dir())]
    for where in candidates:
        files = {_wanted(p.name): p for p in where.iterdir() if p.is_file() and _wanted(p.name)}
        if "users" in files:
            return {k: (p.name, p.read_bytes()) for k, p in files.items() if k}
    raise BundleError(_("The folder has no users.csv."))


def _from_zip(archive: zipfile.ZipFile) -> dict[str, tuple[str, bytes]]:
    entries = [i for i in archive.infolist() if not i.is_dir() and _wanted(i.filename)]
    users = sorted(
        (i for i in entries if _wanted(i.filename) == "users"),
        key=lambda i: i.filename.count("/"),
    )
    if not users:
        raise BundleError(_("The zip file has no users.csv."))
    folder = PurePosixPath(users[0].filename).parent
    chosen = [i for i in entries if PurePosixPath(i.filename).parent == folder]
    files: dict[str, tuple[str, bytes]] = {}
    left = ArchiveLimits.from_settings().unpacked  # for all members together, as they come out
    for info in chosen:
        key = _wanted(info.filename)
        if key:
            data = read_member(archive, info, cap=left)
            left -= len(data)
            files[key] = (PurePosixPath(info.filename).name, data)
    return files


# --- The bundle as a roster -------------------------------------------------------------------


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


def orgs_of(files: dict[str, tuple[str, bytes]]) -> list[Org]:
    """The orgs of a bundle (for the page's choice of school); [] when unreadable."""
    reader = _Reader(files, Roster(kind="oneroster"))
    table = reader.table("orgs", ["sourcedId"])
    if table is None:
        return []
    return [
        Org(
            source_id=_cell(table, r.cells, "sourcedId"),
            name=_cell(table, r.cells, "name"),
            type=_cell(table, r.cells, "type").lower(),
            identifier=_cell(table, r.cells, "identifier"),
            parent=_cell(table, r.cells, "parentSourcedId"),
        )
        for r in table.rows
        if _cell(table, r.cells, "sourcedId")
    ]


def _manifest(reader: _Reader) -> dict[str, str]:
    table = reader.table("manifest")
    if table is None:
        return {}
    return {
        _cell(table, r.cells, "propertyName").lower(): _cell(table, r.cells, "value").lower()
        for r in table.rows
    }


def choose_org(
    orgs: list[Org], wanted: str, *, hints: tuple[str, ...] = ()
) -> tuple[Org | None, str]:
    """The org the school is: the one named by ``wanted`` (sourcedId or identifier), else the
    only school in the bundle, else the one whose id, identifier or name is one of ``hints``
    (the Reol school's code and name), else the only org. The second value says why none was
    found."""
    if wanted:
        folded = wanted.strip().casefold()
        for org in orgs:
            if folded in (org.source_id.casefold(), org.identifier.casefold()):
                return org, ""
        return None, _("No org in orgs.csv has the id or identifier “%(org)s”.") % {"org": wanted}
    schools = [o for o in orgs if o.type == "school"]
    if len(schools) == 1:
        return schools[0], ""
    hinted = {h.casefold() for h in hints if h}
    named = [
        o
        for o in (schools or orgs)
        if hinted & {o.source_id.casefold(), o.identifier.casefold(), o.name.casefold()}
    ]
    if len(named) == 1:
        return named[0], ""
    if len(orgs) == 1:
        return orgs[0], ""
    names = ", ".join(f"{o.name} ({o.source_id})" for o in (schools or orgs)[:20])
    return None, _("The bundle has several schools: %(names)s. Choose which one this is.") % {
        "names": names
    }


def roster_from_oneroster(
    files: dict[str, tuple[str, bytes]],
    *,
    school_year: str,
    org: str = "",
    card_from: str = "",
    hints: tuple[str, ...] = (),
    year_chosen: bool = False,
) -> Roster:
    """``school_year`` is where classes go whose sessions name no year; when the librarian chose
    it (``year_chosen``: the page's choice, ``--school-year``), every class goes there."""
    roster = Roster(kind="oneroster")
    reader = _Reader(files, roster)
    manifest = _manifest(reader)
    version = manifest.get("oneroster.version", "")
    roster.facts["version"] = version  # "" = no manifest: the page says so in its language
    for key, value in manifest.items():
        if key.startswith("file.") and value in ("bulk", "delta"):
            stem = key[len("file.") :]
            if stem.lower() in FILES and stem.lower() not in files:
                roster.warn(
                    "manifest.csv",
                    0,
                    _("The manifest lists %(file)s.csv, but the bundle has no such file.")
                    % {"file": stem},
                )
    if manifest.get("file.users") == "delta":
        roster.complete = False
    orgs = orgs_of(files)
    chosen: Org | None = None
    if orgs:
        chosen, why = choose_org(orgs, org, hints=hints)
        if chosen is None:
            roster.error("orgs.csv", 0, why)
            roster.facts["orgs"] = [o.__dict__ for o in orgs]
            return roster
        roster.facts["org"] = f"{chosen.name} ({chosen.source_id})"
    elif org:
        message = _("The bundle has no orgs.csv to find “%(org)s” in.") % {"org": org}
        roster.error("orgs.csv", 0, message)
        return roster
    ours = _below(orgs, chosen.source_id) if chosen else None
    sessions = _sessions(reader, school_year)
    if year_chosen and sessions:
        other = sorted({y for y in sessions.values() if y and y != school_year})
        if other:
            roster.warn(
                "academicSessions.csv",
                0,
                _(
                    "The bundle's sessions are in %(years)s; the classes are put in %(year)s, "
                    "as chosen."
                )
                % {"years": ", ".join(other), "year": school_year},
            )
        sessions = dict.fromkeys(sessions, school_year)
    users = reader.table("users", ["sourcedId"])
    if users is None:
        if "users" not in files:
            roster.error("users.csv", 0, _("The bundle has no users.csv."))
        elif not roster.fatal:
            roster.error("users.csv", 0, _("users.csv has no users."))
        return roster
    roles = _roles(reader, users)
    people = _people(roster, users, roles, ours, card_from)
    _guardians(reader, roster, users, people)
    every_user = {_cell(users, r.cells, "sourcedId") for r in users.rows}
    _classes_and_enrollments(reader, roster, people, every_user, ours, sessions, school_year)
    roster.people = [p for p in people.values() if p is not None]
    reject_duplicates(roster, ("card_barcode", "username"))
    return roster


def _below(orgs: list[Org], top: str) -> set[str]:
    """The org and every org under it (a school's departments)."""
    children: dict[str, list[str]] = defaultdict(list)
    for org in orgs:
        children[org.parent].append(org.source_id)
    found, todo = {top}, [top]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


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
            roster.error(
                name,
                row.line,
                _("The sourcedId “%(id)s” is also on line %(line)d; neither row is imported.")
                % {"id": sid, "line": first_line[sid]},
            )
            if people.get(sid) is not None:
                roster.error(
                    name,
                    first_line[sid],
                    _("The sourcedId “%(id)s” is also on line %(line)d; neither row is imported.")
                    % {"id": sid, "line": row.line},
                )
            people[sid] = None
            roster.held_back.add(sid.casefold())
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
            skipped["other_role" if here else "other_school"] += 1
            continue
        person = Person(file=name, line=row.line, source_id=sid, category=category)
        person.first_name = _cell(users, cells, "preferredGivenName", "givenName")
        person.last_name = _cell(users, cells, "preferredFamilyName", "familyName")
        person.username = _cell(users, cells, "username")
        person.email = _cell(users, cells, "email")
        grade_text = _cell(users, cells, "grades", "grade") or next(
            (r[2] for r in here if r[2]), ""
        )
        person.grade = _grade(grade_text) if category == STUDENT else None
        if card_from:
            person.card_barcode = _cell(users, cells, card_from)
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
    name = classes.name
    known: set[str] = set()  # every class id in the file (ours or not)
    mine: dict[str, GroupSpec] = {}
    first_line: dict[str, int] = {}
    unknown_terms: set[str] = set()
    for row in classes.rows:
        cells = row.cells
        sid = _cell(classes, cells, "sourcedId")
        if not sid:
            roster.error(name, row.line, _("The row has no sourcedId."))
            continue
        if sid in first_line:
            for line, other in ((row.line, first_line[sid]), (first_line[sid], row.line)):
                roster.error(
                    name,
                    line,
                    _("The class id “%(id)s” is also on line %(line)d; neither row is imported.")
                    % {"id": sid, "line": other},
                )
            mine.pop(sid, None)
            continue
        first_line[sid] = row.line
        known.add(sid)
        school = _cell(classes, cells, "schoolSourcedId", "orgSourcedId")
        if ours is not None and school not in ours:
            continue
        if _cell(classes, cells, "status").lower() == "tobedeleted":
            continue
        title = _cell(classes, cells, "title")
        terms = [
            t.strip()
            for t in _cell(classes, cells, "termSourcedIds", "sessionSourcedIds").split(",")
            if t.strip()
        ]
        year = next((sessions[t] for t in terms if t in sessions), "")
        if not year:
            unknown_terms.update(t for t in terms if t not in sessions)
            year = default_year
        if not title:
            roster.error(name, row.line, _("The class has no title."))
            continue
        mine[sid] = GroupSpec(
            key=sid,
            name=title[:64],
            school_year=year,
            file=name,
            line=row.line,
            grade=_grade(_cell(classes, cells, "grades", "grade")),
            code=_cell(classes, cells, "classCode"),
        )
    if unknown_terms:
        roster.warn(
            name,
            0,
            _("Terms not in academicSessions.csv (%(terms)s): those classes are put in %(year)s.")
            % {"terms": ", ".join(sorted(unknown_terms)[:10]), "year": default_year},
        )
    roster.groups = mine
    enrollments = reader.table("enrollments", ["classSourcedId", "userSourcedId"])
    if enrollments is None:
        return
    roster.has_memberships = True
    _enrollments(roster, enrollments, people, every_user, known, mine)


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
