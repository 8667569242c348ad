"""ISO 2709 records at the byte level: their terminators and size limit, a fast decoder for
the sound common record, and the diagnosis and repair of broken ones (a directory that does not
match the data, danMARC2's letter subfield codes) before pymarc reads them.

The fast reader takes the common ISO 2709 record: UTF-8 (leader/09 "a"), a sound directory,
two indicators, ASCII subfield codes. It builds the same ``pymarc.Record`` pymarc's own
decoder builds, in about half the time; any record it is not sure of (MARC-8, a directory
that does not match the data, a missing indicator, a byte that is not UTF-8) it leaves to
pymarc (``None``), so what is read, warned about or rejected stays exactly pymarc's and
``marc``'s.

pymarc spends its time in ``Field.__init__`` (which checks what a decoder already knows)
and in building each subfield; here fields are made without the checks and the subfields as
plain tuples of the named-tuple type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

import pymarc
from django.utils.translation import gettext as _
from pymarc import Field, Indicators, Leader, Subfield

_FIELD_END = 0x1E
_SUBFIELD = b"\x1f"
_new_field = Field.__new__
_new_tuple = tuple.__new__


def decode_utf8(chunk: bytes) -> pymarc.Record | None:
    """The record in ``chunk`` (its length in the leader already right), or None: ask pymarc."""
    if chunk[9:10] != b"a" or not chunk[:24].isascii():
        return None
    base_text = chunk[12:17]
    if not base_text.isdigit():
        return None
    base = int(base_text)
    size = len(chunk)
    if base < 25 or base > size or (base - 25) % 12 or chunk[base - 1] != _FIELD_END:
        return None
    directory = chunk[24 : base - 1]
    if not directory.isascii():
        return None
    fields: list[Field] = []
    try:
        for i in range(0, len(directory), 12):
            entry = directory[i : i + 12]
            numbers = entry[3:]
            if not numbers.isdigit():
                return None
            start = base + int(numbers[4:])
            end = start + int(numbers[:4])
            if end > size or chunk[end - 1] != _FIELD_END:
                return None
            tag = entry[:3].decode()
            field = _new_field(Field)
            field.tag = tag
            if tag < "010" and tag.isdigit():
                field.control_field = True
                field.data = chunk[start : end - 1].decode()
                field._indicators = None
                field.subfields = []
            else:
                parts = chunk[start : end - 1].split(_SUBFIELD)
                head = parts[0]
                if len(head) != 2 or not head.isascii():
                    return None  # pymarc warns and makes do; let it
                subfields = []
                for part in parts[1:]:
                    if not part:
                        continue
                    if part[0] > 0x7F:
                        return None  # a code beyond ASCII: pymarc's warning and guess
                    subfields.append(_new_tuple(Subfield, (chr(part[0]), part[1:].decode())))
                field.control_field = False
                field.data = None
                field._indicators = _new_tuple(Indicators, (chr(head[0]), chr(head[1])))
                field.subfields = subfields
            fields.append(field)
    except UnicodeDecodeError:
        return None  # pymarc says where, in its own way
    if not fields:
        return None
    record = pymarc.Record(fields=fields, to_unicode=True, force_utf8=True)
    record.leader = Leader(chunk[:24].decode())
    return record


RECORD_TERMINATOR = b"\x1d"
MAX_RECORD_BYTES = 99_999  # the largest length ISO 2709 can express
BLOCK = 1 << 16  # how much of a stream is read at a time
FIELD_TERMINATOR = b"\x1e"


def raw_001(chunk: bytes) -> str:
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


# A subfield code that is a letter beyond ASCII (danMARC2 has *æ, *ø, *å) is written in UTF-8
# as two bytes. pymarc would take the first byte for the code, warn, and guess a code from the
# value. Before pymarc reads the record such a code becomes DEL and a digit (as many bytes, so
# the directory stays right), and after it the letter again.
LETTER_CODE_START = b"\x1f\xc3"
LETTER_CODE = re.compile(b"\x1f\xc3([\xa6\xb8\xa5\x86\x98\x85])")
_LETTER_MARKS = {0xA6: b"1", 0xB8: b"2", 0xA5: b"3", 0x86: b"4", 0x98: b"5", 0x85: b"6"}
_LETTER_CODES = {"1": "æ", "2": "ø", "3": "å", "4": "Æ", "5": "Ø", "6": "Å"}


def escape_letter_code(match: re.Match[bytes]) -> bytes:
    return b"\x1f\x7f" + _LETTER_MARKS[match.group(1)[0]]


def unescape_letter_codes(record: pymarc.Record) -> None:
    for f in record.fields:
        if f.control_field:
            continue
        for n, s in enumerate(f.subfields):
            if s.code == "\x7f" and s.value[:1] in _LETTER_CODES:
                f.subfields[n] = Subfield(_LETTER_CODES[s.value[0]], s.value[1:])


def bad_byte(chunk: bytes, utf8: bool) -> str:
    """Where in the record the first byte that is not UTF-8 is (for a UTF-8 record)."""
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError as error:
        return _(" at byte %(n)d of the record") % {"n": error.start} if utf8 else ""
    return ""


def directory_of(chunk: bytes) -> tuple[int, list[bytes]] | None:
    """(base address, the directory's 12-byte entries); the base address is taken from the
    directory's own terminator when the leader's is wrong. None if there are no whole entries."""
    base = int(chunk[12:17])
    if base < 25 or base > len(chunk) or (base - 25) % 12 or chunk[base - 1 : base] != b"\x1e":
        base = chunk.find(FIELD_TERMINATOR, 24) + 1
        if base < 25 or (base - 25) % 12:
            return None
    return base, [chunk[i : i + 12] for i in range(24, base - 1, 12)]


def past_end(chunk: bytes) -> bool:
    """Does the directory point past the end of the bytes there are (a cut-off record)?"""
    base, entries = directory_of(chunk) or (int(chunk[12:17]), [])
    if base >= len(chunk):
        return True
    for entry in entries:
        if entry[3:].isdigit() and base + int(entry[7:12]) + int(entry[3:7]) > len(chunk):
            return True
    return False


def directory_problem(chunk: bytes) -> str:
    """'' if every directory entry points at a field that ends with a field terminator."""
    found = directory_of(chunk)
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


def by_terminators(chunk: bytes) -> bytes | None:
    """The record with its directory rebuilt from the field terminators in its data, if the
    data holds as many fields as the directory has tags (else None: it cannot be trusted)."""
    found = directory_of(chunk)
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


def chunks(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
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
                at = embedded_record(chunk)  # a whole record at the end of what was skipped
                if at:
                    yield offset + at, chunk[at:]
            elif chunk.strip(b"\r\n\x00 \x1a"):  # ignore line breaks and padding between records
                yield offset, chunk
            offset += len(chunk)
    if buffer.strip(b"\r\n\x00 \x1a") and not skipping:
        yield offset, buffer


def looks_utf8(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return any(ord(ch) > 127 for ch in text)


# A MARC21 leader: length, 5 codes, "22", base address, 3 codes, "4500".
LEADER = re.compile(rb"\d{5}[ -~]{5}22\d{5}[ -~]{3}4500")


def embedded_record(chunk: bytes) -> int:
    """Where a whole record begins inside ``chunk`` after something that is not one (0: it
    does not): a leader whose length reaches exactly to the chunk's terminator. A record cut
    off before its terminator then does not take the next record down with it."""
    for match in LEADER.finditer(chunk, 1):
        if int(chunk[match.start() : match.start() + 5]) == len(chunk) - match.start():
            return match.start()
    return 0
