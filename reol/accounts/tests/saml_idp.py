"""A real SAML 2.0 identity provider for the tests: pysaml2's ``Server``, with its own key and
self-signed certificate, behind a small local web server (a login form, then the signed answer
posted back to Reol by the browser). ``answer(...)`` gives the same answer without a browser,
for tests that then tamper with it."""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
import secrets
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORD
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256

IDP_PASSWORD = "Idp-Pass-1"


def _key_and_cert(folder: Path) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-idp")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class SamlIdP:
    def __init__(self, folder: Path, people: dict[str, dict[str, str]]) -> None:
        self.people = people
        self.key_file, self.cert_file = _key_and_cert(folder)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.http.server_port}"
        self.server: Server | None = None
        self.pending: dict[str, tuple[Any, str]] = {}
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def _config(self, sp_metadata: str | None) -> IdPConfig:
        conf: dict[str, Any] = {
            "entityid": self.base + "/metadata",
            "xmlsec_binary": shutil.which("xmlsec1"),
            "key_file": str(self.key_file),
            "cert_file": str(self.cert_file),
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(self.base + "/sso", BINDING_HTTP_REDIRECT)],
                        "single_logout_service": [(self.base + "/slo", BINDING_HTTP_REDIRECT)],
                    },
                    "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    "policy": {
                        "default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}
                    },
                }
            },
        }
        if sp_metadata:
            conf["metadata"] = {"inline": [sp_metadata]}
        config = IdPConfig()
        config.load(conf)
        return config

    def metadata(self) -> str:
        return str(entity_descriptor(self._config(None)))

    def trust(self, sp_metadata: str) -> None:
        self.server = Server(config=self._config(sp_metadata))

    def __enter__(self) -> SamlIdP:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()

    def answer(self, request_url: str, username: str) -> dict[str, str]:
        """The signed answer to Reol's request for ``username``: acs, SAMLResponse, RelayState."""
        query = {k: v[0] for k, v in parse_qs(urlparse(request_url).query).items()}
        assert self.server is not None
        request = self.server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        return self._respond(request, query.get("RelayState", ""), username)

    # --- Single logout (HTTP-Redirect, signed as Reol requires) ---------------------------

    def _sp_slo(self, sp_entity_id: str) -> str:
        assert self.server is not None
        found = self.server.metadata.single_logout_service(
            sp_entity_id, BINDING_HTTP_REDIRECT, "spsso"
        )
        return str(found[0]["location"])

    def logout_request(
        self, sp_entity_id: str, username: str, session_index: str = "", sign: bool = True
    ) -> str:
        """The IdP's own logout of ``username`` at Reol: the address to send the browser to."""
        assert self.server is not None
        destination = self._sp_slo(sp_entity_id)
        _id, request = self.server.create_logout_request(
            destination,
            sp_entity_id,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{username}"),
            session_indexes=[session_index] if session_index else None,
            sign=False,
        )
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(request),
            destination,
            "relay-1",
            sign=sign,
            sigalg=SIG_RSA_SHA256,
        )
        return str(dict(info["headers"])["Location"])

    def _verify_sp(self, url: str, kind: str, sp_entity_id: str) -> dict[str, str]:
        """The query of a message Reol sent, its signature checked with Reol's certificate."""
        assert self.server is not None
        query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
        params = {k: query[k] for k in (kind, "RelayState", "SigAlg", "Signature") if k in query}
        certs = self.server.metadata.certs(sp_entity_id, "spsso", "signing")
        assert certs, "Reol's metadata publishes no signing certificate"
        backend = self.server.sec.sec_backend
        assert any(verify_redirect_signature(params, backend, c) for _n, c in certs), kind
        return query

    def answer_logout(self, url: str, sp_entity_id: str) -> tuple[Any, str]:
        """Reol's LogoutRequest (signature checked): the request and our signed answer's
        address back at Reol."""
        assert self.server is not None
        query = self._verify_sp(url, "SAMLRequest", sp_entity_id)
        request = self.server.parse_logout_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
        response = self.server.create_logout_response(
            request.message, [BINDING_HTTP_REDIRECT], sign=False
        )
        destination = self._sp_slo(sp_entity_id)
        info = self.server.apply_binding(
            BINDING_HTTP_REDIRECT,
            str(response),
            destination,
            "",
            response=True,
            sign=True,
            sigalg=SIG_RSA_SHA256,
        )
        return request.message, str(dict(info["headers"])["Location"])

    def logout_status(self, url: str, sp_entity_id: str) -> str:
        """Reol's LogoutResponse (signature checked): its status code."""
        assert self.server is not None
        query = self._verify_sp(url, "SAMLResponse", sp_entity_id)
        answer = self.server.parse_logout_request_response(
            query["SAMLResponse"], BINDING_HTTP_REDIRECT
        )
        return str(answer.response.status.status_code.value)

    def _respond(self, request: Any, relay_state: str, username: str) -> dict[str, str]:
        assert self.server is not None
        person = self.people[username]
        args = self.server.response_args(request.message)
        response = self.server.create_authn_response(
            {
                "uid": [username],
                "givenName": [person.get("given", "")],
                "mail": [person.get("mail", "")],
            },
            userid=username,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=f"pid-{username}"),
            authn={"class_ref": PASSWORD, "authn_auth": self.base},
            sign_assertion=True,
            in_response_to=args["in_response_to"],
            destination=args["destination"],
            sp_entity_id=args["sp_entity_id"],
            name_id_policy=args.get("name_id_policy"),
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        return {"acs": args["destination"], "SAMLResponse": encoded, "RelayState": relay_state}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _html(self, body: str, status: int = 200) -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                assert idp.server is not None
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                request = idp.server.parse_authn_request(
                    query["SAMLRequest"], BINDING_HTTP_REDIRECT
                )
                key = secrets.token_urlsafe(8)
                idp.pending[key] = (request, query.get("RelayState", ""))
                self._html(
                    "<!DOCTYPE html><html lang='en'><head><title>District sign-in</title></head>"
                    "<body><main><h1>District sign-in</h1><form method='post' action='/login'>"
                    f"<input type='hidden' name='key' value='{key}'>"
                    "<label for='u'>District username</label><input id='u' name='username'>"
                    "<label for='p'>District password</label>"
                    "<input id='p' name='password' type='password'>"
                    "<button type='submit'>Log in</button></form></main></body></html>"
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                request, relay = idp.pending.pop(form.get("key", ""), (None, ""))
                username = form.get("username", "")
                if (
                    request is None
                    or username not in idp.people
                    or (form.get("password") != IDP_PASSWORD)
                ):
                    self._html("<p>Wrong username or password.</p>", 403)
                    return
                answer = idp._respond(request, relay, username)
                fields = "".join(
                    f"<input type='hidden' name='{n}' value='{html.escape(answer[n])}'>"
                    for n in ("SAMLResponse", "RelayState")
                )
                self._html(
                    "<!DOCTYPE html><html lang='en'><head><title>Continue</title></head>"
                    f"<body onload='document.forms[0].submit()'><form method='post' "
                    f"action='{html.escape(answer['acs'])}'>{fields}"
                    "<button type='submit'>Continue</button></form></body></html>"
                )

        return Handler


def tamper(saml_response: str, old: str, new: str) -> str:
    """The same answer with some text changed after signing (its signature no longer holds)."""
    xml = base64.b64decode(saml_response).decode()
    assert re.search(re.escape(old), xml), old
    return base64.b64encode(xml.replace(old, new).encode()).decode()
