"""LTI 1.3, the tool's half of the protocol: the authentication request, the launch's ID token
checks, the deep-linking answer, and the service calls (client-credentials token, Names and
Role Provisioning). Only this module speaks LTI's HTTP and JWTs; writes are in ``lti_services``.

The launch is OpenID Connect's third-party-initiated implicit flow, so it reuses ``oidc``: the
platform's key set is cached and fetched again at once for an unknown key id (a platform
rotating its keys is followed without downtime). joserfc signs and checks every JWT.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import RSAKey
from joserfc.jwt import JWTClaimsRegistry

from reol.core import outbound

from . import oidc
from .models import LtiPlatform
from .oidc import Refusal

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT = LTI + "deployment_id"
TARGET = LTI + "target_link_uri"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
NRPS_MEDIA = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
RESOURCE_LINK = "LtiResourceLinkRequest"
DEEP_LINK = "LtiDeepLinkingRequest"
TOKEN_SECONDS = 300  # lifetime of what Reol signs (deep-linking answers, client assertions)
MAX_PAGES = 50  # a roster of 50 pages is a very large course; stop there


@dataclass
class Launch:
    """A verified launch: whom it is from, what it asks for, and its claims."""

    platform: LtiPlatform
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return str(self.claims.get(MESSAGE_TYPE, ""))

    @property
    def target(self) -> str:
        return str(self.claims.get(TARGET, ""))

    @property
    def deep_linking(self) -> dict[str, Any]:
        value = self.claims.get(DEEP_LINKING)
        return value if isinstance(value, dict) else {}

    @property
    def memberships_url(self) -> str:
        value = self.claims.get(NRPS)
        return str(value.get("context_memberships_url", "")) if isinstance(value, dict) else ""

    @property
    def context(self) -> dict[str, Any]:
        value = self.claims.get(CONTEXT)
        return value if isinstance(value, dict) else {}


def new_private_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
    return key


def public_key_set(private_jwks: list[str]) -> dict[str, Any]:
    """The JWKS a platform fetches: the public halves only."""
    keys = [RSAKey.import_key(json.loads(text)).as_dict(private=False) for text in private_jwks]
    for key in keys:
        key.setdefault("alg", "RS256")
        key.setdefault("use", "sig")
    return {"keys": keys}


def authentication_url(
    platform: LtiPlatform,
    *,
    redirect_uri: str,
    login_hint: str,
    message_hint: str,
    state: str,
    nonce: str,
) -> str:
    """Where login initiation sends the browser: the platform's OIDC authorisation endpoint."""
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if message_hint:
        params["lti_message_hint"] = message_hint
    glue = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + glue + urlencode(params)


def _refusal(reason: str, detail: str) -> Refusal:
    return Refusal(
        reason,
        _("The learning platform's launch could not be verified. Open it again from the course."),
        detail=detail[:300],
    )


def _decode(id_token: str, platform: LtiPlatform) -> dict[str, Any]:
    try:
        keys = oidc.key_set(platform.jwks_url)
        kid = jws.extract_compact(id_token.encode()).headers().get("kid")
        if kid and not any(k.kid == kid for k in keys.keys):
            keys = oidc.key_set(platform.jwks_url, refresh_for=kid)
        return dict(jwt.decode(id_token, keys, algorithms=oidc.ALGORITHMS).claims)
    except Refusal:
        raise
    except (JoseError, ValueError, TypeError) as error:
        raise _refusal("bad_signature", f"signature: {error}") from error


def verify_launch(id_token: str, platform: LtiPlatform, *, nonce: str) -> Launch:
    """The launch's claims once signature, issuer, audience, times, nonce, LTI version,
    deployment and message type hold; a ``Refusal`` naming the first that does not."""
    claims = _decode(id_token, platform)
    registry = JWTClaimsRegistry(
        leeway=oidc.LEEWAY,
        iss={"essential": True, "value": platform.issuer},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as error:
        raise _refusal("expired", f"exp {claims.get('exp')}") from error
    except JoseError as error:
        raise _refusal("bad_token", f"{error.error}: {error.description or ''}") from error
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if platform.client_id not in audiences or (
        len(audiences) > 1 and claims.get("azp") != platform.client_id
    ):
        raise _refusal("wrong_audience", f"audience {audience!r} is not {platform.client_id!r}")
    if claims.get("nonce") != nonce:
        raise _refusal("nonce_mismatch", "the token's nonce is not the one this launch was given")
    if claims.get(VERSION) != "1.3.0":
        raise _refusal("bad_version", f"LTI version {claims.get(VERSION)!r}")
    if str(claims.get(DEPLOYMENT, "")) not in platform.deployments():
        raise _refusal("unknown_deployment", f"deployment {claims.get(DEPLOYMENT)!r}")
    if claims.get(MESSAGE_TYPE) not in (RESOURCE_LINK, DEEP_LINK):
        raise _refusal("unknown_message", f"message type {claims.get(MESSAGE_TYPE)!r}")
    if claims.get(MESSAGE_TYPE) == DEEP_LINK and not claims.get(DEEP_LINKING, {}).get(
        "deep_link_return_url"
    ):
        raise _refusal("bad_token", "deep linking request without a return URL")
    return Launch(platform, claims)


def deep_linking_response(launch: Launch, items: list[dict[str, Any]], key: RSAKey) -> str:
    """The signed ``LtiDeepLinkingResponse`` the browser posts back to the platform."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": launch.platform.client_id,
        "aud": [launch.platform.issuer],
        "azp": launch.platform.client_id,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "nonce": secrets.token_urlsafe(16),
        MESSAGE_TYPE: "LtiDeepLinkingResponse",
        VERSION: "1.3.0",
        DEPLOYMENT: launch.claims[DEPLOYMENT],
        CONTENT_ITEMS: items,
    }
    if "data" in launch.deep_linking:
        claims[DL_DATA] = launch.deep_linking["data"]
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, key)


def _post_form(url: str, data: dict[str, str]) -> dict[str, Any]:
    try:
        outbound.check(url)
        response = requests.post(
            url, data=data, timeout=oidc.TIMEOUT, hooks=outbound.REDIRECTS_CHECKED
        )
        response.raise_for_status()
        return dict(response.json())
    except (requests.RequestException, ValueError, TypeError, outbound.Refused) as error:
        raise Refusal(
            "platform_unreachable",
            _("The learning platform did not answer. Try again in a moment."),
            detail=f"{url}: {error}"[:300],
        ) from error


def access_token(platform: LtiPlatform, scope: str, key: RSAKey) -> str:
    """A client-credentials token from the platform, asked for with a signed JWT assertion."""
    now = int(time.time())
    assertion = jwt.encode(
        {"alg": "RS256", "kid": key.kid, "typ": "JWT"},
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": now,
            "exp": now + TOKEN_SECONDS,
            "jti": secrets.token_urlsafe(16),
        },
        key,
    )
    answer = _post_form(
        platform.auth_token_url,
        {
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        },
    )
    if not answer.get("access_token"):
        raise Refusal(
            "no_access_token",
            _("The learning platform did not grant access to the course's roster."),
            detail=str(answer)[:300],
        )
    return str(answer["access_token"])


def memberships(platform: LtiPlatform, url: str, key: RSAKey) -> list[dict[str, Any]]:
    """The course's members (Names and Role Provisioning Services 2.0), all pages."""
    token = access_token(platform, NRPS_SCOPE, key)
    members: list[dict[str, Any]] = []
    next_url: str | None = url
    for _page in range(MAX_PAGES):
        if not next_url:
            break
        try:
            outbound.check(next_url)
            response = requests.get(
                next_url,
                headers={"Authorization": f"Bearer {token}", "Accept": NRPS_MEDIA},
                timeout=oidc.TIMEOUT,
                hooks=outbound.REDIRECTS_CHECKED,
            )
            response.raise_for_status()
            members.extend(m for m in response.json().get("members", []) if isinstance(m, dict))
        except (requests.RequestException, ValueError, AttributeError, outbound.Refused) as error:
            raise Refusal(
                "platform_unreachable",
                _("The learning platform did not answer. Try again in a moment."),
                detail=f"{next_url}: {error}"[:300],
            ) from error
        next_url = response.links.get("next", {}).get("url")
    return members


# --- Dynamic Registration (LTI Dynamic Registration 1.0) ------------------------------------

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@dataclass
class ToolAddresses:
    login: str
    launch: str
    target: str
    jwks: str
    domain: str


def _not_registered(detail: str) -> Refusal:
    return Refusal(
        "registration_failed",
        _("The learning platform could not be registered. Tell its administrator."),
        detail=detail[:300],
    )


def platform_configuration(url: str) -> dict[str, Any]:
    """The platform's OpenID configuration; its issuer must be the address's own site."""
    try:
        outbound.check(url)  # the address comes with the registration link, from anyone
        response = requests.get(
            url,
            timeout=oidc.TIMEOUT,
            headers={"Accept": "application/json"},
            hooks=outbound.REDIRECTS_CHECKED,
        )
        response.raise_for_status()
        config = dict(response.json())
    except (requests.RequestException, ValueError, TypeError, outbound.Refused) as error:
        raise _not_registered(f"{url}: {error}") from error
    issuer = str(config.get("issuer", "")).rstrip("/")
    site = urlsplit(url)
    if not issuer or urlsplit(issuer)[:2] != site[:2]:
        raise _not_registered(f"issuer {issuer!r} is not of {site.scheme}://{site.netloc}")
    wanted = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
    missing = [k for k in wanted if not config.get(k)]
    if missing:
        raise _not_registered("missing: " + ", ".join(missing))
    return config


def register_tool(
    config: dict[str, Any], registration_token: str, tool: ToolAddresses, name: str
) -> dict[str, Any]:
    """Post Reol's registration to the platform; its answer (client id, deployment id)."""
    body: dict[str, Any] = {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login,
        "redirect_uris": [tool.launch],
        "client_name": name,
        "jwks_uri": tool.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": NRPS_SCOPE,
        TOOL_CONFIGURATION: {
            "domain": tool.domain,
            "target_link_uri": tool.target,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": [{"type": DEEP_LINK, "target_link_uri": tool.target}],
        },
    }
    headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
    try:
        outbound.check(str(config["registration_endpoint"]))
        response = requests.post(
            config["registration_endpoint"],
            json=body,
            headers=headers,
            timeout=oidc.TIMEOUT,
            hooks=outbound.REDIRECTS_CHECKED,
        )
        response.raise_for_status()
        answer = dict(response.json())
    except (requests.RequestException, ValueError, TypeError, outbound.Refused) as error:
        raise _not_registered(f"registration: {error}") from error
    if not answer.get("client_id"):
        raise _not_registered("the platform's answer has no client id")
    return answer
