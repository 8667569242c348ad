"""SAML 2.0, the service provider's half, with pysaml2: our metadata, the request to the IdP
(HTTP-Redirect) and the checks of its answer (HTTP-POST). Only this module knows pysaml2.

pysaml2 checks the answer's signature with xmlsec1 against the certificate in the IdP's
metadata (an unsigned assertion is refused), its audience (our entity id), its times, its
destination, and that it answers a request we sent (``InResponseTo``: unsolicited answers are
refused). The assertion's id then goes through the same used-once table as OIDC's nonces.
"""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

from defusedxml import ElementTree
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_UNSPECIFIED

from . import saml_keys
from .models import IdentityProvider, SamlRequest
from .oidc import Refusal

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
REQUEST_SECONDS = 600


def entity_id(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("accounts-saml-metadata", args=[provider.slug]))


def acs_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("accounts-saml-acs", args=[provider.slug]))


def slo_url(request: HttpRequest, provider: IdentityProvider) -> str:
    return request.build_absolute_uri(reverse("accounts-saml-slo", args=[provider.slug]))


def config(request: HttpRequest, provider: IdentityProvider) -> SPConfig:
    key_file, cert_file = saml_keys.files()
    settings: dict[str, Any] = {
        "entityid": entity_id(request, provider),
        "xmlsec_binary": shutil.which("xmlsec1"),
        "allow_unknown_attributes": True,
        "key_file": key_file,  # signs our single-logout messages; published in our metadata
        "cert_file": cert_file,
        "service": {
            "sp": {
                "endpoints": {
                    "assertion_consumer_service": [(acs_url(request, provider), BINDING_HTTP_POST)],
                    "single_logout_service": [(slo_url(request, provider), BINDING_HTTP_REDIRECT)],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": False,
                "want_assertions_signed": True,
                "want_response_signed": False,
                "name_id_format": NAMEID_FORMAT_UNSPECIFIED,
            }
        },
    }
    if provider.saml_metadata:
        settings["metadata"] = {"inline": [provider.saml_metadata]}
    config = SPConfig()
    config.load(settings)
    return config


def metadata(request: HttpRequest, provider: IdentityProvider) -> str:
    """Our service provider metadata, for the IdP's administrator."""
    return str(entity_descriptor(config(request, provider)))


def idp_entity_id(xml: str) -> str:
    """The IdP's entity id from uploaded metadata; refuses what is not an IdP's metadata."""
    try:
        root = ElementTree.fromstring(xml.encode())
    except Exception as error:  # defusedxml raises several kinds for bad or hostile XML
        raise ValueError(_("This is not XML: %(error)s") % {"error": error}) from None
    descriptor = root if root.tag == f"{MD}EntityDescriptor" else root.find(f"{MD}EntityDescriptor")
    if descriptor is None or descriptor.find(f"{MD}IDPSSODescriptor") is None:
        raise ValueError(_("This is not the metadata of a SAML identity provider."))
    return str(descriptor.get("entityID", ""))


@transaction.atomic
def begin(request: HttpRequest, provider: IdentityProvider, *, next_url: str, test: bool) -> str:
    """Remember the request we send; the IdP's address to send the browser to."""
    client = Saml2Client(config=config(request, provider))
    try:
        request_id, info = client.prepare_for_authenticate(
            entityid=provider.issuer, binding=BINDING_HTTP_REDIRECT
        )
    except Exception as error:  # pysaml2 raises bare errors for metadata it cannot use
        raise Refusal(
            "saml_setup",
            _("The sign-in service is not set up correctly. Tell the school's administrator."),
            detail=str(error)[:300],
        ) from error
    SamlRequest.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    SamlRequest.objects.create(
        provider=provider, request_id=str(request_id), next_url=next_url, test=test
    )
    return str(dict(info["headers"])["Location"])


def _take_request(provider: IdentityProvider, in_response_to: str) -> SamlRequest:
    with transaction.atomic():
        pending = (
            SamlRequest.objects.select_for_update()
            .filter(provider=provider, request_id=in_response_to)
            .first()
        )
        if pending is not None:
            pending.delete()
    too_old = timezone.now() - dt.timedelta(seconds=REQUEST_SECONDS)
    if pending is None or pending.at < too_old:
        raise Refusal(
            "state_mismatch",
            _("This sign-in was not started here, or took too long. Start again."),
            detail="the answer's InResponseTo is no request of ours (or was used)",
        )
    return pending


def finish(request: HttpRequest, provider: IdentityProvider) -> tuple[dict[str, Any], SamlRequest]:
    """The verified assertion as claims (``sub`` = NameID, ``nonce`` = assertion id, each
    attribute's first value) and the request it answers."""
    client = Saml2Client(config=config(request, provider))
    outstanding = dict(
        SamlRequest.objects.filter(provider=provider).values_list("request_id", "next_url")
    )
    try:
        response = client.parse_authn_request_response(
            request.POST.get("SAMLResponse", ""), BINDING_HTTP_POST, outstanding=outstanding
        )
    except Exception as error:  # pysaml2 has many exception types; each one is a refusal
        raise Refusal(
            "bad_token",
            _("The sign-in could not be verified. Try again."),
            detail=f"{type(error).__name__}: {error}"[:300],
        ) from error
    if response is None:
        raise Refusal("bad_token", _("The sign-in could not be verified. Try again."))
    pending = _take_request(provider, str(response.in_response_to))
    assertion = response.assertion
    claims: dict[str, Any] = {
        name: values[0] if isinstance(values, list) and len(values) == 1 else values
        for name, values in (response.ava or {}).items()
    }
    claims["sub"] = str(response.name_id.text) if response.name_id is not None else ""
    claims["nonce"] = f"saml:{assertion.id}"
    statements = assertion.authn_statement or []
    if statements and statements[0].session_index:  # single logout names the session by it
        claims["sid"] = str(statements[0].session_index)
    if response.name_id is not None and response.name_id.format:
        claims["name_id_format"] = str(response.name_id.format)
    if not claims["sub"]:
        raise Refusal(
            "bad_token", _("The sign-in could not be verified. Try again."), detail="no NameID"
        )
    return claims, pending
