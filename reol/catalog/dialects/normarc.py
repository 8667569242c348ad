"""NORMARC (Norway's format before MARC21) read as MARC21: see the package's docstring."""

from __future__ import annotations

import pymarc
from pymarc import Field, Leader

from ..relators import term_code
from .common import line_form, make_field

# 019 $b document type → (leader/06, 007)
_NO_KIND = {
    "a": ("e", ""),
    "ab": ("e", ""),
    "aj": ("e", ""),
    "b": ("t", ""),
    "c": ("c", ""),
    "d": ("i", "s"),
    "dg": ("j", "sd"),
    "di": ("i", "sd"),
    "dz": ("i", "sz"),
    "e": ("g", "v"),
    "ee": ("g", "vd"),
    "ef": ("g", "vd"),
    "f": ("k", ""),
    "g": ("m", "c"),
    "gd": ("m", "co"),
    "ge": ("m", "cr"),
    "gt": ("i", "c"),
    "h": ("r", ""),
    "l": ("a", ""),
    "m": ("m", "c"),
    "n": ("r", ""),
}
_NO_NAMES = frozenset({"100", "600", "700", "800"})
_NO_BODIES = frozenset({"110", "111", "610", "611", "710", "711", "810", "811"})


class _Normarc:
    """NORMARC is MARC21's close cousin: most fields stay; names, roles, 019, 090, 440 and the
    local subject fields 690–699 change."""

    def __init__(self, record: pymarc.Record) -> None:
        self.record = record
        self.kept: list[Field] = []

    def keep(self, f: Field) -> None:
        self.kept.append(make_field("887", " ", " ", [("a", line_form(f, "$")), ("2", "NORMARC")]))

    def convert(self) -> tuple[pymarc.Record, list[str]]:
        out: list[Field] = []
        kind, f007 = "", ""
        headings: set[tuple[str, ...]] = set()
        for f in self.record.fields:
            tag = f.tag
            if f.control_field:
                if tag == "000":  # not a MARC21 field
                    self.keep(f)
                else:
                    out.append(f)
            elif tag == "019":
                codes = [c.strip() for v in f.get_subfields("b") for c in v.split(",")]
                for code in codes:
                    found = _NO_KIND.get(code) or _NO_KIND.get(code[:1])
                    if found and not kind:
                        kind, f007 = found
                self.keep(f)
            elif tag in _NO_NAMES or tag in _NO_BODIES:
                out.append(self._name(f))
            elif tag == "090":
                shelf = " ".join(v.strip() for v in f.get_subfields("c", "d") if v.strip())
                if shelf:
                    out.append(make_field("090", " ", " ", [("a", shelf)]))
                self.keep(f)
            elif tag == "440":
                out.append(make_field("490", "0", " ", [(s.code, s.value) for s in f.subfields]))
            elif tag in ("503", "571", "574"):
                out.append(make_field("500", " ", " ", [(s.code, s.value) for s in f.subfields]))
            elif "690" <= tag <= "699":
                heading = tuple(v for v in f.get_subfields("a", "x", "y", "z", "v") if v)
                source = f.get_subfields("2")
                if heading and heading not in headings:
                    headings.add(heading)
                    subfields = [(s.code, s.value) for s in f.subfields if s.code in "axyzv"]
                    subfields += [("2", source[0].lower())] if source else []
                    out.append(make_field("650", " ", "7" if source else "4", subfields))
                self.keep(f)
            else:
                out.append(f)
        record = pymarc.Record(to_unicode=True, force_utf8=True)
        leader = str(self.record.leader).ljust(24)
        if kind:
            leader = leader[:6] + kind + leader[7:]
        record.leader = Leader(leader[:9] + "a" + leader[10:])
        if f007 and not any(f.tag == "007" for f in out):
            at = next((i for i, f in enumerate(out) if f.tag > "007"), len(out))
            out.insert(at, Field(tag="007", data=f007))
        record.fields = out + self.kept
        return record, []

    def _name(self, f: Field) -> Field:
        """$j (nationality, "n.") goes; the $e terms ("overs.", "illustr.") get their $4 codes;
        a person in inverted form ("Collins, Suzanne") gets first indicator 1."""
        subfields = [(s.code, s.value) for s in f.subfields if s.code != "j"]
        have = {relator.lower().strip(" .") for c, relator in subfields if c == "4"}
        codes = [term_code(v) for c, v in subfields if c == "e"]
        subfields += [("4", code) for code in dict.fromkeys(codes) if code and code not in have]
        ind1 = f.indicator1
        if f.tag in _NO_NAMES and "," in (f.get("a") or ""):
            ind1 = "1"
        if any(s.code == "j" for s in f.subfields):
            self.keep(f)
        return make_field(f.tag, ind1, f.indicator2, subfields)


def convert(record: pymarc.Record) -> tuple[pymarc.Record, list[str]]:
    """The record as MARC21, and what could not be carried over as it was."""
    return _Normarc(record).convert()
