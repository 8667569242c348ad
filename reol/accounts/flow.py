"""The browser's half of an OpenID Connect sign-in: what the session holds between leaving for
the provider and coming back, and what happens on return. Views stay thin by calling this.

The pending flow (state, nonce, PKCE verifier, where to go next) is kept in the session under
its ``state``, so two tabs signing in at once do not overwrite each other, and is taken out on
return: a state comes back once.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError

from reol.core import signin
from reol.core.auth import client_ip
from reol.core.models import User

from . import oidc, oidc_logout, saml, saml_logout, services
from .models import IdentityProvider
from .oidc import Refusal

PENDING = "reol_oidc_pending"
PENDING_SECONDS = 600  # a sign-in not finished in ten minutes starts again
BACKEND = "django.contrib.auth.backends.ModelBackend"


def redirect_uri(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("accounts-sso-callback", args=[provider.slug]))


def begin(request: HttpRequest, provider: IdentityProvider, *, next_url: str, test: bool) -> str:
    """Remember a new flow (OIDC: in the session; SAML: its request in the database); the
    provider's address to send the browser to."""
    if provider.kind == IdentityProvider.Kind.SAML:
        return saml.begin(request, provider, next_url=next_url, test=test)
    meta = oidc.discover(provider.issuer)
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    verifier = secrets.token_urlsafe(48)
    pending = {
        k: v
        for k, v in request.session.get(PENDING, {}).items()
        if time.time() - v.get("at", 0) < PENDING_SECONDS
    }
    pending[state] = {
        "provider": provider.pk,
        "nonce": nonce,
        "verifier": verifier,
        "next": next_url,
        "test": test,
        "at": time.time(),
    }
    request.session[PENDING] = pending
    return oidc.authorization_url(
        meta,
        client_id=provider.client_id,
        redirect_uri=redirect_uri(request, provider),
        scope=provider.scopes,
        state=state,
        nonce=nonce,
        code_verifier=verifier,
    )


@dataclass
class Outcome:
    person: User
    claims: dict[str, Any]
    next_url: str
    test: bool


def _take_pending(request: HttpRequest, provider: IdentityProvider) -> dict[str, Any]:
    state = request.GET.get("state", "")
    pending = dict(request.session.get(PENDING, {}))
    flow = pending.pop(state, None) if state else None
    request.session[PENDING] = pending
    if (
        flow is None
        or flow.get("provider") != provider.pk
        or time.time() - flow.get("at", 0) > PENDING_SECONDS
    ):
        raise Refusal(
            "state_mismatch",
            _("This sign-in was not started in this browser, or took too long. Start again."),
            detail="unknown, used or expired state",
        )
    return flow


def _unverified_subject(id_token: str) -> str:
    """For the audit and throttle of a refused token only: what it claimed to be."""
    try:
        payload = jws.extract_compact(id_token.encode()).payload
        return str(json.loads(payload).get("sub", ""))[:100]
    except (JoseError, ValueError, AttributeError):
        return ""


def finish(request: HttpRequest, provider: IdentityProvider) -> Outcome:
    """Check what came back, sign the person in (unless testing) and say where to go.

    Every refusal is audited with its reason before it is raised again for the page.
    """
    ip, subject, verified, test = client_ip(request), "", False, False
    try:
        flow = _take_pending(request, provider)
        test = bool(flow.get("test"))
        if not (test or provider.enabled):
            raise Refusal(
                "provider_off",
                _("This way of signing in is switched off. Use another."),
                detail="the provider was switched off during the sign-in",
            )
        if request.GET.get("error"):
            raise Refusal(
                "provider_said_no",
                _("The sign-in service did not sign you in."),
                detail=f"{request.GET.get('error')}: {request.GET.get('error_description', '')}",
            )
        meta = oidc.discover(provider.issuer)
        token = oidc.exchange_code(
            meta,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            redirect_uri=redirect_uri(request, provider),
            scope=provider.scopes,
            code=request.GET.get("code", ""),
            code_verifier=flow["verifier"],
        )
        subject = _unverified_subject(token["id_token"])
        claims = oidc.verify_id_token(
            token["id_token"], meta, client_id=provider.client_id, nonce=flow["nonce"]
        )
        verified = True
        person = services.complete_sign_in(provider, claims, test=test)
    except Refusal as refusal:
        services.record_refusal(
            provider, refusal, ip=ip, subject=subject, verified=verified, test=test
        )
        raise
    outcome = _signed_in(request, provider, person, claims, str(flow.get("next") or ""), test)
    if not test:
        oidc_logout.remember(request, provider, token["id_token"])
    return outcome


def _signed_in(
    request: HttpRequest,
    provider: IdentityProvider,
    person: User,
    claims: dict[str, Any],
    next_url: str,
    test: bool,
) -> Outcome:
    if not test:
        login(request, person, backend=BACKEND)
        # The identity provider's own policy covers the second factor (docs/signing-in.md).
        signin.mark_external(request)
        if request.session.session_key is None:
            request.session.save()
        services.remember_session(provider, person, claims, str(request.session.session_key))
    return Outcome(person, claims, next_url, test)


def finish_saml(request: HttpRequest, provider: IdentityProvider) -> Outcome:
    """The IdP's answer (a cross-site POST): checked, matched, signed in; refusals audited."""
    ip, test = client_ip(request), False
    try:
        claims, pending = saml.finish(request, provider)
        test = pending.test
        person = services.complete_sign_in(provider, claims, test=test)
    except Refusal as refusal:
        services.record_refusal(provider, refusal, ip=ip, test=test)
        raise
    outcome = _signed_in(request, provider, person, claims, pending.next_url, test)
    if not test:
        saml_logout.remember(request, provider, claims)
    return outcome
