"""Helpers of the rosters tests: CSV bytes as school offices write them, OneRoster bundles."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from reol.core.permissions import SYSTEM
from reol.rosters.importer import Report, import_roster
from reol.rosters.sources import Choices, load

SHARED = Path(__file__).resolve().parents[4] / "shared" / "data" / "oneroster"


def csv_bytes(
    rows: list[list[str]],
    *,
    delimiter: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" if bom else b"") + data


def bundle(files: dict[str, list[list[str]]], *, folder: str = "") -> bytes:
    """A OneRoster zip of CSV files ({"users": [[header...], [row...]], ...})."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, rows in files.items():
            archive.writestr(f"{folder}{name}.csv", csv_bytes(rows, delimiter=","))
    return out.getvalue()


def run(
    school: Any,
    tmp_path: Path,
    data: bytes,
    *,
    name: str = "roster.csv",
    actor: Any = SYSTEM,
    dry_run: bool = False,
    good_rows: bool = False,
    deactivate_missing: bool = True,
    **choices: Any,
) -> Report:
    path = tmp_path / name
    path.write_bytes(data)
    roster = load(path, school, Choices(**choices))
    return import_roster(
        actor,
        school,
        roster,
        dry_run=dry_run,
        good_rows=good_rows,
        deactivate_missing=deactivate_missing,
    )


ONEROSTER_11 = {
    "manifest": [
        ["propertyName", "value"],
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.1"],
        ["file.orgs", "bulk"],
        ["file.users", "bulk"],
        ["file.classes", "bulk"],
        ["file.enrollments", "bulk"],
        ["file.academicSessions", "bulk"],
        ["file.courses", "bulk"],
    ],
    "orgs": [
        ["sourcedId", "status", "name", "type", "identifier", "parentSourcedId"],
        ["kommune", "active", "Solbjerg Kommune", "district", "", ""],
        ["nord-org", "active", "Nordskolen", "school", "280101", "kommune"],
        ["syd-org", "active", "Sydskolen", "school", "280102", "kommune"],
    ],
    "academicSessions": [
        [
            "sourcedId",
            "status",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
        ["sy", "active", "2026/27", "schoolYear", "2026-08-10", "2027-06-25", "", "2027"],
        ["t1", "active", "Efterår", "term", "2026-08-10", "2026-12-20", "sy", "2027"],
    ],
    "users": [
        [
            "sourcedId",
            "status",
            "enabledUser",
            "orgSourcedIds",
            "role",
            "username",
            "userIds",
            "givenName",
            "familyName",
            "middleName",
            "identifier",
            "email",
            "sms",
            "phone",
            "agentSourcedIds",
            "grades",
            "password",
        ],
        [
            "u1",
            "active",
            "true",
            "nord-org",
            "student",
            "anna.h",
            "",
            "Anna",
            "Hansen",
            "",
            "C-1001",
            "",
            "",
            "",
            "p1",
            "05",
            "",
        ],
        [
            "u2",
            "active",
            "true",
            "nord-org",
            "student",
            "bo.ø",
            "",
            "Bo",
            "Ørsted",
            "",
            "C-1002",
            "",
            "",
            "",
            "",
            "05",
            "",
        ],
        [
            "u3",
            "active",
            "true",
            "nord-org",
            "teacher",
            "lis.l",
            "",
            "Lis",
            "Lærer",
            "",
            "C-2001",
            "lis@skole.dk",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "u4",
            "active",
            "true",
            "syd-org",
            "student",
            "syd.elev",
            "",
            "Syd",
            "Elev",
            "",
            "C-3001",
            "",
            "",
            "",
            "",
            "04",
            "",
        ],
        [
            "p1",
            "active",
            "true",
            "nord-org",
            "parent",
            "mor.h",
            "",
            "Mor",
            "Hansen",
            "",
            "",
            "mor@hjem.dk",
            "",
            "",
            "",
            "",
            "",
        ],
    ],
    "classes": [
        [
            "sourcedId",
            "status",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
        ],
        ["c5b", "active", "5.B", "05", "", "5B", "homeroom", "", "nord-org", "t1", ""],
        ["c5b-ma", "active", "Matematik", "05", "", "5B-ma", "scheduled", "", "nord-org", "t1", ""],
        ["c5a-ma", "active", "Matematik", "05", "", "5A-ma", "scheduled", "", "nord-org", "t1", ""],
        ["c4s", "active", "4.S", "04", "", "4S", "homeroom", "", "syd-org", "t1", ""],
    ],
    "enrollments": [
        ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary"],
        ["e1", "c5b", "nord-org", "u1", "student", ""],
        ["e2", "c5b", "nord-org", "u2", "student", ""],
        ["e3", "c5b", "nord-org", "u3", "teacher", "true"],
        ["e4", "c5b-ma", "nord-org", "u1", "student", ""],
        ["e5", "c5b-ma", "nord-org", "u3", "teacher", ""],
        ["e6", "c4s", "syd-org", "u4", "student", ""],
    ],
}


def oneroster_11(**changes: list[list[str]]) -> bytes:
    return bundle({**ONEROSTER_11, **changes})
