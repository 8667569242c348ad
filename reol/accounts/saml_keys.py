"""Reol's key as a SAML service provider: made at the first use (RSA 2048 and a self-signed
certificate, ten years: SAML trusts the certificate in the metadata, not a CA), kept sealed in
the database, and written for xmlsec1 (which reads files) to a private folder once per
process."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.db import transaction

from .models import SamlSigningKey

_written: dict[str, tuple[str, str]] = {}  # by the certificate's digest


def _new() -> SamlSigningKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Reol SAML service provider")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return SamlSigningKey.objects.create(
        private_pem=pem, certificate=cert.public_bytes(serialization.Encoding.PEM).decode()
    )


def current() -> SamlSigningKey:
    with transaction.atomic():
        found = SamlSigningKey.objects.order_by("-created_at", "-pk").first()
        return found or _new()


def files() -> tuple[str, str]:
    """The key's and the certificate's paths, for pysaml2 (readable by this process only)."""
    key = current()
    mark = hashlib.sha256(key.certificate.encode()).hexdigest()
    if mark not in _written or not Path(_written[mark][0]).exists():
        folder = Path(tempfile.mkdtemp(prefix="reol-saml-"))  # mode 0700
        key_path, cert_path = folder / "sp.key", folder / "sp.crt"
        descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(str(key.private_pem))
        cert_path.write_text(key.certificate)
        _written[mark] = (str(key_path), str(cert_path))
    return _written[mark]
