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

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext as _

from reol.core.uploads import ArchiveLimits, UploadRefused, open_zip, read_member

from .oneroster_rows import (
    _cell,
    _classes_and_enrollments,
    _guardians,
    _people,
    _Reader,
    _roles,
    _sessions,
)
from .roster import (
    Roster,
    reject_duplicates,
)

FILES = ("manifest", "orgs", "users", "roles", "classes", "enrollments", "academicsessions")
EXTRA_FILES = ("relationships",)
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
    _read_manifest(reader, roster, files)
    found, ours = _our_orgs(roster, files, org, hints)
    if not found:
        return roster
    sessions = _class_sessions(reader, roster, school_year, year_chosen)
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


def _read_manifest(reader: _Reader, roster: Roster, files: dict[str, tuple[str, bytes]]) -> None:
    """The bundle's version, a warning for each file the manifest lists but the bundle lacks,
    and whether users.csv is whole (a delta is not: nobody missing is deactivated)."""
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


def _our_orgs(
    roster: Roster, files: dict[str, tuple[str, bytes]], org: str, hints: tuple[str, ...]
) -> tuple[bool, set[str] | None]:
    """(found, ours): the chosen org and the orgs under it (None: a bundle without orgs.csv,
    all of it ours); found is False, with the error on the roster, when none can be chosen."""
    orgs = orgs_of(files)
    if orgs:
        chosen, why = choose_org(orgs, org, hints=hints)
        if chosen is None:
            roster.error("orgs.csv", 0, why)
            roster.facts["orgs"] = [o.__dict__ for o in orgs]
            return False, None
        roster.facts["org"] = f"{chosen.name} ({chosen.source_id})"
        return True, _below(orgs, chosen.source_id)
    if org:
        message = _("The bundle has no orgs.csv to find “%(org)s” in.") % {"org": org}
        roster.error("orgs.csv", 0, message)
        return False, None
    return True, None


def _class_sessions(
    reader: _Reader, roster: Roster, school_year: str, year_chosen: bool
) -> dict[str, str]:
    """Session id → school year; every session in ``school_year`` when the librarian chose it
    (with a warning naming the years the bundle said instead)."""
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
    return sessions


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
