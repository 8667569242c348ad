"""The MARC editor's text form: MARCMaker mnemonic lines ("=245  10$aTitle$cAuthor"), written
from a record and read back, with ``{dollar}``-style escapes. ``marc`` re-exports these.
"""

from __future__ import annotations

import re
import unicodedata

import pymarc
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield

BLANK = "\\"  # a blank in a control field or indicator

# Characters the text form gives a meaning to, and those a line cannot show (line breaks,
# control characters), are written as MARCMaker-style mnemonics: {dollar}, {U+000A}, ...
_NAMED = {"lcub": "{", "rcub": "}", "dollar": "$", "bsol": "\\"}
_MNEMONIC = re.compile(r"\{(lcub|rcub|dollar|bsol|U\+[0-9A-Fa-f]{4,6})\}")


def _escape(value: str, *, control: bool = False) -> str:
    out = []
    for ch in value:
        if ch == "{":
            out.append("{lcub}")
        elif ch == "$":
            out.append("{dollar}")
        elif control and ch == "\\":
            out.append("{bsol}")
        elif control and ch == " ":
            out.append(BLANK)
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            out.append(f"{{U+{ord(ch):04X}}}")
        else:
            out.append(ch)
    return "".join(out)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        return _NAMED[name] if name in _NAMED else chr(min(int(name[2:], 16), 0x10FFFF))

    return _MNEMONIC.sub(one, text) if "{" in text else text


def to_mnemonic(record: pymarc.Record) -> str:
    lines = [f"=LDR  {record.leader}"]
    for f in record.fields:
        if f.is_control_field():
            lines.append(f"={f.tag}  {_escape(f.data or '', control=True)}")
        else:
            ind = "".join(i if i != " " else BLANK for i in (f.indicators or "  "))
            subs = "".join(f"${_escape(s.code)}{_escape(s.value)}" for s in f.subfields)
            lines.append(f"={f.tag}  {ind}{subs}")
    return "\n".join(lines)


class MnemonicError(ValueError):
    pass


def from_mnemonic(text: str) -> pymarc.Record:
    """Parse the editor's text; raises MnemonicError naming the line that is wrong."""
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not line.startswith("=") or len(line) < 6 or line[4:6] != "  ":
            raise MnemonicError(
                _("line %(n)d: expected “=TAG  …” (=, the tag, two spaces), found “%(found)s”")
                % {"n": number, "found": line[:20]}
            )
        tag, body = line[1:4], line[6:]
        if tag == "LDR":
            record.leader = Leader(body.replace("\\", " ").ljust(24)[:24])
        elif not (tag.isalnum() and len(tag) == 3):
            raise MnemonicError(
                _("line %(n)d: “%(tag)s” is not a MARC tag (three letters or digits)")
                % {"n": number, "tag": tag}
            )
        elif tag < "010" and tag.isdigit():
            record.add_field(Field(tag=tag, data=_unescape(body.replace(BLANK, " "))))
        else:
            if len(body) < 2 or body[2:3] not in ("", "$"):
                raise MnemonicError(
                    _("line %(n)d: a data field needs two indicators, then $") % {"n": number}
                )
            ind = [c if c != "\\" else " " for c in body[:2]]
            parts = body[3:].split("$") if len(body) > 2 else []  # (a field with no subfields)
            subfields = []
            for part in parts:
                if not part:
                    raise MnemonicError(
                        _("line %(n)d: empty subfield code after $") % {"n": number}
                    )
                code = _MNEMONIC.match(part)  # a code written as a mnemonic
                end = code.end() if code else 1
                subfields.append(Subfield(code=_unescape(part[:end]), value=_unescape(part[end:])))
            record.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=subfields))
    if not record.get_fields("245"):
        raise MnemonicError(_("the record needs a title field (245)"))
    return record
