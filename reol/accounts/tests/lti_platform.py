"""A real LTI 1.3 platform for the tests, written with joserfc: its own RSA keys and JWKS, an
OIDC authorisation endpoint that answers a login initiation with a signed ID token posted back
by the browser, a client-credentials token endpoint that checks Reol's signed assertion, a
Names and Role Provisioning endpoint, and a deep-linking return that checks Reol's signed
answer against Reol's published key set (fetched over HTTP when Reol runs as a live server).

A small course page drives it from a browser: the teacher's "Add from Reol" starts a deep
linking launch; each link the course got starts a resource-link launch for whoever opens it.
"""

from __future__ import annotations

import html
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from joserfc.jwt import JWTClaimsRegistry

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLIENT_ID = "reol-tool-1"
DEPLOYMENT = "deployment-1"
TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
TEACHER_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
STUDENT_ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class Platform:
    """``people``: login name → claims of that person (sub, name, lis …, roles)."""

    def __init__(self, people: dict[str, dict[str, Any]], tool_base: str = "") -> None:
        self.people = people
        self.tool_base = tool_base  # the live server's address, for the browser's course page
        self.key = RSAKey.generate_key(2048, parameters={"kid": "platform-1"})
        self.old_keys: list[RSAKey] = []
        self.tool_keys: Callable[[], dict[str, Any]] = self._fetch_tool_keys
        self.links: list[dict[str, Any]] = []  # what deep linking added to the course
        self.tokens: set[str] = set()
        self.assertions: list[dict[str, Any]] = []
        self.registrations: list[tuple[str, dict[str, Any]]] = []  # (bearer, body)
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.http.server_port}"
        self.issuer = self.base
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)

    def __enter__(self) -> Platform:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()

    # --- What Reol registers -------------------------------------------------------------

    def registration(self) -> dict[str, Any]:
        return {
            "name": "Moodle",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "deployment_ids": DEPLOYMENT,
            "auth_login_url": self.base + "/auth",
            "auth_token_url": self.base + "/token",
            "jwks_url": self.base + "/jwks",
            "enabled": True,
        }

    def rotate(self) -> None:
        self.old_keys.append(self.key)
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": f"platform-{len(self.old_keys) + 1}"}
        )

    # --- Tokens ------------------------------------------------------------------------------

    def claims(self, login: str, nonce: str, hint: str, target: str = "") -> dict[str, Any]:
        now = int(time.time())
        person = self.people[login]
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT,
            LTI + "context": {"id": "course-7", "title": "5.A Danish"},
            NRPS: {
                "context_memberships_url": self.base + "/memberships/course-7",
                "service_versions": ["2.0"],
            },
            **person,
        }
        if hint == "deep-link":
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window"],
                "data": "course-7-dl",
            }
        else:
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": hint or "link-1"}
            claims[LTI + "target_link_uri"] = target
        return claims

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def _fetch_tool_keys(self) -> dict[str, Any]:
        return dict(requests.get(self.tool_base + "/lti/jwks.json", timeout=10).json())

    def check_tool_jwt(self, token: str, audience: str) -> dict[str, Any]:
        """A JWT Reol signed, checked against Reol's published keys (fails if forged)."""
        keys = KeySet.import_key_set(self.tool_keys())  # type: ignore[arg-type]
        claims = dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)
        JWTClaimsRegistry(
            iss={"essential": True, "value": CLIENT_ID}, exp={"essential": True}
        ).validate(claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        assert audience in audiences, audiences
        return claims

    def accept_deep_link(self, token: str) -> list[dict[str, Any]]:
        claims = self.check_tool_jwt(token, self.issuer)
        assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
        assert claims[DL + "data"] == "course-7-dl"
        items = list(claims[DL + "content_items"])
        self.links.extend(items)
        return items

    # --- The web server ------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: str, kind: str = "text/html") -> None:
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", f"{kind}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, json.dumps(platform.configuration()), "application/json")
                elif url.path == "/jwks":
                    keys = [k.as_dict(private=False) for k in [platform.key, *platform.old_keys]]
                    self._send(200, json.dumps({"keys": keys}), "application/json")
                elif url.path == "/auth":
                    self._send(200, platform._auth_page(query))
                elif url.path == "/course":
                    login, framed = query.get("as", ""), query.get("embed") == "1"
                    self._send(200, platform._course_page(login, framed))
                elif url.path.startswith("/memberships/"):
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if bearer not in platform.tokens:
                        self._send(401, "{}", "application/json")
                        return
                    body = {"id": self.path, "members": platform.members()}
                    self._send(
                        200,
                        json.dumps(body),
                        "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                    )
                else:
                    self._send(404, "not here")

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form_raw = self.rfile.read(length).decode()
                form = {k: v[0] for k, v in parse_qs(form_raw).items()}
                if self.path == "/token":
                    claims = platform.check_tool_jwt(
                        form["client_assertion"], platform.base + "/token"
                    )
                    platform.assertions.append(claims)
                    token = secrets.token_urlsafe(16)
                    platform.tokens.add(token)
                    body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
                    self._send(200, json.dumps(body), "application/json")
                elif self.path == "/register":
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    platform.registrations.append((bearer, json.loads(form_raw)))
                    body = {"client_id": CLIENT_ID, TOOL_CONF: {"deployment_id": DEPLOYMENT}}
                    self._send(201, json.dumps(body), "application/json")
                elif self.path == "/deep-link-return":
                    items = platform.accept_deep_link(form["JWT"])
                    titles = "".join(f"<li>{html.escape(i['title'])}</li>" for i in items)
                    self._send(
                        200, f"<title>Course</title><h1>Added to the course</h1><ul>{titles}</ul>"
                    )
                else:
                    self._send(404, "not here")

        return Handler

    def configuration(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.base + "/auth",
            "token_endpoint": self.base + "/token",
            "jwks_uri": self.base + "/jwks",
            "registration_endpoint": self.base + "/register",
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle"
            },
        }

    def members(self) -> list[dict[str, Any]]:
        rows = []
        for person in self.people.values():
            row = {
                "status": "Active",
                "user_id": person["sub"],
                "name": person.get("name", ""),
                "roles": person.get(LTI + "roles", []),
            }
            lis = person.get(LTI + "lis", {})
            if lis.get("person_sourcedid"):
                row["lis_person_sourcedid"] = lis["person_sourcedid"]
            rows.append(row)
        return rows

    def _auth_page(self, query: dict[str, str]) -> str:
        """The platform's answer to Reol's authentication request: the signed launch, posted
        back by the browser (the platform knows who is signed in: the login hint)."""
        assert query["client_id"] == CLIENT_ID and query["response_mode"] == "form_post"
        hint = query.get("lti_message_hint", "")
        target = self.links[int(hint[5:])]["url"] if hint.startswith("link-") else ""
        token = self.sign(self.claims(query["login_hint"], query["nonce"], hint, target))
        return (
            "<title>Launching</title><form method='post' action='"
            + html.escape(query["redirect_uri"])
            + "'><input type='hidden' name='id_token' value='"
            + token
            + "'><input type='hidden' name='state' value='"
            + html.escape(query["state"])
            + "'><button type='submit'>Continue</button></form>"
            + "<script>document.forms[0].submit()</script>"
        )

    def login_url(self, login: str, hint: str, target: str = "") -> str:
        params = {
            "iss": self.issuer,
            "login_hint": login,
            "target_link_uri": target or self.tool_base + "/opac/",
            "lti_message_hint": hint,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT,
        }
        return self.tool_base + "/lti/login/?" + urlencode(params)

    def _course_page(self, login: str, framed: bool = False) -> str:
        """The course; ``framed``: its links open Reol in a frame of this page (embedded)."""
        parts = ["<title>5.A Danish</title><h1>5.A Danish</h1><ul>"]
        into = " target='reol'" if framed else ""
        for n, link in enumerate(self.links):
            url = html.escape(self.login_url(login, f"link-{n}", link["url"]))
            parts.append(f"<li><a href='{url}'{into}>{html.escape(link['title'])}</a></li>")
        parts.append("</ul>")
        if framed:
            parts.append(
                "<iframe name='reol' title='Reol' style='width:100%;height:40em'></iframe>"
            )
        if TEACHER_ROLE in self.people[login].get(LTI + "roles", []):
            url = html.escape(self.login_url(login, "deep-link"))
            parts.append(f"<p><a href='{url}'>Add from Reol</a></p>")
        return "".join(parts)
