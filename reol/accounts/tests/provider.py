"""A minimal OpenID Connect provider on a local port, for tests that need to hand Reol a
token of their own making (expired, wrong audience, another key …).

It serves discovery, its key set and a token endpoint that answers with whatever ID token the
test queued, signed with the provider's key unless the test signed it itself. It checks the
PKCE verifier against the challenge of the authorisation URL Reol built, as a real provider
would. The end-to-end sign-in goes through a real provider instead (``idp/``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class FakeProvider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})
        self.keys = [self.key]
        self.queued: list[str | dict[str, Any]] = []
        self.challenges: dict[str, str] = {}  # code -> PKCE challenge
        self.jwks_fetches = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeProvider:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def claims(self, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "subject-1",
            "aud": "reol-client",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "preferred_username": "elev-a1",
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def rotate(self) -> RSAKey:
        """A new key (and only it) published from now on, as a provider rotating keys does."""
        self.key = RSAKey.generate_key(2048, parameters={"kid": f"key-{len(self.keys) + 1}"})
        self.keys = [self.key]
        return self.key

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _json(self, value: Any, status: int = 200) -> None:
                body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                path = urlparse(self.path).path
                if path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": provider.issuer + "/authorize",
                            "token_endpoint": provider.issuer + "/token",
                            "jwks_uri": provider.issuer + "/jwks",
                            "code_challenge_methods_supported": ["S256"],
                            "backchannel_logout_supported": True,
                        }
                    )
                elif path == "/jwks":
                    provider.jwks_fetches += 1
                    self._json(KeySet(provider.keys).as_dict(private=False))
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                challenge = provider.challenges.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if challenge is None or challenge != expected:
                    self._json({"error": "invalid_grant"}, 400)
                    return
                token = provider.queued.pop(0)
                id_token = token if isinstance(token, str) else provider.sign(token)
                self._json({"access_token": "at", "token_type": "Bearer", "id_token": id_token})

        return Handler
