"""The provider's logout reaching Reol: back-channel (a signed logout token, server to server)
and front-channel (the provider's page loading ours in a frame)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import logout as django_logout
from django.db import transaction
from django.http import HttpRequest

from reol.core.permissions import SYSTEM

from . import oidc, services
from .models import IdentityProvider, ProviderSession, UsedNonce
from .oidc import Refusal

EVENT = "http://schemas.openid.net/event/backchannel-logout"


def end_sessions(rows: Any) -> int:
    """End the Django sessions of these ``ProviderSession`` rows; how many."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in list(rows):
        store(session_key=row.session_key).delete()
        row.delete()
        ended += 1
    return ended


def backchannel(provider: IdentityProvider, logout_token: str) -> int:
    """Verify a logout token and end the sessions it names; how many ended."""
    meta = oidc.discover(provider.issuer)
    claims = oidc.verify_id_token(logout_token, meta, client_id=provider.client_id, nonce=None)
    events = claims.get("events")
    if not isinstance(events, dict) or EVENT not in events or "nonce" in claims:
        raise Refusal("bad_logout_token", "", detail="not a back-channel logout token")
    sid, sub = str(claims.get("sid", "")), str(claims.get("sub", ""))
    if not sid and not sub:
        raise Refusal("bad_logout_token", "", detail="neither sid nor sub")
    with transaction.atomic():
        jti = str(claims.get("jti", ""))
        if jti:  # a logout token is used once too
            if UsedNonce.objects.filter(provider=provider, nonce=f"jti:{jti}"[:128]).exists():
                raise Refusal("bad_logout_token", "", detail="logout token replayed")
            UsedNonce.objects.create(provider=provider, nonce=f"jti:{jti}"[:128])
        rows = ProviderSession.objects.filter(provider=provider)
        rows = rows.filter(sid=sid) if sid else rows.filter(subject=sub)
        ended = end_sessions(rows)
        details = {"provider": provider.slug, "sessions": ended, "channel": "back"}
        services.record_at_provider(SYSTEM, "signin.provider_logout", provider, details=details)
    return ended


def frontchannel(request: HttpRequest, provider: IdentityProvider, iss: str, sid: str) -> bool:
    if iss and iss.rstrip("/") != provider.issuer.rstrip("/"):
        return False
    key = request.session.session_key
    if not key or not request.user.is_authenticated:
        return False
    rows = ProviderSession.objects.filter(provider=provider, session_key=key)
    if sid:
        rows = rows.filter(sid=sid)
    if not rows.exists():
        return False
    rows.delete()
    django_logout(request)
    return True
