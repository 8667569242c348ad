"""A real OpenID Connect provider for the tests (django-oauth-toolkit), run in its own process."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "reol-client"
CLIENT_SECRET = "idp-client-secret"
PASSWORD = "School-Pass-1"


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen[str]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    folder: Path, redirect_uri: str, people: list[dict[str, str]], post_logout_uri: str = ""
) -> Iterator[RunningProvider]:
    """Start the provider with its own database and key; end it afterwards."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = folder / "idp-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    config = {
        "port": port,
        "db": str(folder / "idp.sqlite3"),
        "key": str(key_file),
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "post_logout_redirect_uri": post_logout_uri,
        "people": [{"password": PASSWORD, **p} for p in people],
    }
    config_file = folder / "idp.json"
    config_file.write_text(json.dumps(config))
    process = subprocess.Popen(
        [sys.executable, "-m", "reol.accounts.tests.idp.serve", str(config_file)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[4],
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.strip() == "READY", f"the provider did not start: {line!r}"
        yield RunningProvider(issuer, process)
    finally:
        process.terminate()
        process.wait(timeout=10)
