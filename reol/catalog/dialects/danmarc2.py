"""danMARC2 (DBC's format for Danish libraries) read as MARC21: see the package's docstring."""

from __future__ import annotations

from collections.abc import Callable

import pymarc
from django.utils.translation import gettext as _
from pymarc import Field, Leader

from ..relators import term_code
from .common import AGES, SUBFIELD, dates_of, line_form, make_field, nonfiling, plain

# 009 *a, the general material type → leader/06
_DK_KIND = {
    "a": "a",  # tekst
    "b": "t",  # manuskript
    "c": "c",  # musikalier
    "d": "d",  # musikmanuskript
    "e": "e",  # kartografisk materiale
    "f": "f",  # kartografisk manuskript
    "g": "k",  # billeder
    "m": "g",  # film
    "p": "a",  # punktskrift
    "r": "i",  # lydoptagelse (ikke musik): lydbog
    "s": "j",  # lydoptagelse (musik)
    "t": "m",  # elektronisk materiale
    "u": "r",  # genstand, spil
    "v": "o",  # sammensat materiale
}
# 009 *g, the specific type, when it says more than *a: → (leader/06 or "", 007)
_DK_SPECIFIC = {
    "xe": ("", "cr"),  # netdokument: an e-book, a net audiobook
    "th": ("g", "vd"),  # dvd
    "tk": ("g", "vd"),  # blu-ray
    "xc": ("", "sd"),  # cd
}
# 008 *t, the publication type → leader/07
_DK_LEVEL = {"m": "m", "s": "s", "p": "s", "a": "a", "h": "m", "b": "m"}
# 008 *j, literary form → 008/33 for books
_DK_FORM = {"f": "1", "d": "p", "m": "1", "j": "1", "e": "e"}


class _Danmarc2:
    """One danMARC2 record converted to MARC21 (fields in the order danMARC2 had them)."""

    def __init__(self, record: pymarc.Record) -> None:
        self.record = record
        self.control: dict[str, list[tuple[str, str]]] = {}
        self.out: list[Field] = []
        self.kept: list[Field] = []
        self.ages: list[int] = []
        self.warnings: list[str] = []
        self.has_main_entry = any(f.tag in ("100", "110") for f in record.fields)

    def convert(self) -> tuple[pymarc.Record, list[str]]:
        for f in self.record.fields:
            if f.control_field:
                self._control_field(f)
                continue
            handler = _DK_FIELDS.get(f.tag)
            if handler is None or not handler(self, f):
                self.keep(f)
        return self._assemble(), self.warnings

    def keep(self, f: Field) -> None:
        """A field (or part of one) with no MARC21 place: kept as catalogued, in 887."""
        self.kept.append(make_field("887", " ", " ", [("a", line_form(f, "*")), ("2", "danMARC2")]))

    def _control_field(self, f: Field) -> None:
        data = f.data or ""
        parts = data.split(SUBFIELD)
        subfields = [(p[0], p[1:]) for p in parts[1:] if p]
        if f.tag not in self.control and subfields:
            self.control[f.tag] = subfields
        if f.tag not in ("001", "008", "009") or not subfields:
            if data.strip():
                self.keep(f)
            if not subfields and data.strip():
                self.warnings.append(
                    _("danMARC2 field %(tag)s has no subfields; kept in 887 as it was")
                    % {"tag": f.tag}
                )
        elif any(code not in _DK_CONTROL_READ[f.tag] for code, _v in subfields):
            self.keep(f)

    # -- the record's frame: 001, 003, 005, 008, 007, leader -------------------------------

    def _assemble(self) -> pymarc.Record:
        record = pymarc.Record(to_unicode=True, force_utf8=True)
        f001 = dict(reversed(self.control.get("001", [])))
        number, agency = f001.get("a", "").strip(), f001.get("b", "").strip()
        if not number:
            self.warnings.append(
                _(
                    "danMARC2 record without a record number (001 *a): it cannot be "
                    "matched when the file is imported again"
                )
            )
        kind, level, f007, f008 = self._frame(f001)
        old = str(self.record.leader).ljust(24)
        status = old[5] if old[5] in "acdnp" else "n"
        # 09 "a": Unicode; 18 "c": ISBD punctuation omitted (danMARC2 has none)
        record.leader = Leader(f"{old[:5]}{status}{kind}{level} a22{old[12:18]}c {old[20:]}")
        fields: list[Field] = []
        if number:
            fields.append(Field(tag="001", data=number))
        if agency:
            fields.append(Field(tag="003", data=agency))
        changed = f001.get("c", "")
        if len(changed) >= 14 and changed[:14].isdigit():
            fields.append(Field(tag="005", data=f"{changed[:14]}.0"))
        if f007:
            fields.append(Field(tag="007", data=f007))
        fields.append(Field(tag="008", data=f008))
        if self.ages:
            low, high = min(self.ages), max(self.ages)
            self.out.append(make_field("521", " ", " ", [("a", f"{low}-{high} år")]))
        body = sorted(self.out, key=lambda f: f.tag)  # stable: danMARC2's order within a tag
        record.fields = fields + body + self.kept
        return record

    def _frame(self, f001: dict[str, str]) -> tuple[str, str, str, str]:
        f008 = dict(reversed(self.control.get("008", [])))
        f009 = self.control.get("009", [])
        general = next((v.strip() for c, v in f009 if c == "a" and v.strip()), "")
        specific = next((v.strip() for c, v in f009 if c == "g" and v.strip()), "")
        old = str(self.record.leader).ljust(24)
        kind = _DK_KIND.get(general, old[6] if general == "" else "a")
        more_kind, f007 = _DK_SPECIFIC.get(specific, ("", ""))
        kind = more_kind or kind
        level = _DK_LEVEL.get(f008.get("t", "").strip(), old[7] if old[7] != " " else "m")
        date1 = _year(f008.get("a", ""))
        date2 = _year(f008.get("z", ""))
        type_of_date = " "
        if date1.strip():
            type_of_date = "s"
            if date2.strip():
                type_of_date = "r" if f008.get("u", "") == "r" else "m"
        created = f001.get("d", "")
        entered = created[2:8] if len(created) >= 8 and created[:8].isdigit() else "      "
        country = (f008.get("b", "").strip()[:3]).ljust(3)
        audience = "j" if f008.get("o", "").strip() in ("b", "u") else " "
        online = "o" if f007 == "cr" else " "
        form = _DK_FORM.get(f008.get("j", "").strip(), " ") if kind in ("a", "t") else " "
        language = f008.get("l", "").strip().lower()
        language = language if len(language) == 3 and language.isalpha() else "   "
        data = (
            entered + type_of_date + date1 + date2 + country  # 00-17
            + "    " + audience + online + "         " + form + " "  # 18-34
            + language + "  "  # 35-39
        )  # fmt: skip
        return kind, level, f007, data

    # -- data fields --------------------------------------------------------------------------

    def name(self, f: Field, tag: str, ind2: str = " ") -> bool:
        """A person: *a surname, *h forename, *e numeration, *f addition, *c dates, *4 role."""
        surname = forename = dates = numeration = ""
        additions: list[str] = []
        codes: list[str] = []
        links: list[str] = []
        agency = ""
        whole = True
        for s in f.subfields:
            code, value = s.code, plain(s.value)
            if code == "a":
                surname = value
            elif code == "h":
                forename = value
            elif code == "e":
                numeration = value
            elif code in ("f", "k"):
                additions.append(value)
            elif code == "c":
                dates = dates_of(value)
            elif code == "4":
                codes.append(value)
            elif code == "5":
                agency = value
            elif code == "6":
                links.append(value)
            elif code == "b" and term_code(value):  # a role written out
                codes.append(term_code(value))
            elif value.strip():
                whole = False
        if not surname and not forename:
            return False
        name = f"{surname}, {forename}" if surname and forename else surname or forename
        subfields = [("a", name), ("b", numeration)]
        subfields += [("c", a) for a in additions] + [("d", dates)]
        subfields += [("4", c) for c in codes]
        subfields += [("0", f"(DK-{agency}){link}" if agency else link) for link in links]
        self.out.append(make_field(tag, "1" if surname and forename else "0", ind2, subfields))
        if not whole:
            self.keep(f)
        return True

    def copy(self, f: Field, tag: str, codes: dict[str, str], ind: str = "  ") -> bool:
        """The subfields named in ``codes`` under their MARC21 codes; the field kept in 887 too
        if it had others."""
        subfields = [(codes[s.code], plain(s.value)) for s in f.subfields if s.code in codes]
        if not any(v.strip() for _c, v in subfields):
            return False
        self.out.append(make_field(tag, ind[0], ind[1], subfields))
        if any(s.code not in codes and s.value.strip() for s in f.subfields):
            self.keep(f)
        return True


def _year(value: str) -> str:
    value = value.strip()[:4]
    return value.replace("?", "u").ljust(4) if value else "    "


_DK_CONTROL_READ = {
    "001": frozenset("abcdf"),
    "008": frozenset("tuazbdjlo"),
    "009": frozenset("ag"),
}


def _dk_title(c: _Danmarc2, f: Field) -> bool:
    """245: *a title (with the sort mark), *c subtitle, *e and *f responsibility, *g/*n part
    number, *o part title, *m medium."""
    title, skip = "", 0
    subtitles: list[str] = []
    responsibility: list[str] = []
    parts: list[tuple[str, str]] = []
    whole = True
    for s in f.subfields:
        code = s.code
        if code == "a" and not title:
            title, skip = nonfiling(s.value)
        elif code == "c":
            subtitles.append(plain(s.value))
        elif code in "ef":
            responsibility.append(plain(s.value))
        elif code in "gn":
            parts.append(("n", plain(s.value)))
        elif code == "o":
            parts.append(("p", plain(s.value)))
        elif code == "m":
            parts.append(("h", plain(s.value)))
        elif s.value.strip():
            whole = False
    if not title:
        return False
    subfields = [("a", title), ("b", " : ".join(subtitles)), *parts]
    subfields.append(("c", " ; ".join(responsibility)))
    ind2 = str(skip) if skip <= 9 else "0"
    c.out.append(make_field("245", "1" if c.has_main_entry else "0", ind2, subfields))
    if not whole:
        c.keep(f)
    return True


def _dk_isbn(c: _Danmarc2, f: Field) -> bool:
    """021: *a ISBN-10, *e ISBN-13, *x a wrong one, *c binding, *b qualifier, *d price."""
    numbers = [(s.code, s.value) for s in f.subfields if s.code in "aex" and s.value.strip()]
    qualifiers = [("q", s.value) for s in f.subfields if s.code in "bc" and s.value.strip()]
    prices = [("c", s.value) for s in f.subfields if s.code == "d" and s.value.strip()]
    if not numbers and not prices:
        return False
    for code, value in numbers or [("", "")]:
        subfields = [("z" if code == "x" else "a", value)] if value else []
        c.out.append(make_field("020", " ", " ", subfields + qualifiers + prices))
    if any(s.code not in "abcdex" and s.value.strip() for s in f.subfields):
        c.keep(f)
    return True


def _dk_series(c: _Danmarc2, f: Field) -> bool:
    """440: *a series, *o its part title, *v number, *z ISSN → 490 (what MARC21 reads)."""
    titles = [plain(s.value) for s in f.subfields if s.code in "ao" and s.value.strip()]
    if not titles:
        return False
    subfields = [("a", ". ".join(titles))]
    subfields += [("v", s.value) for s in f.subfields if s.code == "v"]
    subfields += [("x", s.value) for s in f.subfields if s.code == "z"]
    c.out.append(make_field("490", "0", " ", subfields))
    if any(s.code not in "aovz0" and s.value.strip() for s in f.subfields):
        c.keep(f)
    return True


# 666: DBC's subject words → MARC21 subject fields (all read by extraction but 648)
_DK_666 = {
    "f": ("650", "a"),  # emneord
    "s": ("650", "a"),  # emneord (fiction)
    "t": ("650", "a"),  # title as subject
    "u": ("650", "a"),  # age and reading level as a subject ("for 11 år", "let at læse")
    "e": ("651", "a"),  # place
    "q": ("651", "a"),  # place
    "o": ("655", "a"),  # genre and form
    "i": ("648", "a"),  # period
    "p": ("648", "a"),  # period
}


def _dk_subject_words(c: _Danmarc2, f: Field) -> bool:
    found = False
    for s in f.subfields:
        target = _DK_666.get(s.code)
        value = plain(s.value).strip()
        if target is None or not value:
            continue
        found = True
        c.out.append(make_field(target[0], " ", "7", [(target[1], value), ("2", "DBC")]))
        if s.code == "u":
            for match in AGES.finditer(value):
                c.ages += [int(match.group(1))] + ([int(match.group(2))] if match.group(2) else [])
    if any(s.code not in _DK_666 and s.value.strip() for s in f.subfields):
        c.keep(f)
    return found


def _dk_dk5(c: _Danmarc2, f: Field) -> bool:
    """652: DK5, *m the number (or *o for fiction, *n/*p); → 084 $2 dk5. The whole field is
    kept too: its name and heading parts make the Danish shelf mark."""
    number = next(
        (s.value for code in "mopn" for s in f.subfields if s.code == code and s.value.strip()),
        "",
    )
    if number:
        c.out.append(make_field("084", " ", " ", [("a", number.strip()), ("2", "dk5")]))
    c.keep(f)
    return True


def _dk_contents(c: _Danmarc2, f: Field) -> bool:
    """795 (analytic titles) → 505 contents $t title $r responsibility."""
    subfields = [("t", plain(s.value)) if s.code == "a" else ("r", s.value)
                 for s in f.subfields if s.code in "aei"]  # fmt: skip
    if not subfields:
        return False
    c.out.append(make_field("505", "0", "0", subfields))
    if any(s.code not in "aei" and s.value.strip() for s in f.subfields):
        c.keep(f)
    return True


def _dk_direct_name(c: _Danmarc2, f: Field) -> bool:
    """720: a person in direct form (*o "Mette Bødker") or a body (*k), with *4."""
    codes = [("4", s.value) for s in f.subfields if s.code == "4"]
    found = False
    for s in f.subfields:
        if s.code in "ok" and s.value.strip():
            found = True
            tag, ind1 = ("700", "0") if s.code == "o" else ("710", "2")
            c.out.append(make_field(tag, ind1, " ", [("a", plain(s.value)), *codes]))
    if any(s.code not in "ok4" and s.value.strip() for s in f.subfields):
        c.keep(f)
    return found


def _copying(tag: str, codes: str, ind: str = "  ") -> Callable[[_Danmarc2, Field], bool]:
    """A field whose subfields mean in MARC21 what they mean in danMARC2: "a=a,c=b"."""
    table = dict(pair.split("=") for pair in codes.split(","))
    return lambda c, f: c.copy(f, tag, table, ind)


def _naming(tag: str, ind2: str = " ") -> Callable[[_Danmarc2, Field], bool]:
    return lambda c, f: c.name(f, tag, ind2)


_DK_FIELDS: dict[str, Callable[[_Danmarc2, Field], bool]] = {
    # 020 is not the ISBN in danMARC2 (that is 021): it holds codes such as "dk" and stays in 887
    "021": _dk_isbn,
    "022": _copying("022", "a=a,x=z"),
    "041": _copying("041", "a=a,c=h,u=j,d=a", "0 "),
    "082": _copying("082", "a=a,b=a,c=2", "04"),
    "100": _naming("100"),
    "110": _copying("110", "a=a,e=b,c=b,4=4", "2 "),
    "241": _copying("240", "a=a", "10"),
    "245": _dk_title,
    "250": _copying("250", "a=a,c=b"),
    "260": _copying("260", "a=a,b=b,c=c,f=e,g=f"),
    "300": _copying("300", "a=a,b=b,c=c,e=e"),
    "440": _dk_series,
    "500": _copying("500", "a=a"),
    "504": _copying("520", "a=a"),  # indholdsbeskrivelse: the summary
    "505": _copying("500", "a=a"),
    "508": _copying("546", "a=a"),  # language note
    "512": _copying("500", "a=a"),
    "517": _copying("500", "a=a"),  # rating ("Tilladt for børn over 15")
    "520": _copying("500", "a=a"),  # original edition
    "526": _copying("500", "a=a"),
    "530": _copying("505", "a=a", "0 "),
    "532": _copying("504", "a=a"),  # bibliography note
    "538": _copying("538", "a=a"),
    "600": _naming("600", "4"),
    "610": _copying("610", "a=a,e=b,x=x,y=y,z=z", "24"),
    "630": _copying("650", "a=a", " 4"),
    "631": _copying("650", "f=a,s=a", " 4"),
    "650": _copying("650", "a=a,x=x,y=y,z=z,v=v", " 0"),
    "651": _copying("651", "a=a,x=x,y=y,z=z,v=v", " 0"),
    "652": _dk_dk5,
    "666": _dk_subject_words,
    "700": _naming("700"),
    "710": _copying("710", "a=a,e=b,c=b,4=4", "2 "),
    "720": _dk_direct_name,
    "770": _naming("700"),
    "795": _dk_contents,
    "856": _copying("856", "u=u,z=z,y=y", "4 "),
}


def convert(record: pymarc.Record) -> tuple[pymarc.Record, list[str]]:
    """The record as MARC21, and what could not be carried over as it was."""
    return _Danmarc2(record).convert()
