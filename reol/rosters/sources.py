"""From a file (or folder) and the librarian's choices to a ``Roster``: the one entry point the
page, the background job and the command line share."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from reol.core.calendar import current_school_year
from reol.core.models import School

from . import csvsource, oneroster
from .models import Format
from .reader import TableError, read_table
from .roster import STUDENT, Roster


@dataclass
class Choices:
    """What the librarian chose for one import."""

    format: str = ""  # "" = from the file: a zip or a folder is OneRoster, else CSV
    mapping: dict[str, str] = field(default_factory=dict)
    default_category: str = STUDENT
    school_year: str = ""
    org: str = ""
    card_from: str = ""

    @classmethod
    def from_options(cls, options: dict[str, object]) -> Choices:
        known = {k: v for k, v in options.items() if k in cls.__dataclass_fields__}
        return cls(**known)  # type: ignore[arg-type]

    def as_options(self) -> dict[str, object]:
        return dict(self.__dict__)


def detect_format(path: Path) -> str:
    if path.is_dir():
        return Format.ONEROSTER
    with path.open("rb") as stream:
        head = stream.read(4)
    return Format.ONEROSTER if head.startswith(b"PK\x03\x04") else Format.CSV


def load(path: Path, school: School, choices: Choices, *, filename: str = "") -> Roster:
    """The roster in the file, with every problem found in it (never raises for bad input)."""
    fmt = choices.format or detect_format(path)
    year = choices.school_year or current_school_year(school)
    name = filename or path.name
    if fmt == Format.ONEROSTER:
        try:
            files = oneroster.read_bundle(path)
        except oneroster.BundleError as error:
            roster = Roster(kind="oneroster")
            roster.error(name, 0, str(error))
            return roster
        return oneroster.roster_from_oneroster(
            files,
            school_year=year,
            org=choices.org,
            card_from=choices.card_from,
            hints=(school.code, school.name),
            year_chosen=bool(choices.school_year),
        )
    if path.is_dir():
        roster = Roster(kind="csv")
        roster.error(name, 0, _("A CSV roster is one file, not a folder."))
        return roster
    try:
        table = read_table(path.read_bytes(), name)
    except TableError as error:
        roster = Roster(kind="csv")
        roster.error(name, 0, str(error))
        return roster
    mapping = choices.mapping or csvsource.guess_mapping(table.header)
    roster = csvsource.roster_from_csv(
        table, mapping, school_year=year, default_category=choices.default_category
    )
    roster.facts["mapping"] = mapping
    return roster
