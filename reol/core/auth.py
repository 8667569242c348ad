"""Sign-in: the card + PIN backend for students, and the rate limit on failed sign-ins.

The rate limit counts failures in the database (shared by every server worker) per account
and per address within a window; past the limit, sign-in is refused before any password
check, so a guesser learns nothing and costs little.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginFailure, User

# A hash to check against when no such card exists, so timing does not reveal valid cards.
_DUMMY_PIN_HASH = make_password("0000")


class CardPinBackend(BaseBackend):
    """Authenticate with ``card_barcode`` and ``pin`` (students at a kiosk or tablet)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        card_barcode: str | None = None,
        pin: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not card_barcode or not pin:
            return None
        user = User.objects.filter(card_barcode=card_barcode.strip()).first()
        if user is None or not user.pin_hash:
            check_password(pin, _DUMMY_PIN_HASH)
            return None
        if check_password(pin, user.pin_hash) and user.is_active:
            return user
        return None

    def get_user(self, user_id: int) -> User | None:
        user = User.objects.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind a proxy, set REOL_HTTPS and let the proxy set REMOTE_ADDR."""
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.REOL_LOGIN_LOCKOUT_SECONDS)


def is_locked_out(username: str, ip_address: str | None) -> bool:
    since = _window_start()
    limit = settings.REOL_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.lower()).count() >= limit:
        return True
    # An address may try a few accounts (a classroom shares one address), but not endlessly.
    return bool(ip_address) and recent.filter(ip_address=ip_address).count() >= limit * 10


def note_failure(username: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip_address=ip_address)
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def clear_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()
