"""Secrets the server must read back, sealed at rest (ASVS 6.4.1, 2.10.4).

A TOTP key and an identity provider's client secret cannot be hashed: Reol computes codes
from the one and sends the other. They are stored encrypted (Fernet: AES-128-CBC with an
HMAC-SHA256, from ``cryptography``) under a key derived from ``SECRET_KEY`` by HKDF, so a copy
of the database or a backup alone does not give them away.

Rotating ``SECRET_KEY`` keeps old secrets readable when the old key is kept in
``SECRET_KEY_FALLBACKS`` (Django's own rule); ``reol reseal`` (``core/keys.py``) then seals
every stored secret under the new key, after which the fallback can go.

Stored values start with ``sealed:``; a value without it is an old clear one, read as is and
sealed on the next save (the migration that introduced the field seals them all).
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "sealed:"


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"reol.core.sealed", info=b"v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@functools.lru_cache(maxsize=4)
def _keys(current: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet(current), *(_fernet(key) for key in fallbacks)])


def _box() -> MultiFernet:
    return _keys(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def seal(text: str) -> str:
    """The text sealed under the current key ("" stays "": nothing to hide)."""
    if not text:
        return text
    return PREFIX + _box().encrypt(text.encode()).decode()


def unseal(stored: str) -> str:
    """The clear text of a stored value; an old clear value is returned as it is."""
    if not is_sealed(stored):
        return stored
    try:
        return _box().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "A stored secret was sealed with a SECRET_KEY this installation no longer has. "
            "Put the old key in REOL_SECRET_KEY_FALLBACKS, or set the secret again."
        ) from error


class SealedField(models.TextField):
    """A text column whose value is sealed in the database and clear in Python."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value is None else seal(value)
