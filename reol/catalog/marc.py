"""MARC21 in and out: a streaming reader that reports, per record, what went wrong.

``read_records(stream)`` yields ``RecordResult`` for each record in an ISO 2709 or MARCXML
stream, in constant memory: either a pymarc ``Record`` or the reason it was rejected, with its
position (record number and byte offset or XML line). It never stops at a bad record.

ISO 2709 is split on the record terminator (0x1D) rather than trusted leader lengths, so a
record with a wrong length or directory does not swallow the records after it. The encoding is
taken from leader/09, except that a record claiming MARC-8 whose bytes are valid UTF-8 with
multi-byte sequences is read as UTF-8 (real exports lie about this).

MARCXML (and marcxchange) is parsed with defusedxml, which refuses DTDs and entity expansion
(the "billion laughs" bomb), one ``record`` element at a time.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield

from . import dialects, iso2709
from .iso2709 import (
    BLOCK,
    LEADER,
    LETTER_CODE,
    LETTER_CODE_START,
    MAX_RECORD_BYTES,
    RECORD_TERMINATOR,
    bad_byte,
    by_terminators,
    chunks,
    directory_problem,
    embedded_record,
    escape_letter_code,
    looks_utf8,
    past_end,
    raw_001,
    unescape_letter_codes,
)
from .marc_stored import CannotWrite as CannotWrite  # the stored form and writing, re-exported
from .marc_stored import as_iso2709 as as_iso2709
from .marc_stored import as_marcxml as as_marcxml
from .marc_stored import from_json as from_json
from .marc_stored import to_json as to_json
from .mnemonic import BLANK as BLANK  # the editor's text form, re-exported
from .mnemonic import MnemonicError as MnemonicError
from .mnemonic import from_mnemonic as from_mnemonic
from .mnemonic import to_mnemonic as to_mnemonic


@dataclass
class RecordResult:
    position: int  # 1-based record number in the file
    offset: str  # "byte 1234" or "near line 56", translated
    record: pymarc.Record | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)
    # The whole file is not MARC (or holds no record): one problem, reported once, nothing read.
    not_marc: bool = False
    # The 001 of a record that could not be read, as far as its bytes still show it
    unread_control: str = ""
    # Read, but no title of its own (an authority, holdings or enrichment record): ``error``
    # says which; the import skips it rather than rejecting it as bad data.
    skipped: bool = False

    @property
    def control_number(self) -> str:
        return self.unread_control if self.record is None else _control(self.record)


def at_byte(offset: int) -> str:
    return _("byte %(offset)d") % {"offset": offset}


def near_line(line: int) -> str:
    return _("near line %(line)d") % {"line": line}


def detect_format(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "marcxml" if stripped.startswith(b"<") else "iso2709"


def read_records(stream: IO[bytes], fmt: str = "auto") -> Iterator[RecordResult]:
    if fmt == "auto":
        buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[type-var]
        fmt = detect_format(buffered.peek(64)[:64])
        stream = buffered
    if fmt == "marcxml":
        results = _read_xml(stream)
    elif fmt == "iso2709":
        buffered = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[type-var]
        if not _starts_like_marc(buffered.peek(BLOCK)[:BLOCK]):
            yield RecordResult(1, at_byte(0), error=not_marc_message(), not_marc=True)
            return
        results = _read_iso2709(buffered)
    else:
        raise ValueError(f"unknown MARC format {fmt!r}")
    found = False
    for result in results:
        found = True
        yield result
    if not found:  # an empty file, or XML without a single MARC record in it
        where = near_line(1) if fmt == "marcxml" else at_byte(0)
        yield RecordResult(1, where, error=no_records_message(), not_marc=True)


def no_records_message() -> str:
    return _("no MARC records found: the file is empty or not MARC21 (ISO 2709 or MARCXML)")


def not_marc_message() -> str:
    return _(
        "this is not a MARC file: it does not begin with a MARC21 record (ISO 2709 or "
        "MARCXML). Export the catalogue from the old system as MARC, not as a PDF, "
        "spreadsheet or CSV file"
    )


def _starts_like_marc(head: bytes) -> bool:
    """Does this begin like ISO 2709? A file of other bytes (a PDF, a CSV, a picture) would
    otherwise be split at every byte 0x1D into hundreds of "records", each rejected on its own.
    The first record's leader must look like one (two of: length in digits, base address in
    digits, "22" at 10, "4500" at 20), or a whole MARC21 leader must appear in the first block
    (after junk at the start)."""
    body = head.lstrip(b"\xef\xbb\xbf\r\n\x00 \x1a")
    if not body:
        return True  # empty: the reader says "no records" itself
    signs = (
        body[:5].isdigit(),
        body[12:17].isdigit(),
        body[10:12] == b"22",
        body[20:24] == b"4500",
    )
    return sum(signs) >= 2 or LEADER.search(head) is not None


# --- ISO 2709 ---------------------------------------------------------------------------------


def _read_iso2709(stream: IO[bytes]) -> Iterator[RecordResult]:
    number = 0
    for offset, raw in chunks(stream):
        number += 1
        where = at_byte(offset)
        if raw is None:
            yield RecordResult(
                number,
                where,
                error=_(
                    "no record terminator within %(most)d bytes "
                    "(a record longer than ISO 2709 allows, or not MARC)"
                )
                % {"most": MAX_RECORD_BYTES},
            )
            continue
        chunk = raw.lstrip(b"\r\n\x00 ")
        result = _decode_iso2709(number, where, chunk)
        at = embedded_record(chunk) if result.record is None else 0
        if at:  # the bad bytes are one problem, the record after them is read on its own
            yield _decode_iso2709(number, where, chunk[:at])
            number += 1
            result = _decode_iso2709(
                number, at_byte(offset + len(raw) - len(chunk) + at), chunk[at:]
            )
        yield result


def _decode_iso2709(number: int, where: str, chunk: bytes) -> RecordResult:
    result = _decode_record(number, where, chunk)
    if result.record is None:  # the report names a rejected record by its 001 too
        result.unread_control = raw_001(chunk)
    return result


def _decode_record(number: int, where: str, chunk: bytes) -> RecordResult:
    refused = _not_a_record(number, where, chunk)
    if refused is not None:
        return refused
    leader = chunk[:24]
    warnings = []
    declared = chunk[:5]
    if not declared.isdigit() or int(declared) != len(chunk):
        cut_off = not chunk.endswith(RECORD_TERMINATOR) and declared.isdigit()
        if cut_off and int(declared) > len(chunk) and past_end(chunk):
            return RecordResult(
                number,
                where,
                error=_("truncated record: %(size)d of the %(declared)d bytes the leader gives")
                % {"size": len(chunk), "declared": int(declared)},
            )
        warnings.append(
            _("leader gives length %(declared)r, actual %(size)d")
            % {"declared": declared.decode("latin-1"), "size": len(chunk)}
        )
        chunk = f"{len(chunk):05d}".encode() + chunk[5:]
    fast = None if LETTER_CODE_START in chunk else iso2709.decode_utf8(chunk)
    if fast is not None:  # UTF-8, sound: what pymarc would read, twice as fast
        return _normalised(number, where, fast, warnings, said_marc8=False)
    problem = directory_problem(chunk)
    if problem:
        rebuilt = by_terminators(chunk)
        if rebuilt is None:
            return RecordResult(number, where, error=problem)
        warnings.append(
            _("%(problem)s; the fields were read up to their field terminators")
            % {"problem": problem}
        )
        chunk = rebuilt
    return _read_by_pymarc(number, where, chunk, leader, warnings)


def _not_a_record(number: int, where: str, chunk: bytes) -> RecordResult | None:
    """The refusal of a chunk too large, too short or without a leader to be read at all."""
    if len(chunk) > MAX_RECORD_BYTES:
        return RecordResult(
            number,
            where,
            error=_("record is %(size)d bytes; ISO 2709 allows at most %(most)d")
            % {"size": len(chunk), "most": MAX_RECORD_BYTES},
        )
    if not chunk[:5].isdigit() and not chunk[12:17].isdigit():
        start = chunk[:16].decode("latin-1")
        return RecordResult(
            number, where, error=_("not a MARC record: no leader at %(start)r") % {"start": start}
        )
    if len(chunk) < 25:
        return RecordResult(
            number, where, error=_("truncated record (%(size)d bytes)") % {"size": len(chunk)}
        )
    if not chunk[12:17].isdigit():  # the leader's base address
        return RecordResult(number, where, error=_("leader has no base address of data (12-16)"))
    return None


def _read_by_pymarc(
    number: int, where: str, chunk: bytes, leader: bytes, warnings: list[str]
) -> RecordResult:
    """pymarc's reading of a record the fast reader left to it, in the encoding it really has
    (UTF-8 when its bytes are, whatever leader/09 says), danMARC2's letter codes kept."""
    utf8 = leader[9:10] == b"a" or looks_utf8(chunk)
    said_marc8 = utf8 and leader[9:10] != b"a"
    escaped = utf8 and LETTER_CODE_START in chunk
    if escaped:  # danMARC2's subfield codes æ, ø, å, which pymarc would turn into others
        chunk = LETTER_CODE.sub(escape_letter_code, chunk)
    try:
        if utf8:
            record = pymarc.Record(
                data=chunk, to_unicode=True, force_utf8=True, hide_utf8_warnings=True
            )
        else:
            record = _from_marc8(chunk, warnings)
    except UnicodeDecodeError:
        return RecordResult(
            number,
            where,
            error=(
                _("bad character encoding: not valid UTF-8%(where)s")
                % {"where": bad_byte(chunk, utf8)}
                if utf8
                else _("bad character encoding: not valid MARC-8")
            ),
        )
    except pymarc.exceptions.PymarcException as error:
        return RecordResult(number, where, error=_explain(error))
    except (ValueError, IndexError):  # pymarc's own words are English and technical
        return RecordResult(number, where, error=_malformed())
    if utf8:
        record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    if not record.fields:
        return RecordResult(number, where, error=_("record has no fields"))
    if escaped:
        unescape_letter_codes(record)
    return _normalised(number, where, record, warnings, said_marc8=said_marc8)


_CUT_MULTIBYTE = re.compile(r"Multi-byte position (\d+) exceeds length of marc8 string (\d+)")


def _from_marc8(chunk: bytes, warnings: list[str]) -> pymarc.Record:
    """A MARC-8 record. pymarc's decoder writes what it finds wrong to standard error itself
    (in English, with no record number, between the import's own lines); it is caught here
    and said as this record's warning. ``redirect_stderr`` swaps the process's ``sys.stderr``
    for the decoding of this one record: a ``print`` to standard error from another thread in
    that instant would land here (the log's handlers keep the stream they were given)."""
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        record = pymarc.Record(data=chunk, to_unicode=True, hide_utf8_warnings=True)
    if _CUT_MULTIBYTE.search(said.getvalue()):
        warnings.append(_("bad MARC-8: a multi-byte character is cut off; it is read as a space"))
    return record


def _normalised(
    number: int, where: str, record: pymarc.Record, warnings: list[str], *, said_marc8: bool
) -> RecordResult:
    record, dialect, notes = dialects.normalise(record)
    if why := not_a_title(record, dialect):
        return RecordResult(number, where, error=why, unread_control=_control(record), skipped=True)
    if said_marc8 and dialect != dialects.DANMARC2:  # danMARC2 leaves leader/09 blank: UTF-8
        warnings.append(_("leader says MARC-8 but the record is UTF-8; read as UTF-8"))
    warnings.extend(notes)
    return RecordResult(number, where, record=record, warnings=warnings)


def not_a_title(record: pymarc.Record, dialect: str = dialects.MARC21) -> str:
    """Why a record is not a title Reol can catalogue ("" when it is): MARC21's authority,
    holdings, classification and community records (leader/06) describe no title of their
    own, nor does a danMARC2 record without 245 (a library's enrichment of a national record,
    or an authority record); imported as titles they became blank "[no title]" records."""
    if dialect == dialects.DANMARC2 and not record.get_fields("245"):
        f003 = record.get("003")
        return _(
            "a danMARC2 record without a title (245): an enrichment or authority record of "
            "agency %(agency)s, not a title of its own"
        ) % {"agency": (f003.data if f003 is not None else "") or "?"}
    kind = str(record.leader)[6:7]
    if kind == "z":
        return _(
            "an authority record (leader/06 z), not a title: Reol imports bibliographic records"
        )
    if kind in ("u", "v", "x", "y"):
        return _(
            "a holdings record (leader/06 %(kind)s), not a title: import the titles with their "
            "holdings in 852, 949 or 952"
        ) % {"kind": kind}
    if kind in ("w", "q"):
        return _(
            "a classification or community information record (leader/06 %(kind)s), not a title"
        ) % {"kind": kind}
    return ""


def _control(record: pymarc.Record) -> str:
    f001 = record.get("001")
    return (f001.data or "") if f001 is not None and f001.is_control_field() else ""


def _explain(error: Exception) -> str:
    name = type(error).__name__
    reasons = {
        "RecordLengthInvalid": _("record length in the leader is invalid"),
        "RecordLeaderInvalid": _("leader is invalid"),
        "BaseAddressInvalid": _("base address of data is invalid"),
        "BaseAddressNotFound": _("base address of data not found"),
        "RecordDirectoryInvalid": _("directory is invalid"),
        "EndOfRecordNotFound": _("end of record not found"),
        "FieldNotFound": _("a field in the directory is missing"),
        "BadSubfieldCodeWarning": _("bad subfield code"),
    }
    return reasons.get(name) or _malformed()


def _unsafe_xml(error: DefusedXmlException) -> str:
    kinds = {
        "DTDForbidden": _("refused unsafe XML: it declares a DTD"),
        "EntitiesForbidden": _("refused unsafe XML: it declares entities"),
        "ExternalReferenceForbidden": _("refused unsafe XML: it refers to external files"),
    }
    return kinds.get(type(error).__name__) or _("refused unsafe XML")


def _malformed() -> str:
    return _("malformed record: its fields or subfields could not be read")


# --- MARCXML ----------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _LineCounter(io.RawIOBase):
    """Counts newlines read so far, to give XML records a line number."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.lines = stream, 1

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.lines += data.count(b"\n")
        return len(data)


_BARE_RECORD = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<\?xml[^>]*\?>)?(\s*<!--.*?-->)*\s*<([\w.-]+:)?record[\s/>]", re.S
)


class _Chain(io.RawIOBase):
    """Several byte strings and streams read as one stream."""

    def __init__(self, *parts: bytes | IO[bytes]) -> None:
        self.parts = [io.BytesIO(p) if isinstance(p, bytes) else p for p in parts]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self.parts:
            data = self.parts[0].read(len(buffer))
            if data:
                buffer[: len(data)] = data
                return len(data)
            self.parts.pop(0)
        return 0


def _wrap_bare_records(stream: IO[bytes]) -> IO[bytes]:
    """Records one after another with no <collection> around them (some systems write that)
    are not one XML document: read them inside a <collection> added after the declaration."""
    head = stream.read(BLOCK)
    match = _BARE_RECORD.match(head)
    if match is None:
        return _Chain(head, stream)  # type: ignore[return-value]
    at = match.end(2) if match.group(2) else (3 if match.group(1) else 0)
    return _Chain(head[:at], b"<collection>", head[at:], stream, b"</collection>")  # type: ignore[return-value]


_MARC_PARTS = frozenset({"leader", "controlfield", "datafield"})


def _read_xml(stream: IO[bytes]) -> Iterator[RecordResult]:
    counter = _LineCounter(_wrap_bare_records(stream))
    number = 0
    try:
        for event, element in iterparse(counter, events=("end",), forbid_dtd=True):
            if _local(element.tag) != "record" or event != "end":
                continue
            number += 1
            if number == 1 and not any(_local(c.tag) in _MARC_PARTS for c in element):
                # the first <record> has no leader, control or data field: another XML format
                yield RecordResult(1, near_line(1), error=not_marc_message(), not_marc=True)
                return
            yield record_from_element(number, near_line(counter.lines), element)
            element.clear()
    except DefusedXmlException as error:
        yield RecordResult(
            number + 1,
            near_line(counter.lines),
            error=_unsafe_xml(error),
        )
    except SyntaxError as error:  # ParseError
        yield RecordResult(
            number + 1,
            near_line(counter.lines),
            error=_("XML is not well-formed: line %(line)d, column %(column)d")
            % dict(zip(("line", "column"), getattr(error, "position", (0, 0)), strict=True)),
        )


def record_from_element(number: int, where: str, element: Element) -> RecordResult:
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    warnings: list[str] = []
    try:
        for child in element:
            name = _local(child.tag)
            if name == "leader":
                text = (child.text or "").ljust(24)[:24]
                if not text.isascii() or not text.isprintable():
                    warnings.append(_("leader had characters other than ASCII; made blanks"))
                    text = "".join(c if c.isascii() and c.isprintable() else " " for c in text)
                record.leader = Leader(text)
            elif name == "controlfield":
                tag = child.get("tag", "")
                if not tag:
                    warnings.append(_("control field without a tag was dropped"))
                    continue
                record.add_field(Field(tag=tag, data=child.text or ""))
            elif name == "datafield" and _CONTROL_TAG.match(child.get("tag", "")):
                # marcXchange writes danMARC2's 001-009 as fields with subfields; pymarc would
                # drop them: kept as ISO 2709 has them ("00" + "\x1fa…"), for dialects.
                tag = child.get("tag", "")
                data = (child.get("ind1") or " ")[:1] + (child.get("ind2") or " ")[:1]
                data += "".join(
                    f"\x1f{sub.get('code', ' ') or ' '}{sub.text or ''}"
                    for sub in child
                    if _local(sub.tag) == "subfield"
                )
                record.add_field(Field(tag=tag, data=data))
            elif name == "datafield":
                tag = child.get("tag", "")
                subfields = [
                    Subfield(code=sub.get("code", " ") or " ", value=sub.text or "")
                    for sub in child
                    if _local(sub.tag) == "subfield"
                ]
                if not tag:
                    warnings.append(_("data field without a tag was dropped"))
                    continue
                record.add_field(
                    Field(
                        tag=tag,
                        indicators=Indicators(
                            _indicator(child.get("ind1"), tag, warnings),
                            _indicator(child.get("ind2"), tag, warnings),
                        ),
                        subfields=subfields,
                    )
                )
    except (ValueError, TypeError):
        return RecordResult(number, where, error=_malformed())
    if not record.fields:
        return RecordResult(number, where, error=_("record has no fields"))
    record, dialect, notes = dialects.normalise(record)
    if why := not_a_title(record, dialect):
        return RecordResult(number, where, error=why, unread_control=_control(record), skipped=True)
    warnings.extend(notes)
    return RecordResult(number, where, record=record, warnings=warnings)


_CONTROL_TAG = re.compile(r"00[1-9]\Z")


def _indicator(value: str | None, tag: str, warnings: list[str]) -> str:
    """One printable ASCII character, as ISO 2709 needs; anything else becomes a blank."""
    if not value:
        return " "
    if len(value) == 1 and value.isascii() and value.isprintable():
        return value
    warnings.append(
        _("field %(tag)s: indicator %(value)r is not one ASCII character; made blank")
        % {"tag": tag, "value": value}
    )
    return " "
