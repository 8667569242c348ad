"""From a MARC21 record to the columns Reol lists, edits and searches.

The MARC record itself stays the truth; these columns are derived and can be rebuilt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pymarc
from django.utils.translation import gettext as _
from stdnum import ean
from stdnum import isbn as stdisbn

from .models import MaterialType
from .relators import relator_code

_TRAILING = re.compile(r"[\s/:;,.=]+$")
_YEAR = re.compile(r"(1[5-9]\d\d|20\d\d)")
_LIX = re.compile(r"\bLIX\s*:?\s*(\d{1,2})\b", re.IGNORECASE)
_AGE = re.compile(r"(\d{1,2})\s*[-–]\s*(\d{1,2})\s*(?:år|years|ar)", re.IGNORECASE)

# 008/22 target audience → (label, from age, to age)
AUDIENCE = {
    "a": ("preschool", 0, 5),
    "b": ("primary", 6, 8),
    "c": ("pre-adolescent", 9, 13),
    "d": ("adolescent", 14, 17),
    "j": ("juvenile", 0, 15),
    "e": ("adult", 18, None),
    "g": ("general", None, None),
}
CONTRIBUTOR_TAGS = ("100", "110", "111", "700", "710", "711")
SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651", "655")


@dataclass
class Extracted:
    columns: dict[str, Any]
    isbn13s: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _clean(text: str | None) -> str:
    stripped = (text or "").strip()
    # the regular expression only when there is ISBD punctuation to take off (most values
    # have none; an import cleans some twenty values a record)
    return _TRAILING.sub("", stripped) if stripped[-1:] in _PUNCTUATION else stripped


_PUNCTUATION = frozenset("/:;,.=")


# A name ending in an initial or an abbreviation keeps its full stop ("Rowling, J. K.",
# "Davis, Sammy, Jr."): there it is part of the name, not ISBD's punctuation before the next
# element.
ABBREVIATED_END = re.compile(
    r"(?:^|[\s.,-])(?:[^\W\d_]|jr|sr|dr|st|mr|mrs|ms|inc|ltd|co|bros)$", re.IGNORECASE
)


def _clean_name(text: str | None) -> str:
    """A name without the trailing punctuation, except the full stop of an initial."""
    cleaned = _clean(text)
    rest = (text or "").strip()[len(cleaned) :]
    if rest.lstrip().startswith(".") and ABBREVIATED_END.search(cleaned):
        return f"{cleaned}."
    return cleaned


def _first(record: pymarc.Record, tag: str, code: str) -> str:
    if isinstance(record, _ByTag):  # the fields of the tag straight from its dictionary
        for f in record.by_tag.get(tag, ()):
            for sub in f.subfields:
                if sub[0] == code:
                    return _clean(sub[1])
        return ""
    for f in record.get_fields(tag):
        values = f.get_subfields(code)
        if values:
            return _clean(values[0])
    return ""


def _control(record: pymarc.Record, tag: str) -> str:
    f = record.get(tag)
    return (f.data or "") if f is not None and f.is_control_field() else ""


def normalize_isbn(value: str) -> str | None:
    """The ISBN-13 of a typed or catalogued ISBN (hyphens, spaces, ISBN-10), or None if invalid."""
    candidate = re.split(r"[\s(]", value.strip(), maxsplit=1)[0] if value.strip() else ""
    if (
        len(candidate) == 13
        and candidate.isascii()
        and candidate.isdigit()
        and candidate[:3] in ("978", "979")
    ):
        # what stdnum would conclude, without its cleaning and checks: valid if the check
        # digit is right, and already the ISBN-13
        return candidate if ean.calc_check_digit(candidate[:12]) == candidate[12] else None
    try:
        return str(stdisbn.to_isbn13(stdisbn.validate(candidate)))
    except Exception:  # stdnum raises several ValidationError subclasses
        return _typed_isbn(value)


# An ISBN as typed or printed with spaces or a prefix: "ISBN 978 87 02 28429 4".
_TYPED_ISBN = re.compile(
    r"\s*(?:ISBN(?:-1[03])?:?\s*)?([0-9][0-9 -]{8,20}[0-9Xx])(?![0-9Xx])", re.IGNORECASE
)


def _typed_isbn(value: str) -> str | None:
    typed = _TYPED_ISBN.match(value)
    try:
        return str(stdisbn.to_isbn13(stdisbn.validate(typed.group(1)))) if typed else None
    except Exception:
        return None


def material_type(record: pymarc.Record) -> str:
    leader = str(record.leader)
    kind, level = leader[6:7], leader[7:8]
    f007 = _control(record, "007")
    if kind in ("a", "t"):
        if level in ("s", "b"):
            return MaterialType.PERIODICAL
        if f007.startswith("c") or _first(record, "338", "a").lower().startswith("online"):
            return MaterialType.EBOOK
        return MaterialType.BOOK
    return {
        "g": MaterialType.FILM,
        "j": MaterialType.MUSIC,
        "i": MaterialType.AUDIOBOOK,
        "e": MaterialType.MAP,
        "f": MaterialType.MAP,
        "m": MaterialType.ERESOURCE,
        "r": MaterialType.BOARD_GAME,
        "o": MaterialType.KIT,
        "p": MaterialType.KIT,
        "c": MaterialType.MUSIC,
        "d": MaterialType.MUSIC,
    }.get(kind, MaterialType.OTHER)


def _contributors(record: pymarc.Record) -> list[dict[str, str]]:
    people = []
    for tag in CONTRIBUTOR_TAGS:
        for f in record.get_fields(tag):
            # $a, with $b numeration and $c titles ("Jr.", "Queen of Denmark"); never $d dates
            name = _clean_name(" ".join(f.get_subfields("a", "b", "c")))
            if not name:
                continue
            terms = [_clean(r) for r in f.get_subfields("e") if _clean(r)]
            codes = [c for c in map(relator_code, f.get_subfields("4")) if c]
            if not codes and not terms and tag == "100":
                codes = ["aut"]  # the main entry's person is the author unless told otherwise
            # the code is shown as a term in the reader's language (relators.role_label)
            people.append({"name": name, "role": ", ".join(terms), "relator": ",".join(codes)})
    return people


def _subjects(record: pymarc.Record) -> list[str]:
    seen: dict[str, None] = {}
    for tag in SUBJECT_TAGS:
        for f in record.get_fields(tag):
            parts = [_clean(v) for v in f.get_subfields("a", "b", "x", "y", "z", "v") if _clean(v)]
            if parts:
                seen.setdefault(" -- ".join(parts), None)
    return list(seen)


def _languages(record: pymarc.Record) -> list[str]:
    found: dict[str, None] = {}
    f008 = _control(record, "008")
    if len(f008) >= 38 and f008[35:38].strip() and f008[35:38] not in ("   ", "|||", "und"):
        found[f008[35:38].lower()] = None
    for f in record.get_fields("041"):
        for code in f.get_subfields("a"):
            for i in range(0, len(code.strip()), 3):
                if len(code.strip()[i : i + 3]) == 3:
                    found.setdefault(code.strip()[i : i + 3].lower(), None)
    return list(found)


def _year(record: pymarc.Record) -> int | None:
    for tag in ("264", "260"):
        match = _YEAR.search(_first(record, tag, "c"))
        if match:
            return int(match.group(1))
    f008 = _control(record, "008")
    if len(f008) >= 11 and f008[7:11].isdigit():
        return int(f008[7:11])
    return None


def _audience(record: pymarc.Record) -> tuple[str, int | None, int | None]:
    note = " ".join(f.value() for f in record.get_fields("521"))
    ages = _AGE.search(note)
    if ages:
        low, high = sorted((int(ages.group(1)), int(ages.group(2))))
        return note[:64], low, high
    f008 = _control(record, "008")
    kind = str(record.leader)[6:7]
    if len(f008) >= 23 and kind in ("a", "t", "g", "i", "j", "m"):
        code = f008[22:23]
        if code in AUDIENCE:
            label, low_age, high_age = AUDIENCE[code]
            return label, low_age, high_age
    return (note[:64], None, None)


def _dk5(record: pymarc.Record) -> str:
    for f in record.get_fields("084"):
        if "dk5" in " ".join(f.get_subfields("2")).lower():
            return _clean(" ".join(f.get_subfields("a")))
    return _first(record, "652", "m") or _first(record, "652", "o")


def _main_entry_word(record: pymarc.Record, title: str) -> str:
    name = _first(record, "100", "a") or _first(record, "110", "a") or title
    word = name.split(",")[0].split()[0] if name.split() else ""
    return word[:4].capitalize() if "," in name or not name.isupper() else word[:4]


def shelf_mark(record: pymarc.Record, dk5: str, ddc: str, title: str) -> str:
    """A Danish-style shelf mark: the classification, then the main entry's first letters."""
    explicit = _first(record, "852", "h") or _first(record, "090", "a")
    if explicit:
        return explicit[:100]
    classification = dk5 or (ddc.split("/")[0] if ddc else "")
    return f"{classification} {_main_entry_word(record, title)}".strip()[:100]


_NONE: list[pymarc.Field] = []


class _ByTag(pymarc.Record):
    """A read-only view of a record whose fields are looked up by tag in a dictionary.

    ``extract`` asks for some forty tags; pymarc scans every field for each. The view answers
    ``get_fields``, ``get`` and ``leader`` exactly as the record would.
    """

    def __init__(self, record: pymarc.Record) -> None:  # no super().__init__: nothing to parse
        self.leader, self.fields = record.leader, record.fields
        self.by_tag: dict[str, list[pymarc.Field]] = {}
        for f in record.fields:
            self.by_tag.setdefault(f.tag, []).append(f)

    def get_fields(self, *args: Any) -> list[pymarc.Field]:
        if len(args) == 1 and isinstance(args[0], str):  # the list itself: extract only reads
            return self.by_tag.get(args[0], _NONE)
        return super().get_fields(*args)

    def get(self, tag: str, default: pymarc.Field | None = None) -> pymarc.Field | None:
        found = self.by_tag.get(tag)
        return found[0] if found else default


def extract(record: pymarc.Record) -> Extracted:
    record = _ByTag(record)
    warnings: list[str] = []
    title = _first(record, "245", "a") or _first(record, "240", "a") or _first(record, "130", "a")
    if not title:
        warnings.append(_("no title (245 $a); the record is listed as “[no title]”"))
        title = "[no title]"
    isbn13s: list[str] = []
    for f in record.get_fields("020"):
        for raw in f.get_subfields("a"):
            normal = normalize_isbn(raw)
            if normal is None:
                warnings.append(
                    _("ISBN “%(isbn)s” is not valid (check digit or length); kept in MARC only")
                    % {"isbn": raw.strip()}
                )
            elif normal not in isbn13s:
                isbn13s.append(normal)
    ddc = _first(record, "082", "a")
    dk5 = _dk5(record)
    audience, age_min, age_max = _audience(record)
    lix_text = " ".join(f.value() for f in record.get_fields("042", "521", "526"))
    lix = _LIX.search(lix_text)
    url = _first(record, "856", "u")
    columns = {
        "control_number": _control(record, "001").strip()[:64],
        "control_source": _control(record, "003").strip()[:64],
        "title": title[:500],
        "subtitle": _first(record, "245", "b")[:500],
        "responsibility": _first(record, "245", "c")[:500],
        "contributors": _contributors(record),
        "publisher": (_first(record, "264", "b") or _first(record, "260", "b"))[:255],
        "year": _year(record),
        "edition": _first(record, "250", "a")[:255],
        "languages": _languages(record),
        "material_type": material_type(record),
        "audience": audience[:64],
        "age_min": age_min,
        "age_max": age_max,
        "reading_level": int(lix.group(1)) if lix else None,
        "subjects": _subjects(record),
        "ddc": ddc[:64],
        "dk5": dk5[:64],
        "shelf_mark": shelf_mark(record, dk5, ddc, title),
        "summary": " ".join(
            _clean(v) for f in record.get_fields("520") for v in f.get_subfields("a")
        ),
        "series": (_first(record, "490", "a") or _first(record, "830", "a"))[:500],
        "url": url[:500] if url.startswith(("http://", "https://")) else "",
    }
    # The title as it sorts: without what 245's second indicator says not to sort on ("The ";
    # danMARC2's "Den ¤sammenhængende by" arrives as indicator 4).
    columns["sort_title"] = _sort_title(record, title[:500])
    return Extracted(columns=columns, isbn13s=isbn13s, warnings=warnings)


def _sort_title(record: pymarc.Record, title: str) -> str:
    """The title without the nonfiling characters 245's second indicator counts."""
    f245 = record.get("245")
    if f245 is None or f245.is_control_field() or _clean(f245.get("a")) != title:
        return title
    skip = int(f245.indicator2) if (f245.indicator2 or "").isdigit() else 0
    # Only an article and its space or apostrophe ("The ", "L'"): an indicator left over from
    # before the title was edited must not cut a word.
    if 0 < skip < len(title) and not title[skip - 1].isalnum():
        return title[skip:].lstrip()
    return title
