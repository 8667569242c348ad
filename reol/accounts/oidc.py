"""OpenID Connect, the relying party's half: discovery, the code flow with PKCE, and the ID
token's checks. Only this module speaks HTTP to a provider.

Authlib builds the authorisation request (state, nonce, PKCE S256) and exchanges the code;
joserfc (Authlib's own JOSE library, which ``authlib.jose`` now defers to) checks the ID token:
its signature against the provider's published keys, then ``iss``, ``aud``, ``azp``, ``exp``,
``iat`` and ``nonce``. Keys are cached per issuer; a token signed with a key id the cache does
not know makes one fresh fetch of the key set, so a provider rotating its keys is followed at
once, and a forger cannot make us fetch more than once a minute.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from authlib.integrations.requests_client import OAuth2Session
from django.utils.translation import gettext as _
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from reol.core import outbound

TIMEOUT = 10  # seconds for any request to a provider
CACHE_SECONDS = 3600  # discovery documents and key sets
REFETCH_AFTER = 60  # an unknown key id fetches the key set again at most this often
LEEWAY = 60  # clock difference tolerated on exp/iat/nbf
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


class Refusal(Exception):
    """A sign-in refused, with a reason code for the audit and a message for the person."""

    def __init__(self, reason: str, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.detail = detail


@dataclass
class _Cached:
    value: Any
    fetched: float = field(default_factory=time.monotonic)


_lock = threading.Lock()
_discovery: dict[str, _Cached] = {}
_keys: dict[str, _Cached] = {}
_refreshed: dict[tuple[str, str], float] = {}  # (jwks_uri, kid) -> when fetched for it


def forget_cache() -> None:
    with _lock:
        _discovery.clear()
        _keys.clear()
        _refreshed.clear()


def _get_json(url: str) -> Any:
    try:
        outbound.check(url)  # an administrator's issuer: never the server itself
        response = requests.get(
            url,
            timeout=TIMEOUT,
            headers={"Accept": "application/json"},
            hooks=outbound.REDIRECTS_CHECKED,
        )
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, ValueError, outbound.Refused) as error:
        raise Refusal(
            "provider_unreachable",
            _("The sign-in service could not be reached. Try again in a moment."),
            detail=f"{url}: {error}",
        ) from error


def discover(issuer: str) -> dict[str, Any]:
    """The provider's metadata (``/.well-known/openid-configuration``), checked and cached."""
    issuer = issuer.rstrip("/")
    with _lock:
        hit = _discovery.get(issuer)
    if hit is not None and time.monotonic() - hit.fetched < CACHE_SECONDS:
        return dict(hit.value)
    meta = _get_json(issuer + "/.well-known/openid-configuration")
    if not isinstance(meta, dict) or str(meta.get("issuer", "")).rstrip("/") != issuer:
        raise Refusal(
            "discovery_mismatch",
            _("The sign-in service is not set up correctly. Tell the school's administrator."),
            detail=f"issuer in metadata: {meta.get('issuer') if isinstance(meta, dict) else meta}",
        )
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if k not in meta]
    if missing:
        raise Refusal(
            "discovery_incomplete",
            _("The sign-in service is not set up correctly. Tell the school's administrator."),
            detail="missing: " + ", ".join(missing),
        )
    with _lock:
        _discovery[issuer] = _Cached(meta)
    return dict(meta)


def key_set(jwks_uri: str, *, refresh_for: str = "") -> KeySet:
    """The provider's signing keys. ``refresh_for`` names a key id the cache lacks: the set is
    fetched again, once a minute at most for that key id (a forger inventing key ids makes
    the throttle, not the provider, answer)."""
    now = time.monotonic()
    with _lock:
        hit = _keys.get(jwks_uri)
        retry = (jwks_uri, refresh_for)
        tried = _refreshed.get(retry, float("-inf")) if refresh_for else now
        wanted = bool(refresh_for) and now - tried >= REFETCH_AFTER
        if wanted:
            _refreshed[retry] = now
    if hit is not None and now - hit.fetched < CACHE_SECONDS and not wanted:
        return hit.value
    data = _get_json(jwks_uri)
    try:
        keys = KeySet.import_key_set(data)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        raise Refusal(
            "bad_keys",
            _("The sign-in service is not set up correctly. Tell the school's administrator."),
            detail=str(error),
        ) from error
    with _lock:
        _keys[jwks_uri] = _Cached(keys)
    return keys


def _session(client_id: str, client_secret: str, redirect_uri: str, scope: str) -> OAuth2Session:
    return OAuth2Session(
        client_id,
        client_secret or None,
        scope=scope,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic" if client_secret else "none",
    )


def authorization_url(
    meta: dict[str, Any],
    *,
    client_id: str,
    redirect_uri: str,
    scope: str,
    state: str,
    nonce: str,
    code_verifier: str,
) -> str:
    """Where to send the browser: the code flow, with state, nonce and a PKCE S256 challenge."""
    client = _session(client_id, "", redirect_uri, scope)
    url, _state = client.create_authorization_url(
        meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=code_verifier
    )
    return str(url)


def exchange_code(
    meta: dict[str, Any],
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    scope: str,
    code: str,
    code_verifier: str,
) -> dict[str, Any]:
    """The token endpoint's answer for ``code`` (the verifier proves we started the flow)."""
    client = _session(client_id, client_secret, redirect_uri, scope)
    try:
        token = client.fetch_token(
            meta["token_endpoint"], code=code, code_verifier=code_verifier, timeout=TIMEOUT
        )
    except Exception as error:  # Authlib raises OAuthError, requests its own; both refuse
        raise Refusal(
            "token_exchange_failed",
            _("The sign-in service did not confirm the sign-in. Try again."),
            detail=str(error)[:300],
        ) from error
    if not token.get("id_token"):
        raise Refusal(
            "no_id_token",
            _("The sign-in service did not say who you are. Tell the school's administrator."),
        )
    return dict(token)


def _bad_token(detail: str) -> Refusal:
    return Refusal(
        "bad_token", _("The sign-in could not be verified. Try again."), detail=detail[:300]
    )


def verify_id_token(
    id_token: str, meta: dict[str, Any], *, client_id: str, nonce: str | None
) -> dict[str, Any]:
    """The ID token's claims, once its signature, issuer, audience, times and nonce hold.

    ``nonce=None`` is for logout tokens, which carry none (their own checks are the caller's).
    """
    try:
        keys = key_set(meta["jwks_uri"])
        kid = jws.extract_compact(id_token.encode()).headers().get("kid")
        if kid and not any(k.kid == kid for k in keys.keys):
            keys = key_set(meta["jwks_uri"], refresh_for=kid)  # the provider rotated its keys
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except Refusal:
        raise
    except (JoseError, ValueError, TypeError) as error:
        raise _bad_token(f"signature: {error}") from error
    claims: dict[str, Any] = dict(token.claims)
    registry = JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": meta["issuer"]},
        sub={"essential": True},
        exp={"essential": nonce is not None},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as error:
        raise _bad_token(f"{error.error}: {error.description or ''}") from error
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if client_id not in audiences:
        raise _bad_token(f"audience {audience!r} is not {client_id!r}")
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise _bad_token(f"authorised party {claims.get('azp')!r} is not {client_id!r}")
    if nonce is not None and claims.get("nonce") != nonce:
        raise Refusal(
            "nonce_mismatch",
            _("This sign-in was not started here, or was used already. Start again."),
            detail="the token's nonce is not the one this browser was given",
        )
    return claims


def check_configuration(issuer: str) -> list[tuple[bool, str]]:
    """What "test this provider" shows: each step of the set-up, passed or not."""
    steps: list[tuple[bool, str]] = []
    try:
        meta = discover(issuer)
    except Refusal as refusal:
        return [(False, _("Metadata: %(detail)s") % {"detail": refusal.detail})]
    steps.append((True, _("Metadata found; the issuer matches.")))
    methods = meta.get("code_challenge_methods_supported") or []
    steps.append(
        (
            "S256" in methods,
            _("PKCE S256 offered.") if "S256" in methods else _("PKCE S256 not announced."),
        )
    )
    try:
        keys = key_set(meta["jwks_uri"])
    except Refusal as refusal:
        steps.append((False, _("Signing keys: %(detail)s") % {"detail": refusal.detail}))
        return steps
    steps.append((bool(keys.keys), _("%(n)d signing keys published.") % {"n": len(keys.keys)}))
    offered = ("backchannel_logout_supported", "frontchannel_logout_supported")
    logout = [k for k in offered if meta.get(k)]
    steps.append((True, _("Logout offered: %(ways)s") % {"ways": ", ".join(logout) or "—"}))
    return steps
