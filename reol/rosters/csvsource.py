"""A plain CSV roster (one row per person) with a column mapping chosen by the librarian.

The mapping says which column holds which of Reol's fields (``FIELDS``); it is saved per school
as a preset, and guessed from the column names (Danish, Norwegian and English) the first time.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reol.core.services import USERNAME_PATTERN
from reol.core.text import one_line

from .reader import Table, grade_of_group, header_key, parse_date, parse_grade, split_list
from .roster import (
    STUDENT,
    TEACHER,
    GroupSpec,
    Person,
    Roster,
    hold_back,
    is_email,
    reject_duplicates,
)

# Reol's fields a CSV column can fill, in the order the mapping page shows them.
FIELDS: dict[str, str | Promise] = {
    "source_id": gettext_lazy("Id in the school's system"),
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Full name (“Last, First” or “First Last”)"),
    "username": gettext_lazy("Username"),
    "card_barcode": gettext_lazy("Card barcode"),
    "email": gettext_lazy("E-mail"),
    "category": gettext_lazy("Category (student or teacher)"),
    "grade": gettext_lazy("Grade"),
    "groups": gettext_lazy("Class or group"),
    "guardian_emails": gettext_lazy("Guardians' e-mail addresses"),
    "guardian_language": gettext_lazy("Guardians' language (da, nb, en)"),
    "valid_until": gettext_lazy("Valid until"),
}
IDENTIFYING = ("source_id", "card_barcode", "username")

# Column names school systems use, compared without case, spaces, "-", "_" and ".".
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "source_id": (
        "sourceid",
        "sourcedid",
        "id",
        "elevid",
        "elevnummer",
        "elevnr",
        "personid",
        "studentid",
        "externalid",
        "uniid",
        "unilogin",
        "uni-login",
        "feideid",
        "elevid",
        "cprid",
    ),
    "first_name": ("firstname", "givenname", "fornavn", "fornavne", "first"),
    "last_name": ("lastname", "familyname", "surname", "efternavn", "etternavn", "last"),
    "full_name": ("name", "fullname", "navn", "fuldtnavn", "fulltnavn", "elevnavn"),
    "username": ("username", "brugernavn", "brukernavn", "login", "brugerid", "brukerid"),
    "card_barcode": (
        "cardbarcode",
        "barcode",
        "card",
        "cardnumber",
        "kortnummer",
        "lånerkort",
        "lånekort",
        "lånernummer",
        "stregkode",
        "strekkode",
        "kortnr",
    ),
    "email": ("email", "e-mail", "mail", "epost", "e-post", "emailaddress"),
    "category": ("category", "role", "kategori", "rolle", "type", "lånertype"),
    "grade": ("grade", "klassetrin", "klassetrinn", "trin", "trinn", "årgang", "grades"),
    "groups": ("class", "group", "groups", "klasse", "klasser", "gruppe", "grupper", "hold"),
    "guardian_emails": (
        "guardianemails",
        "guardianemail",
        "parentemail",
        "parentsemail",
        "forældreemail",
        "forældremail",
        "foresatteepost",
        "foresattemail",
        "forældre",
        "foresatte",
    ),
    "guardian_language": (
        "guardianlanguage",
        "parentlanguage",
        "forældresprog",
        "foresattespråk",
        "foresattesprak",
    ),
    "valid_until": (
        "validuntil",
        "expires",
        "expirydate",
        "gyldigtil",
        "udløb",
        "utløp",
        "slutdato",
    ),
}

# What a column of languages may say, by the language Reol writes in.
_LANGUAGES = {
    "da": {"da", "dansk", "danish", "da-dk", "dk"},
    "nb": {"nb", "no", "nn", "norsk", "bokmål", "bokmal", "norwegian", "nb-no", "nob"},
    "en": {"en", "engelsk", "english", "en-gb", "en-us"},
}

_CATEGORIES = {
    STUDENT: {"student", "elev", "pupil", "s", "e", "learner"},
    TEACHER: {"teacher", "lærer", "laerer", "t", "l", "pædagog", "faculty", "lærar"},
}


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Reol field → column, for the columns whose names say what they are."""
    keys = {header_key(h): h for h in reversed(header) if h}
    mapping: dict[str, str] = {}
    for name, synonyms in _SYNONYMS.items():
        for synonym in synonyms:
            column = keys.get(header_key(synonym))
            if column and column not in mapping.values():
                mapping[name] = column
                break
    if "first_name" in mapping or "last_name" in mapping:
        mapping.pop("full_name", None)
    return mapping


def mapping_problems(header: list[str], mapping: dict[str, str]) -> list[str]:
    """What is wrong with a mapping for this file, as sentences for the page and the CLI."""
    problems = []
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        problems.append(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    missing = [c for f, c in mapping.items() if c and c not in header]
    if missing:
        problems.append(
            _("The file has no column named %(columns)s. Its columns are: %(header)s.")
            % {
                "columns": ", ".join(f"“{c}”" for c in missing),
                "header": ", ".join(f"“{h}”" for h in header if h),
            }
        )
    if not any(mapping.get(f) for f in ("first_name", "last_name", "full_name")):
        problems.append(_("Choose the column with the first name, last name or full name."))
    if not any(mapping.get(f) for f in IDENTIFYING):
        problems.append(
            _(
                "Choose at least one of: id in the school's system, card barcode, username. "
                "Without one, a second import could not recognise anyone and would add "
                "everyone again."
            )
        )
    return problems


def _split_full_name(value: str) -> tuple[str, str]:
    if "," in value:
        last, first = value.split(",", 1)
        return first.strip(), last.strip()
    parts = value.split()
    if len(parts) < 2:
        return value.strip(), ""
    return " ".join(parts[:-1]), parts[-1]


def category_of(value: str) -> str | None:
    folded = value.strip().casefold()
    for category, words in _CATEGORIES.items():
        if folded in words:
            return category
    return None


FORMULA_STARTS = ("=", "+", "-", "@")

MAX_LENGTHS = {
    "source_id": 128,
    "first_name": 150,
    "last_name": 150,
    "username": 150,
    "card_barcode": 64,
    "email": 254,
}
GROUP_NAME_MAX = 64


def roster_from_csv(
    table: Table,
    mapping: dict[str, str],
    *,
    school_year: str,
    default_category: str = STUDENT,
) -> Roster:
    """The people of a CSV file; every bad row is a problem with its line and reason."""
    roster = Roster(kind="csv")
    name = table.name or "CSV"
    roster.facts.update(
        {"encoding": table.encoding, "delimiter": table.delimiter, "rows": len(table.rows)}
    )
    for line, text in table.warnings:
        roster.warn(name, line, text)
    for problem in mapping_problems(table.header, mapping):
        roster.error(name, 0, problem)
    if roster.fatal:
        return roster
    columns = {f: table.header.index(c) for f, c in mapping.items() if c}
    roster.provides = {f for f in columns if f != "full_name"}
    if "full_name" in columns:
        roster.provides |= {"first_name", "last_name"}
    roster.has_memberships = "groups" in columns
    if "groups" not in columns:
        roster.warn(name, 0, _("No class column: students will not be put in classes."))
    if "category" not in columns:
        roster.categories = {default_category}
    for row in table.rows:
        # every field Reol reads from a roster is one line (a quoted cell may hold breaks)
        cells = {f: one_line(row.cells[i]) for f, i in columns.items()}
        person = _person(roster, name, row.line, cells, school_year, default_category)
        if person is not None:
            roster.people.append(person)
    reject_duplicates(roster)
    return roster


def _person(
    roster: Roster,
    file: str,
    line: int,
    cells: dict[str, str],
    school_year: str,
    default_category: str,
) -> Person | None:
    errors: list[str] = []
    person = Person(file=file, line=line)
    _names_and_ids(roster, person, cells, errors)
    _category_and_dates(person, cells, default_category, errors)
    _contacts(roster, person, cells)
    _groups(roster, person, cells, school_year, errors)
    if errors:
        for reason in errors:
            roster.error(file, line, reason)
        hold_back(roster, person)
        return None
    return person


def _names_and_ids(
    roster: Roster, person: Person, cells: dict[str, str], errors: list[str]
) -> None:
    """The person's names, username, id and card: too long, missing, or not allowed."""
    file, line = person.file, person.line
    for key, most in MAX_LENGTHS.items():
        value = cells.get(key, "")
        if len(value) > most:
            errors.append(
                _("The %(field)s is longer than %(n)d characters.")
                % {"field": str(FIELDS[key]).lower(), "n": most}
            )
        else:
            setattr(person, key, value)
    if "full_name" in cells and not (person.first_name or person.last_name):
        person.first_name, person.last_name = _split_full_name(cells["full_name"])
        person.first_name, person.last_name = person.first_name[:150], person.last_name[:150]
    if not (person.first_name or person.last_name):
        errors.append(_("The row has no name."))
    for value in (person.first_name, person.last_name):
        if value[:1] in FORMULA_STARTS:
            # Kept as text (Reol's own CSV exports escape it), but worth a look: a spreadsheet
            # would run it.
            roster.warn(
                file,
                line,
                _("“%(name)s” looks like a spreadsheet formula.") % {"name": value},
            )
    if person.username and not USERNAME_PATTERN.fullmatch(person.username):
        errors.append(
            _(
                "The username “%(u)s” is not allowed: 1 to 150 letters, digits or . _ - @, "
                "without spaces."
            )
            % {"u": person.username}
        )
    if not (person.source_id or person.card_barcode or person.username):
        errors.append(
            _(
                "The row has no id, card barcode or username, so it could not be recognised "
                "next time."
            )
        )


def _category_and_dates(
    person: Person, cells: dict[str, str], default_category: str, errors: list[str]
) -> None:
    if cells.get("category"):
        category = category_of(cells["category"])
        if category is None:
            errors.append(
                _("“%(value)s” is not a category that can be imported: write student or teacher.")
                % {"value": cells["category"]}
            )
        else:
            person.category = category
    else:
        person.category = default_category
    if cells.get("grade"):
        try:
            person.grade = parse_grade(cells["grade"])
        except ValueError as error:
            errors.append(str(error))
    if cells.get("valid_until"):
        try:
            person.valid_until = parse_date(cells["valid_until"])
        except ValueError as error:
            errors.append(str(error))


def _contacts(roster: Roster, person: Person, cells: dict[str, str]) -> None:
    """E-mail addresses and the guardians' language: what is not one is left out, with a
    warning (never a rejected row)."""
    file, line = person.file, person.line
    if person.email and not is_email(person.email):
        roster.warn(
            file,
            line,
            _("“%(value)s” is not an e-mail address; it was left out.") % {"value": person.email},
        )
        person.email = ""
    if cells.get("guardian_language"):
        said = cells["guardian_language"].strip()
        code = next((c for c, words in _LANGUAGES.items() if said.casefold() in words), "")
        if code:
            person.guardian_language = code
        else:
            roster.warn(
                file,
                line,
                _("“%(value)s” is not a language Reol writes in (da, nb, en); it was left out.")
                % {"value": said[:40]},
            )
    if cells.get("guardian_emails"):
        for address in split_list(cells["guardian_emails"]):
            if is_email(address):
                person.guardian_emails.append(address)
            else:
                roster.warn(
                    file,
                    line,
                    _("“%(value)s” is not an e-mail address; it was left out.")
                    % {"value": address},
                )


def _groups(
    roster: Roster, person: Person, cells: dict[str, str], school_year: str, errors: list[str]
) -> None:
    """The person's classes, each made once per file whatever its case, and a student's grade
    from the first class when the row gives none."""
    file, line = person.file, person.line
    for group in split_list(cells.get("groups", "")):
        if len(group) > GROUP_NAME_MAX:
            errors.append(
                _("The class name “%(name)s” is longer than %(n)d characters.")
                % {"name": group[:20] + "…", "n": GROUP_NAME_MAX}
            )
            continue
        # "5.b" and "5.B" in one file are one class (the first spelling names it)
        key = roster.group_keys.setdefault(group.casefold(), f"csv:{school_year}:{group}")
        if key not in roster.groups:
            roster.groups[key] = GroupSpec(
                key=key,
                name=group,
                school_year=school_year,
                file=file,
                line=line,
                grade=grade_of_group(group),
            )
        role = "teacher" if person.category == TEACHER else "student"
        person.groups.append((key, role))
    if person.grade is None and person.category == STUDENT and person.groups:
        person.grade = roster.groups[person.groups[0][0]].grade
