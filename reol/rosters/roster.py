"""A roster as the importer sees it, whatever file it came from.

The CSV reader (``csvsource``) and the OneRoster reader (``oneroster``) each turn their files into
a ``Roster``: the people (students and teachers) with the line each came from, the groups, who is
in which group, and every problem found on the way. The importer (``importer``) matches a roster
against the database and writes it; it never looks at a file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ERROR = "error"
WARNING = "warning"

STUDENT = "student"
TEACHER = "teacher"


@dataclass
class Problem:
    file: str
    line: int  # 0: the file as a whole
    reason: str
    level: str = ERROR

    def __str__(self) -> str:
        if self.line:
            return _("%(file)s, line %(line)d: %(reason)s") % {
                "file": self.file,
                "line": self.line,
                "reason": self.reason,
            }
        return f"{self.file}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "reason": self.reason, "level": self.level}


@dataclass
class Person:
    file: str
    line: int
    source_id: str = ""
    category: str = STUDENT
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    card_barcode: str = ""
    email: str = ""
    grade: int | None = None
    guardian_emails: list[str] = field(default_factory=list)
    guardian_language: str = ""  # da, nb, en: the guardians' mails are written in it
    valid_until: dt.date | None = None
    # (group key, role in the group: "student" or "teacher")
    groups: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.username


@dataclass
class GroupSpec:
    key: str  # the group's source id in Reol (a OneRoster sourcedId, or "csv:<year>:<name>")
    name: str
    school_year: str
    file: str = ""
    line: int = 0
    grade: int | None = None
    code: str = ""  # a second name to tell two groups of one title apart (OneRoster classCode)


@dataclass
class Roster:
    kind: str  # "csv" or "oneroster"
    people: list[Person] = field(default_factory=list)
    groups: dict[str, GroupSpec] = field(default_factory=dict)
    group_keys: dict[str, str] = field(default_factory=dict)  # folded name → key (CSV)
    problems: list[Problem] = field(default_factory=list)
    # Which person fields the source gives (so that a missing column never erases a value).
    provides: set[str] = field(default_factory=set)
    # The whole school is in the roster, so patrons from an earlier roster who are not in it have
    # left; False for a partial ("delta") roster.
    complete: bool = True
    # The roster says who is in which group (so people who moved leave their old group).
    has_memberships: bool = False
    # Source ids the roster marks as gone (OneRoster status "tobedeleted").
    leaving: set[str] = field(default_factory=set)
    # Identifiers of rows that were rejected: never deactivated as "absent" because of that.
    held_back: set[str] = field(default_factory=set)
    categories: set[str] = field(default_factory=lambda: {STUDENT, TEACHER})
    facts: dict[str, Any] = field(default_factory=dict)  # what the reader found, for the report

    def error(self, file: str, line: int, reason: str) -> None:
        self.problems.append(Problem(file, line, reason, ERROR))

    def warn(self, file: str, line: int, reason: str) -> None:
        self.problems.append(Problem(file, line, reason, WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == ERROR]

    @property
    def fatal(self) -> bool:
        """A problem with a whole file (line 0): nothing can be imported."""
        return any(p.level == ERROR and p.line == 0 for p in self.problems)


def is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


_KEY_LABELS = {
    "source_id": gettext_lazy("id"),
    "card_barcode": gettext_lazy("card barcode"),
    "username": gettext_lazy("username"),
}


def hold_back(roster: Roster, person: Person) -> None:
    """A rejected person is not "absent": never deactivated because their row was bad."""
    for value in (person.source_id, person.card_barcode, person.username):
        if value:
            roster.held_back.add(value.casefold())


def reject_duplicates(
    roster: Roster, keys: tuple[str, ...] = ("source_id", "card_barcode", "username")
) -> None:
    """Two rows with one id, card or username: which is right is unknown, so neither goes in."""
    by_key: dict[tuple[str, str], list[Person]] = {}
    for key in keys:
        first: dict[str, Person] = {}
        for person in roster.people:
            value = getattr(person, key)
            if not value:
                continue
            folded = value.casefold()
            earlier = first.setdefault(folded, person)
            if earlier is not person:
                by_key.setdefault((key, folded), [earlier]).append(person)
    rejected: dict[int, Person] = {}
    for (key, _value), people in by_key.items():
        if len(people) < 2:
            continue
        lines = ", ".join(str(p.line) for p in people)
        for person in people:
            roster.error(
                person.file,
                person.line,
                _("The %(what)s “%(value)s” is on more than one row (lines %(lines)s).")
                % {"what": _KEY_LABELS[key], "value": getattr(person, key), "lines": lines},
            )
            rejected[id(person)] = person
    if rejected:
        roster.people = [p for p in roster.people if id(p) not in rejected]
        for person in rejected.values():
            hold_back(roster, person)
