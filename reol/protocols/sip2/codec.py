"""SIP2 frames: reading a request and writing a response, with sequence numbers and checksums.

A frame is a two-digit command, a fixed part whose layout the command decides, then variable
fields ``XXvalue|``, then optionally ``AY<digit>AZ<4 hex>`` (error detection), then CR. The
checksum is the 16-bit two's complement of the sum of every byte up to and including "AZ",
computed over the bytes actually sent (so over the terminal's encoding, not over text).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

# Each request's fixed part: (name, length) in order (3M SIP2 2.00).
REQUESTS: dict[str, tuple[tuple[str, int], ...]] = {
    "93": (("uid_algorithm", 1), ("pwd_algorithm", 1)),
    "99": (("status_code", 1), ("max_print_width", 3), ("protocol_version", 4)),
    "23": (("language", 3), ("transaction_date", 18)),
    "63": (("language", 3), ("transaction_date", 18), ("summary", 10)),
    "11": (
        ("sc_renewal_policy", 1),
        ("no_block", 1),
        ("transaction_date", 18),
        ("nb_due_date", 18),
    ),
    "09": (("no_block", 1), ("transaction_date", 18), ("return_date", 18)),
    "29": (
        ("third_party_allowed", 1),
        ("no_block", 1),
        ("transaction_date", 18),
        ("nb_due_date", 18),
    ),
    "65": (("transaction_date", 18),),
    "17": (("transaction_date", 18),),
    "15": (("hold_mode", 1), ("transaction_date", 18)),
    "35": (("transaction_date", 18),),
    "01": (("card_retained", 1), ("transaction_date", 18)),
    "19": (("transaction_date", 18),),
    "25": (("transaction_date", 18),),
    "37": (
        ("transaction_date", 18),
        ("fee_type", 2),
        ("payment_type", 2),
        ("currency_type", 3),
    ),
    "97": (),
}
MAX_FRAME = 4096  # bytes; a longer line is refused without being kept
MAX_FIELD = 255  # characters in a variable field (the standard's limit for most fields)
_TRAILER = re.compile(rb"\|?AY(\d)AZ([0-9A-Fa-f]{1,4})$")
_FIELD_CODE = re.compile(r"^[A-Z][A-Z]$")


class FrameError(ValueError):
    """The frame cannot be read (too short, an unknown command, a bad checksum)."""


@dataclass
class Request:
    command: str
    fixed: dict[str, str]
    fields: dict[str, list[str]] = field(default_factory=dict)
    sequence: str | None = None  # AY, when the terminal uses error detection

    def get(self, code: str, default: str = "") -> str:
        values = self.fields.get(code)
        return values[0] if values else default


def checksum(data: bytes) -> str:
    return f"{(-sum(data)) & 0xFFFF:04X}"


def decode(frame: bytes, encoding: str) -> Request:
    """A request from one frame (without its CR). Raises FrameError."""
    frame = frame.rstrip(b"\r\n")
    sequence = None
    trailer = _TRAILER.search(frame)
    if trailer:
        upto = frame[: trailer.start(2)]  # everything up to and including "AZ"
        # Some clients leave out leading zeros ("C78" for "0C78"): compare as numbers.
        if int(checksum(upto), 16) != int(trailer.group(2), 16):
            raise FrameError("checksum")
        sequence = trailer.group(1).decode()
        frame = frame[: trailer.start()]
    elif b"AY" in frame[-8:] and b"AZ" in frame[-6:]:
        raise FrameError("checksum")
    try:
        text = frame.decode(encoding)
    except UnicodeDecodeError:
        text = frame.decode("latin-1")
    command = text[:2]
    if command not in REQUESTS:
        raise FrameError(f"unknown command {command!r}")
    fixed: dict[str, str] = {}
    at = 2
    for name, length in REQUESTS[command]:
        value = text[at : at + length]
        if len(value) != length:
            raise FrameError("fixed fields cut short")
        fixed[name] = value
        at += length
    request = Request(command, fixed, sequence=sequence)
    for part in text[at:].split("|"):
        if len(part) < 2:
            continue
        code = part[:2]
        if _FIELD_CODE.match(code):
            request.fields.setdefault(code, []).append(part[2:])
    return request


def clean(value: object, limit: int = MAX_FIELD) -> str:
    """A value as a field may carry it: no delimiter, no CR/LF or controls, within its length."""
    text = "".join(" " if ch in "|\r\n" or ord(ch) < 32 else ch for ch in str(value))
    return text[:limit]


@dataclass
class Response:
    command: str
    fixed: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)

    def add(self, code: str, value: object, *, optional: bool = False) -> Response:
        if optional and (value is None or value == ""):
            return self
        self.fields.append((code, clean("" if value is None else value)))
        return self

    def encode(self, encoding: str, sequence: str | None) -> bytes:
        body = self.command + self.fixed + "".join(f"{c}{v}|" for c, v in self.fields)
        data = body.encode(encoding, errors="replace")
        if sequence is not None:
            data += f"AY{sequence}AZ".encode()
            data += checksum(data).encode()
        return data + b"\r"


def sip_date(moment: dt.datetime | dt.date | None) -> str:
    """SIP2's 18-character date, ``YYYYMMDDZZZZHHMMSS`` in local time (zone left blank); blank
    (18 spaces) where there is no date."""
    if moment is None:
        return " " * 18
    if isinstance(moment, dt.datetime):
        return moment.strftime("%Y%m%d    %H%M%S")
    return moment.strftime("%Y%m%d    235959")


def flag(value: bool) -> str:
    return "Y" if value else "N"
