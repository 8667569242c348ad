"""MARC relator codes ($4 of 100/700 …) and the term each is shown as, in the reader's language.

A record stores the code (``aut``), not a term in the cataloguer's language ("forfatter"), so
the same record reads "author" to an English reader and "forfatter" to a Danish one. A term
typed into $e stays as it was written and is shown when the field has no code we know.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import pgettext_lazy

# The codes of the MARC Code List for Relators a school library meets.
RELATOR_TERMS = {
    "aut": pgettext_lazy("relator", "author"),
    "ill": pgettext_lazy("relator", "illustrator"),
    "trl": pgettext_lazy("relator", "translator"),
    "edt": pgettext_lazy("relator", "editor"),
    "nrt": pgettext_lazy("relator", "narrator"),
    "drt": pgettext_lazy("relator", "director"),
    "dsr": pgettext_lazy("relator", "designer"),
    "cmp": pgettext_lazy("relator", "composer"),
    "prf": pgettext_lazy("relator", "performer"),
    "pht": pgettext_lazy("relator", "photographer"),
    "ctb": pgettext_lazy("relator", "contributor"),
    "adp": pgettext_lazy("relator", "adapter"),
}

# Terms in $e without a code (the old extraction also wrote "author" for a 100 without $e, and
# the Danish and Norwegian national records write "forfatter", NORMARC "overs.", "illustr."):
# shown translated, like a code. Keys are lower case without the abbreviation's full stop.
_TERMS = {
    "author": "aut",
    "forfatter": "aut",
    "forf": "aut",
    "medforfatter": "aut",
    "medforf": "aut",
    "illustrator": "ill",
    "illustratør": "ill",
    "illustrationer": "ill",
    "illustrasjoner": "ill",
    "ill": "ill",
    "illustr": "ill",
    "tegner": "ill",
    "translator": "trl",
    "oversætter": "trl",
    "oversetter": "trl",
    "overs": "trl",
    "oversat": "trl",
    "oversatt": "trl",
    "editor": "edt",
    "redaktør": "edt",
    "red": "edt",
    "narrator": "nrt",
    "indlæser": "nrt",
    "innleser": "nrt",
    "indl": "nrt",
    "innl": "nrt",
    "oplæser": "nrt",
    "opleser": "nrt",
    "composer": "cmp",
    "komponist": "cmp",
    "komp": "cmp",
    "director": "drt",
    "instruktør": "drt",
    "instr": "drt",
    "regissør": "drt",
    "regi": "drt",
    "photographer": "pht",
    "fotograf": "pht",
    "fot": "pht",
    "fotogr": "pht",
    "designer": "dsr",
    "performer": "prf",
    "udøver": "prf",
    "utøver": "prf",
    "contributor": "ctb",
    "medarbejder": "ctb",
    "medarbeider": "ctb",
    "medarb": "ctb",
    "adapter": "adp",
    "bearbejder": "adp",
    "bearbeider": "adp",
    "bearb": "adp",
}


def term_code(term: str) -> str:
    """The relator code of a role as catalogued in $e ("overs.", "Illustratør", "red"), or ''."""
    return _TERMS.get(term.strip().rstrip(".").strip().lower(), "")


def relator_code(value: str) -> str:
    """A relator code as catalogued ("aut", "AUT.", " aut", or as the id.loc.gov address) in its
    normal form, or ''."""
    code = value.strip().rstrip("./").rsplit("/", 1)[-1].lower()
    return code if len(code) == 3 and code.isalpha() else ""


def relator_codes(contributor: dict[str, Any]) -> str:
    """A contributor's relator codes as stored: "aut" or "aut,ill" (normal form, or '')."""
    codes = (relator_code(c) for c in str(contributor.get("relator") or "").split(","))
    return ",".join(c for c in codes if c)


def role_label(contributor: dict[str, Any]) -> str:
    """How a contributor's role reads to the current reader: the translated term of its code,
    else the term as catalogued in $e, else the code itself."""
    codes = [c for c in str(contributor.get("relator") or "").split(",") if c]
    role = str(contributor.get("role") or "")
    if not codes:  # stored before codes were: "forfatter", "author", "forfatter, aut"
        parts = [p.strip().rstrip(".").lower() for p in role.split(",") if p.strip()]
        known = [p if p in RELATOR_TERMS else term_code(p) for p in parts]
        if parts and all(known):
            codes = list(dict.fromkeys(known))
    if codes and all(c in RELATOR_TERMS for c in codes):
        return ", ".join(str(RELATOR_TERMS[c]) for c in codes)
    return role or ", ".join(codes)
