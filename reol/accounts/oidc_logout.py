"""OpenID Connect RP-initiated logout 1.0: signing out of Reol signs out at the provider too.

On a shared Chromebook, a pupil who signs out of Reol but stays signed in at the school's
provider leaves the next pupil one click ("Sign in with the school account") from her account.
So after an OIDC sign-in the session keeps the provider and its ID token (``remember``), and
core's sign-out asks ``onward`` (registered with ``core.signin.register_sign_out``), which sends
the browser to the provider's ``end_session_endpoint`` with ``id_token_hint``, ``client_id`` and
``post_logout_redirect_uri`` (Reol's sign-in page: the address to register with the provider,
shown on the provider's page). A provider that offers no such endpoint, or cannot be reached,
leaves Reol's own sign-out as all there is; the sign-out never fails because of it.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse

from reol.core.permissions import SYSTEM

from . import oidc, services
from .models import IdentityProvider

SESSION = "reol_oidc"  # in the session of an OIDC sign-in: provider and ID token


def remember(request: HttpRequest, provider: IdentityProvider, id_token: str) -> None:
    """After an OIDC sign-in: what the provider's logout must be handed."""
    request.session[SESSION] = {"provider": provider.pk, "id_token": id_token}


def post_logout_uri(request: HttpRequest) -> str:
    """Where the provider sends the browser back to after its logout (register it there)."""
    return request.build_absolute_uri(reverse("login"))


def onward(request: HttpRequest) -> str | None:
    """Core's sign-out step: the provider's end-session address, or None."""
    held = request.session.get(SESSION)
    if not isinstance(held, dict) or not held.get("id_token"):
        return None
    provider = IdentityProvider.objects.filter(
        pk=held.get("provider") or 0, kind=IdentityProvider.Kind.OIDC, enabled=True
    ).first()
    if provider is None:
        return None
    try:
        endpoint = oidc.discover(provider.issuer).get("end_session_endpoint")
    except oidc.Refusal:
        return None  # unreachable or misconfigured: Reol's own sign-out stands
    if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
        return None
    query = urlencode(
        {
            "id_token_hint": held["id_token"],
            "client_id": provider.client_id,
            "post_logout_redirect_uri": post_logout_uri(request),
        }
    )
    with transaction.atomic():
        services.record_at_provider(
            SYSTEM,
            "signin.provider_logout",
            provider,
            details={"provider": provider.slug, "sessions": 1, "channel": "rp"},
        )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
