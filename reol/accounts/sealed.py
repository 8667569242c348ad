"""Secrets Reol must send on (OpenID Connect client secrets) or sign with (its LTI private
keys), kept encrypted at rest: Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``),
keyed by HKDF from ``SECRET_KEY``. A key in ``SECRET_KEY_FALLBACKS`` still opens what it sealed,
so the installation's secret key can be rotated like Django's signing. A value without the
prefix is one stored before encryption, read as it is (and sealed at its next save).

Who reads the database (a backup, a stray dump) learns no secret without the key; who holds
the key and the database holds both, as with Django's sessions and signed cookies.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "sealed:"
_INFO = b"reol.accounts.sealed v1"


def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _keys() -> MultiFernet:
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(str(s)) for s in secrets])


def seal(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + _keys().encrypt(value.encode()).decode()


def unseal(value: str) -> str:
    """The secret; ``ValueError`` when no key of this installation sealed it."""
    if not value.startswith(PREFIX):
        return value
    try:
        return _keys().decrypt(value[len(PREFIX) :].encode()).decode()
    except InvalidToken as error:
        raise ValueError("sealed with another SECRET_KEY") from error
