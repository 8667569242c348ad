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

import io
import re
import unicodedata
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

RECORD_TERMINATOR = b"\x1d"
MAX_RECORD_BYTES = 99_999  # the largest length ISO 2709 can express
BLOCK = 1 << 16


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

    @property
    def control_number(self) -> str:
        if self.record is None:
            return self.unread_control
        f001 = self.record.get("001")
        return (f001.data or "") if f001 is not None and f001.is_control_field() else ""


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
    return sum(signs) >= 2 or _LEADER.search(head) is not None


# --- ISO 2709 ---------------------------------------------------------------------------------


def _chunks(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(offset, bytes of one record with its terminator), or (offset, None) for an oversize one."""
    buffer, offset, skipping = b"", 0, False
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        buffer += block
        start = 0  # where the unread part of the buffer begins (no copy per record)
        while True:
            end = buffer.find(RECORD_TERMINATOR, start)
            if end < 0:
                buffer = buffer[start:]
                if len(buffer) > MAX_RECORD_BYTES:
                    if not skipping:
                        yield offset, None
                        skipping = True
                    offset += len(buffer)
                    buffer = b""
                break
            chunk, start = buffer[start : end + 1], end + 1
            if skipping:
                skipping = False
                at = _embedded_record(chunk)  # a whole record at the end of what was skipped
                if at:
                    yield offset + at, chunk[at:]
            elif chunk.strip(b"\r\n\x00 \x1a"):  # ignore line breaks and padding between records
                yield offset, chunk
            offset += len(chunk)
    if buffer.strip(b"\r\n\x00 \x1a") and not skipping:
        yield offset, buffer


def _looks_utf8(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 127 for ch in text)


# A MARC21 leader: length, 5 codes, "22", base address, 3 codes, "4500".
_LEADER = re.compile(rb"\d{5}[ -~]{5}22\d{5}[ -~]{3}4500")


def _embedded_record(chunk: bytes) -> int:
    """Where a whole record begins inside ``chunk`` after something that is not one (0: it
    does not): a leader whose length reaches exactly to the chunk's terminator. A record cut
    off before its terminator then does not take the next record down with it."""
    for match in _LEADER.finditer(chunk, 1):
        if int(chunk[match.start() : match.start() + 5]) == len(chunk) - match.start():
            return match.start()
    return 0


def _read_iso2709(stream: IO[bytes]) -> Iterator[RecordResult]:
    number = 0
    for offset, raw in _chunks(stream):
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
        at = _embedded_record(chunk) if result.record is None else 0
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
        result.unread_control = _raw_001(chunk)
    return result


def _raw_001(chunk: bytes) -> str:
    """The 001 of a record pymarc could not read, found through its directory when that much
    of it is sound ("" when not)."""
    try:
        base = int(chunk[12:17])
        directory = chunk[24 : base - 1]
        for i in range(0, len(directory) - 11, 12):
            if directory[i : i + 3] == b"001":
                length, start = int(directory[i + 3 : i + 7]), int(directory[i + 7 : i + 12])
                data = chunk[base + start : base + start + length].split(b"\x1e")[0]
                return data.decode("utf-8", "replace").strip()[:64]
    except ValueError:
        return ""
    return ""


def _decode_record(number: int, where: str, chunk: bytes) -> RecordResult:
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
    leader = chunk[:24]
    if not leader[12:17].isdigit():
        return RecordResult(number, where, error=_("leader has no base address of data (12-16)"))
    warnings = []
    declared = chunk[:5]
    if not declared.isdigit() or int(declared) != len(chunk):
        cut_off = not chunk.endswith(RECORD_TERMINATOR) and declared.isdigit()
        if cut_off and int(declared) > len(chunk) and _past_end(chunk):
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
    fast = None if _LETTER_CODE_START in chunk else iso2709.decode_utf8(chunk)
    if fast is not None:  # UTF-8, sound: what pymarc would read, twice as fast
        return _normalised(number, where, fast, warnings, said_marc8=False)
    problem = _directory_problem(chunk)
    if problem:
        rebuilt = _by_terminators(chunk)
        if rebuilt is None:
            return RecordResult(number, where, error=problem)
        warnings.append(
            _("%(problem)s; the fields were read up to their field terminators")
            % {"problem": problem}
        )
        chunk = rebuilt
    utf8 = leader[9:10] == b"a" or _looks_utf8(chunk)
    said_marc8 = utf8 and leader[9:10] != b"a"
    escaped = utf8 and _LETTER_CODE_START in chunk
    if escaped:  # danMARC2's subfield codes æ, ø, å, which pymarc would turn into others
        chunk = _LETTER_CODE.sub(_escape_letter_code, chunk)
    try:
        record = pymarc.Record(
            data=chunk, to_unicode=True, force_utf8=utf8, hide_utf8_warnings=True
        )
    except UnicodeDecodeError:
        return RecordResult(
            number,
            where,
            error=(
                _("bad character encoding: not valid UTF-8%(where)s")
                % {"where": _bad_byte(chunk, utf8)}
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
        _unescape_letter_codes(record)
    return _normalised(number, where, record, warnings, said_marc8=said_marc8)


def _normalised(
    number: int, where: str, record: pymarc.Record, warnings: list[str], *, said_marc8: bool
) -> RecordResult:
    record, dialect, notes = dialects.normalise(record)
    if said_marc8 and dialect != dialects.DANMARC2:  # danMARC2 leaves leader/09 blank: UTF-8
        warnings.append(_("leader says MARC-8 but the record is UTF-8; read as UTF-8"))
    warnings.extend(notes)
    return RecordResult(number, where, record=record, warnings=warnings)


# A subfield code that is a letter beyond ASCII (danMARC2 has *æ, *ø, *å) is written in UTF-8
# as two bytes. pymarc would take the first byte for the code, warn, and guess a code from the
# value. Before pymarc reads the record such a code becomes DEL and a digit (as many bytes, so
# the directory stays right), and after it the letter again.
_LETTER_CODE_START = b"\x1f\xc3"
_LETTER_CODE = re.compile(b"\x1f\xc3([\xa6\xb8\xa5\x86\x98\x85])")
_LETTER_MARKS = {0xA6: b"1", 0xB8: b"2", 0xA5: b"3", 0x86: b"4", 0x98: b"5", 0x85: b"6"}
_LETTER_CODES = {"1": "æ", "2": "ø", "3": "å", "4": "Æ", "5": "Ø", "6": "Å"}


def _escape_letter_code(match: re.Match[bytes]) -> bytes:
    return b"\x1f\x7f" + _LETTER_MARKS[match.group(1)[0]]


def _unescape_letter_codes(record: pymarc.Record) -> None:
    for f in record.fields:
        if f.control_field:
            continue
        for n, s in enumerate(f.subfields):
            if s.code == "\x7f" and s.value[:1] in _LETTER_CODES:
                f.subfields[n] = Subfield(_LETTER_CODES[s.value[0]], s.value[1:])


def _bad_byte(chunk: bytes, utf8: bool) -> str:
    """Where in the record the first byte that is not UTF-8 is (for a UTF-8 record)."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        return _(" at byte %(n)d of the record") % {"n": error.start} if utf8 else ""
    return ""


FIELD_TERMINATOR = b"\x1e"


def _directory(chunk: bytes) -> tuple[int, list[bytes]] | None:
    """(base address, the directory's 12-byte entries); the base address is taken from the
    directory's own terminator when the leader's is wrong. None if there are no whole entries."""
    base = int(chunk[12:17])
    if base < 25 or base > len(chunk) or (base - 25) % 12 or chunk[base - 1 : base] != b"\x1e":
        base = chunk.find(FIELD_TERMINATOR, 24) + 1
        if base < 25 or (base - 25) % 12:
            return None
    return base, [chunk[i : i + 12] for i in range(24, base - 1, 12)]


def _past_end(chunk: bytes) -> bool:
    """Does the directory point past the end of the bytes there are (a cut-off record)?"""
    base, entries = _directory(chunk) or (int(chunk[12:17]), [])
    if base >= len(chunk):
        return True
    for entry in entries:
        if entry[3:].isdigit() and base + int(entry[7:12]) + int(entry[3:7]) > len(chunk):
            return True
    return False


def _directory_problem(chunk: bytes) -> str:
    """'' if every directory entry points at a field that ends with a field terminator."""
    found = _directory(chunk)
    if found is None:
        return _("directory is invalid (not whole 12-byte entries ending in a field terminator)")
    base, entries = found
    if base != int(chunk[12:17]):
        return _("leader gives base address %(base)d, the directory ends at %(end)d") % {
            "base": int(chunk[12:17]),
            "end": base - 1,
        }
    for n, entry in enumerate(entries, start=1):
        if not entry[3:].isdigit():
            return _("directory entry %(n)d (tag %(tag)s) has no numeric length and start") % {
                "n": n,
                "tag": entry[:3].decode("latin-1"),
            }
        end = base + int(entry[7:12]) + int(entry[3:7])
        if end > len(chunk) or chunk[end - 1] != FIELD_TERMINATOR[0]:
            return _("directory entry %(n)d (tag %(tag)s) does not match the field data") % {
                "n": n,
                "tag": entry[:3].decode("latin-1"),
            }
    return ""


def _by_terminators(chunk: bytes) -> bytes | None:
    """The record with its directory rebuilt from the field terminators in its data, if the
    data holds as many fields as the directory has tags (else None: it cannot be trusted)."""
    found = _directory(chunk)
    if not found or not found[1]:
        return None
    base, entries = found
    fields = chunk[base:].rstrip(RECORD_TERMINATOR).split(FIELD_TERMINATOR)
    if fields and fields[-1] == b"":
        fields.pop()
    if len(fields) != len(entries):
        return None
    directory, start = b"", 0
    for entry, data in zip(entries, fields, strict=True):
        length = len(data) + 1
        if length > 9999:
            return None
        directory += entry[:3] + b"%04d%05d" % (length, start)
        start += length
    body = directory + FIELD_TERMINATOR + b"".join(f + FIELD_TERMINATOR for f in fields)
    total = 24 + len(body) + 1
    leader = b"%05d" % total + chunk[5:12] + b"%05d" % (25 + len(directory)) + chunk[17:24]
    return leader + body + RECORD_TERMINATOR


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
    record, _dialect, notes = dialects.normalise(record)
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


# --- Stored form and writing ------------------------------------------------------------------


def to_json(record: pymarc.Record) -> dict[str, Any]:
    """MARC-in-JSON: leader, then fields in order with indicators and subfields.

    The same dictionary as pymarc's ``Record.as_dict()``, made over ``record.fields`` rather
    than the record's iterator protocol (an import does this for every record)."""
    fields: list[dict[str, Any]] = []
    for f in record.fields:
        if f.control_field:
            fields.append({f.tag: f.data})
        else:
            fields.append({f.tag: {
                "ind1": f.indicator1,
                "ind2": f.indicator2,
                "subfields": [{s.code: s.value} for s in f.subfields],
            }})  # fmt: skip
    return {"leader": str(record.leader), "fields": fields}


def from_json(data: dict[str, Any]) -> pymarc.Record:
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    record.leader = Leader(str(data.get("leader", "")).ljust(24)[:24])
    for entry in data.get("fields", []):
        ((tag, value),) = entry.items()
        if isinstance(value, str):
            record.add_field(Field(tag=tag, data=value))
        else:
            record.add_field(
                Field(
                    tag=tag,
                    indicators=Indicators(value.get("ind1", " "), value.get("ind2", " ")),
                    subfields=[
                        Subfield(code=code, value=text)
                        for sub in value.get("subfields", [])
                        for code, text in sub.items()
                    ],
                )
            )
    return record


class CannotWrite(ValueError):
    """The record cannot be written in the format asked for (e.g. too long for ISO 2709)."""


def as_iso2709(record: pymarc.Record) -> bytes:
    """The record in ISO 2709 (UTF-8); CannotWrite if it is longer than the format can say
    (99,999 bytes a record, 9,999 a field): export those as MARCXML."""
    record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    data = record.as_marc21()
    try:
        length, base = int(data[:5]), int(data[12:17])
    except ValueError:
        length = base = -1
    if length != len(data) or length > MAX_RECORD_BYTES or base != 25 + 12 * len(record.fields):
        raise CannotWrite(
            _(
                "the record is %(size)d bytes or has a field longer than 9,999 bytes: "
                "too long for ISO 2709; use MARCXML"
            )
            % {"size": len(data)}
        )
    return data


# Characters XML 1.0 cannot carry at all (C0 controls but tab, LF, CR; U+FFFE, U+FFFF): they
# are written as U+FFFD. A carriage return is written as a reference, which XML keeps.
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def as_marcxml(record: pymarc.Record) -> bytes:
    data = pymarc.record_to_xml(record, namespace=True)
    return _NOT_XML.sub("\ufffd".encode(), data).replace(b"\r", b"&#13;")


# --- The MARC editor's text form (MARCMaker mnemonic lines: "=245  10$aTitle$cAuthor") --------


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
