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
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import Element

import pymarc
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from pymarc import Field, Indicators, Leader, Subfield

RECORD_TERMINATOR = b"\x1d"
MAX_RECORD_BYTES = 99_999  # the largest length ISO 2709 can express
BLOCK = 1 << 16


@dataclass
class RecordResult:
    position: int  # 1-based record number in the file
    offset: str  # "byte 1234" or "line 56"
    record: pymarc.Record | None = None
    error: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def control_number(self) -> str:
        if self.record is None:
            return ""
        f001 = self.record.get("001")
        return (f001.data or "") if f001 is not None and f001.is_control_field() else ""


def detect_format(head: bytes) -> str:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return "marcxml" if stripped.startswith(b"<") else "iso2709"


def read_records(stream: IO[bytes], fmt: str = "auto") -> Iterator[RecordResult]:
    if fmt == "auto":
        buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(stream)  # type: ignore[type-var]
        fmt = detect_format(buffered.peek(64)[:64])
        stream = buffered
    if fmt == "marcxml":
        yield from _read_xml(stream)
    elif fmt == "iso2709":
        yield from _read_iso2709(stream)
    else:
        raise ValueError(f"unknown MARC format {fmt!r}")


# --- ISO 2709 ---------------------------------------------------------------------------------


def _chunks(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(offset, bytes of one record with its terminator), or (offset, None) for an oversize one."""
    buffer, offset, skipping = b"", 0, False
    while True:
        block = stream.read(BLOCK)
        if not block:
            break
        buffer += block
        while True:
            end = buffer.find(RECORD_TERMINATOR)
            if end < 0:
                if len(buffer) > MAX_RECORD_BYTES:
                    if not skipping:
                        yield offset, None
                        skipping = True
                    offset += len(buffer)
                    buffer = b""
                break
            chunk, buffer = buffer[: end + 1], buffer[end + 1 :]
            if skipping:
                skipping = False
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


def _read_iso2709(stream: IO[bytes]) -> Iterator[RecordResult]:
    for number, (offset, chunk) in enumerate(_chunks(stream), start=1):
        where = f"byte {offset}"
        if chunk is None:
            yield RecordResult(
                number, where, error=f"no record terminator within {MAX_RECORD_BYTES} bytes"
            )
            continue
        chunk = chunk.lstrip(b"\r\n\x00 ")
        yield _decode_iso2709(number, where, chunk)


def _decode_iso2709(number: int, where: str, chunk: bytes) -> RecordResult:
    if len(chunk) < 25:
        return RecordResult(number, where, error=f"truncated record ({len(chunk)} bytes)")
    leader = chunk[:24]
    if not leader[12:17].isdigit():
        return RecordResult(number, where, error="leader has no base address of data (12-16)")
    warnings = []
    declared = chunk[:5]
    if not declared.isdigit() or int(declared) != len(chunk):
        warnings.append(f"leader gives length {declared.decode('latin-1')!r}, actual {len(chunk)}")
        chunk = (
            f"{len(chunk):05d}".encode() + chunk[5:] if len(chunk) <= MAX_RECORD_BYTES else chunk
        )
    utf8 = leader[9:10] == b"a" or _looks_utf8(chunk)
    if utf8 and leader[9:10] != b"a":
        warnings.append("leader says MARC-8 but the record is UTF-8; read as UTF-8")
    try:
        record = pymarc.Record(
            data=chunk, to_unicode=True, force_utf8=utf8, hide_utf8_warnings=True
        )
    except UnicodeDecodeError as error:
        return RecordResult(
            number, where, error=f"bad character encoding: {error.reason} at byte {error.start}"
        )
    except pymarc.exceptions.PymarcException as error:
        return RecordResult(number, where, error=_explain(error))
    except (ValueError, IndexError) as error:
        return RecordResult(number, where, error=f"malformed record: {error}")
    if utf8:
        record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    if not record.fields:
        return RecordResult(number, where, error="record has no fields")
    return RecordResult(number, where, record=record, warnings=warnings)


def _explain(error: Exception) -> str:
    name = type(error).__name__
    reasons = {
        "RecordLengthInvalid": "record length in the leader is invalid",
        "RecordLeaderInvalid": "leader is invalid",
        "BaseAddressInvalid": "base address of data is invalid",
        "BaseAddressNotFound": "base address of data not found",
        "RecordDirectoryInvalid": "directory is invalid",
        "EndOfRecordNotFound": "end of record not found",
        "FieldNotFound": "a field in the directory is missing",
        "BadSubfieldCodeWarning": "bad subfield code",
    }
    return reasons.get(name, f"{name}: {error}".strip())


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


def _read_xml(stream: IO[bytes]) -> Iterator[RecordResult]:
    counter = _LineCounter(stream)
    number = 0
    try:
        for event, element in iterparse(counter, events=("end",), forbid_dtd=True):
            if _local(element.tag) != "record" or event != "end":
                continue
            number += 1
            yield record_from_element(number, f"near line {counter.lines}", element)
            element.clear()
    except DefusedXmlException as error:
        yield RecordResult(
            number + 1,
            f"near line {counter.lines}",
            error=f"refused unsafe XML: {type(error).__name__}",
        )
    except SyntaxError as error:  # ParseError
        yield RecordResult(
            number + 1, f"near line {counter.lines}", error=f"XML is not well-formed: {error}"
        )


def record_from_element(number: int, where: str, element: Element) -> RecordResult:
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    warnings: list[str] = []
    try:
        for child in element:
            name = _local(child.tag)
            if name == "leader":
                text = (child.text or "").ljust(24)[:24]
                record.leader = Leader(text)
            elif name == "controlfield":
                tag = child.get("tag", "")
                if not tag:
                    warnings.append("control field without a tag was dropped")
                    continue
                record.add_field(Field(tag=tag, data=child.text or ""))
            elif name == "datafield":
                tag = child.get("tag", "")
                subfields = [
                    Subfield(code=sub.get("code", " ") or " ", value=sub.text or "")
                    for sub in child
                    if _local(sub.tag) == "subfield"
                ]
                if not tag:
                    warnings.append("data field without a tag was dropped")
                    continue
                record.add_field(
                    Field(
                        tag=tag,
                        indicators=Indicators(
                            child.get("ind1", " ") or " ", child.get("ind2", " ") or " "
                        ),
                        subfields=subfields,
                    )
                )
    except (ValueError, TypeError) as error:
        return RecordResult(number, where, error=f"malformed record: {error}")
    if not record.fields:
        return RecordResult(number, where, error="record has no fields")
    return RecordResult(number, where, record=record, warnings=warnings)


# --- Stored form and writing ------------------------------------------------------------------


def to_json(record: pymarc.Record) -> dict[str, Any]:
    """MARC-in-JSON: leader, then fields in order with indicators and subfields."""
    return record.as_dict()


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


def as_iso2709(record: pymarc.Record) -> bytes:
    record.leader = Leader(str(record.leader)[:9] + "a" + str(record.leader)[10:])
    return record.as_marc21()


def as_marcxml(record: pymarc.Record) -> bytes:
    return pymarc.record_to_xml(record, namespace=True)


# --- The MARC editor's text form (MARCMaker mnemonic lines: "=245  10$aTitle$cAuthor") --------


BLANK = "\\"  # a blank in a control field or indicator


def to_mnemonic(record: pymarc.Record) -> str:
    lines = [f"=LDR  {record.leader}"]
    for f in record.fields:
        if f.is_control_field():
            data = (f.data or "").replace(" ", BLANK)
            lines.append(f"={f.tag}  {data}")
        else:
            ind = "".join(i if i != " " else BLANK for i in (f.indicators or "  "))
            subs = "".join(f"${s.code}{s.value.replace('$', '{dollar}')}" for s in f.subfields)
            lines.append(f"={f.tag}  {ind}{subs}")
    return "\n".join(lines)


class MnemonicError(ValueError):
    pass


def from_mnemonic(text: str) -> pymarc.Record:
    """Parse the editor's text; raises MnemonicError naming the line that is wrong."""
    record = pymarc.Record(to_unicode=True, force_utf8=True)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not line.startswith("=") or len(line) < 6 or line[4:6] != "  ":
            raise MnemonicError(f"line {number}: expected “=TAG  …”, found {line[:20]!r}")
        tag, body = line[1:4], line[6:]
        if tag == "LDR":
            record.leader = Leader(body.replace("\\", " ").ljust(24)[:24])
        elif not (tag.isalnum() and len(tag) == 3):
            raise MnemonicError(f"line {number}: {tag!r} is not a MARC tag")
        elif tag < "010" and tag.isdigit():
            record.add_field(Field(tag=tag, data=body.replace("\\", " ")))
        else:
            if len(body) < 3 or body[2] != "$":
                raise MnemonicError(f"line {number}: a data field needs two indicators, then $")
            ind = [c if c != "\\" else " " for c in body[:2]]
            parts = body[3:].split("$")
            subfields = []
            for part in parts:
                if not part:
                    raise MnemonicError(f"line {number}: empty subfield code after $")
                subfields.append(Subfield(code=part[0], value=part[1:].replace("{dollar}", "$")))
            record.add_field(Field(tag=tag, indicators=Indicators(*ind), subfields=subfields))
    if not record.get_fields("245"):
        raise MnemonicError("the record needs a title field (245)")
    return record
