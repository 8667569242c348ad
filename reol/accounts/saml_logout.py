"""SAML 2.0 single logout, both ways, over HTTP-Redirect (pysaml2; signatures by xmlsec1).

* **Reol's sign-out** (SP-initiated): when the session came from a SAML sign-in, core's
  sign-out asks ``onward`` (registered with ``core.signin.register_sign_out``), which sends a
  ``LogoutRequest`` signed with Reol's key (``saml_keys``) to the IdP's single-logout address,
  naming the NameID and SessionIndex of that sign-in; the request's id waits in
  ``SamlRequest`` for the IdP's ``LogoutResponse``, which must be signed by the IdP and answer
  it (once).
* **The IdP's logout** (IdP-initiated): a ``LogoutRequest`` signed by the IdP (the query's
  signature, checked against the certificate in its metadata; unsigned is refused), issued by
  that provider, within its time, once (its id in ``UsedNonce``), ends every Reol session that
  provider's sign-in of that NameID (and SessionIndex, when named) made — this provider's only:
  a NameID of another provider or school is never matched — and is answered with a signed
  ``LogoutResponse``.

Every outcome is audited: ``signin.provider_logout`` (with the direction and the number of
sessions ended) or ``signin.provider_logout_refused`` (with the reason).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.saml import NameID
from saml2.sigver import verify_redirect_signature
from saml2.xmldsig import SIG_RSA_SHA256

from reol.core.permissions import SYSTEM

from . import logout, saml, services
from .models import IdentityProvider, ProviderSession, SamlRequest, UsedNonce
from .oidc import Refusal

SESSION = "reol_saml"  # in the session of a SAML sign-in: provider, NameID, SessionIndex
LOGOUT_MARK = "@logout"  # SamlRequest.next_url of a LogoutRequest we sent


def remember(request: HttpRequest, provider: IdentityProvider, claims: dict[str, Any]) -> None:
    """After a SAML sign-in: what a later LogoutRequest must name."""
    request.session[SESSION] = {
        "provider": provider.pk,
        "name_id": str(claims.get("sub", "")),
        "format": str(claims.get("name_id_format", "")),
        "session_index": str(claims.get("sid", "")),
    }


def _client(request: HttpRequest, provider: IdentityProvider) -> Saml2Client:
    return Saml2Client(config=saml.config(request, provider))


def _idp_slo(client: Saml2Client, provider: IdentityProvider) -> str:
    found = client.metadata.single_logout_service(provider.issuer, BINDING_HTTP_REDIRECT, "idpsso")
    return str(found[0]["location"]) if found else ""


def _location(info: dict[str, Any]) -> str:
    return str(dict(info["headers"])["Location"])


def _refuse(provider: IdentityProvider, reason: str, detail: str) -> Refusal:
    with transaction.atomic():
        services.record_at_provider(
            SYSTEM,
            "signin.provider_logout_refused",
            provider,
            details={"provider": provider.slug, "reason": reason, "detail": detail[:300]},
        )
    return Refusal(reason, _("The sign-out could not be verified."), detail=detail)


def _audit(provider: IdentityProvider, direction: str, ended: int) -> None:
    details = {"provider": provider.slug, "sessions": ended, "channel": direction}
    services.record_at_provider(SYSTEM, "signin.provider_logout", provider, details=details)


# --- Reol's sign-out -----------------------------------------------------------------------


def onward(request: HttpRequest) -> str | None:
    """Core's sign-out step: the IdP's logout address with our signed LogoutRequest."""
    held = request.session.get(SESSION)
    if not isinstance(held, dict):
        return None
    provider = IdentityProvider.objects.filter(
        pk=held.get("provider") or 0, kind=IdentityProvider.Kind.SAML, enabled=True
    ).first()
    if provider is None:
        return None
    client = _client(request, provider)
    destination = _idp_slo(client, provider)
    if not destination:
        return None  # the IdP offers no single logout: Reol's own sign-out is all
    name_id = NameID(text=held["name_id"], format=held.get("format") or None)
    indexes = [held["session_index"]] if held.get("session_index") else None
    request_id, message = client.create_logout_request(
        destination, provider.issuer, name_id=name_id, session_indexes=indexes, sign=False
    )
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT, str(message), destination, "", sign=True, sigalg=SIG_RSA_SHA256
    )
    with transaction.atomic():
        SamlRequest.objects.create(
            provider=provider, request_id=str(request_id), next_url=LOGOUT_MARK
        )
        _audit(provider, "sp", 1)
    return _location(info)


# --- Messages from the IdP ---------------------------------------------------------------


def _check_signature(
    client: Saml2Client, provider: IdentityProvider, request: HttpRequest, kind: str
) -> None:
    """The query's signature (HTTP-Redirect binding) by a signing certificate of the IdP."""
    params = {
        k: request.GET[k] for k in (kind, "RelayState", "SigAlg", "Signature") if k in request.GET
    }
    if "Signature" not in params or "SigAlg" not in params:
        raise _refuse(provider, "unsigned", f"{kind} without a signature")
    certs = client.metadata.certs(provider.issuer, "idpsso", "signing")
    backend = client.sec.sec_backend
    try:
        verified = any(verify_redirect_signature(params, backend, cert) for _n, cert in certs)
    except Exception as error:  # pysaml2 raises several kinds for a malformed signature
        raise _refuse(provider, "bad_signature", f"{type(error).__name__}: {error}") from error
    if not verified:
        raise _refuse(
            provider, "bad_signature", f"{kind}: the IdP's certificate does not verify it"
        )


def receive(request: HttpRequest, provider: IdentityProvider) -> tuple[str, str]:
    """A LogoutResponse (to our sign-out) or a LogoutRequest (the IdP's logout), checked.
    Returns ``("response", "")`` or ``("request", address of our signed answer)``."""
    client = _client(request, provider)
    if "SAMLResponse" in request.GET:
        _check_signature(client, provider, request, "SAMLResponse")
        _take_logout_response(client, provider, request.GET["SAMLResponse"])
        return "response", ""
    if "SAMLRequest" in request.GET:
        _check_signature(client, provider, request, "SAMLRequest")
        return "request", _answer_logout_request(request, client, provider)
    raise _refuse(provider, "no_message", "neither SAMLRequest nor SAMLResponse")


def _take_logout_response(client: Saml2Client, provider: IdentityProvider, encoded: str) -> None:
    try:
        answer = client.parse_logout_request_response(encoded, BINDING_HTTP_REDIRECT)
    except Exception as error:
        raise _refuse(provider, "bad_message", f"{type(error).__name__}: {error}") from error
    if answer is None or answer.response.issuer.text != provider.issuer:
        raise _refuse(provider, "bad_message", "not this IdP's LogoutResponse")
    with transaction.atomic():
        taken, _n = SamlRequest.objects.filter(
            provider=provider,
            request_id=str(answer.response.in_response_to),
            next_url=LOGOUT_MARK,
        ).delete()
    if not taken:
        raise _refuse(provider, "state_mismatch", "answers no LogoutRequest of ours (or was used)")


def _answer_logout_request(
    request: HttpRequest, client: Saml2Client, provider: IdentityProvider
) -> str:
    try:
        parsed = client.parse_logout_request(request.GET["SAMLRequest"], BINDING_HTTP_REDIRECT)
    except Exception as error:  # includes a request past its time (issue instant, expiry)
        raise _refuse(provider, "bad_message", f"{type(error).__name__}: {error}") from error
    message = parsed.message if parsed is not None else None
    if message is None or message.issuer is None or message.issuer.text != provider.issuer:
        raise _refuse(provider, "bad_message", "not this IdP's LogoutRequest")
    name_id = str(message.name_id.text) if message.name_id is not None else ""
    indexes = [str(i.text) for i in message.session_index or []]
    nonce = f"saml-logout:{message.id}"[:128]
    with transaction.atomic():
        fresh = not UsedNonce.objects.filter(provider=provider, nonce=nonce).exists()
        keys: list[str] = []
        if fresh:
            UsedNonce.objects.create(provider=provider, nonce=nonce)
            rows = ProviderSession.objects.filter(provider=provider, subject=name_id)
            if indexes:
                rows = rows.filter(sid__in=indexes)
            keys = list(rows.values_list("session_key", flat=True))
            _audit(provider, "idp", logout.end_sessions(rows))
    if not fresh:  # refused (and audited) outside the transaction, which it would undo
        raise _refuse(provider, "replayed", "this LogoutRequest was seen before")
    if request.session.session_key in keys:
        django_logout(request)
    response = client.create_logout_response(message, [BINDING_HTTP_REDIRECT], sign=False)
    where = client.response_args(message, [BINDING_HTTP_REDIRECT])
    info = client.apply_binding(
        BINDING_HTTP_REDIRECT,
        str(response),
        where["destination"],
        request.GET.get("RelayState", ""),
        response=True,
        sign=True,
        sigalg=SIG_RSA_SHA256,
    )
    return _location(info)
