"""Serial numbers and MAC addresses as IT exports write them, checked and normalised."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MAC_DIGITS = re.compile(r"[0-9a-fA-F]{12}")
_MAC_SEPARATORS = re.compile(r"[\s:\-.]")
_SERIAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-_/.]{0,63}")


def normalise_mac(value: str) -> str:
    """``AA:BB:CC:DD:EE:FF`` from ``aabbccddeeff``, ``AA-BB-…``, ``aabb.ccdd.eeff`` (Cisco) or
    Google Admin's bare hex; ``ValidationError`` for anything else (or an all-zero/broadcast)."""
    digits = _MAC_SEPARATORS.sub("", value.strip())
    if not _MAC_DIGITS.fullmatch(digits):
        raise ValidationError(
            _("“%(value)s” is not a MAC address (12 hexadecimal digits, e.g. AA:BB:CC:DD:EE:FF).")
            % {"value": value[:40]}
        )
    digits = digits.upper()
    if digits in ("000000000000", "FFFFFFFFFFFF"):
        raise ValidationError(
            _("“%(value)s” is not a device's MAC address.") % {"value": value[:40]}
        )
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def parse_macs(value: str) -> list[str]:
    """Every MAC address in a cell (split on commas, semicolons, "|" or spaces between
    addresses), normalised, each once."""
    text = value.strip()
    if not text:
        return []
    parts = [p for p in re.split(r"[,;|]|\s{1,}(?=[0-9A-Fa-f]{2}[:\-])", text) if p.strip()]
    return list(dict.fromkeys(normalise_mac(p) for p in parts))


def normalise_serial(value: str) -> str:
    """A serial number in capitals without surrounding spaces; letters, digits and ``-_/.``."""
    text = value.strip().upper()
    if text and not _SERIAL.fullmatch(text):
        raise ValidationError(
            _("“%(value)s” is not a serial number (letters, digits and - _ / ., at most 64).")
            % {"value": value[:40]}
        )
    return text
