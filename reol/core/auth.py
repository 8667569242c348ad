"""Sign-in: the card + PIN backend for students, and the rate limit on failed sign-ins.

The rate limit counts failures in the database (shared by every server worker) within a window
(``REOL_LOGIN_LOCKOUT_SECONDS``) and pauses sign-in, before any password check, when

* an account has ``REOL_LOGIN_MAX_FAILURES`` failures: its username and card number count
  together, whatever their case. A name or card that belongs to nobody is counted the same way,
  so the pause itself does not reveal whether an account exists;
* an address has ten times that many failures with names or cards that belong to nobody: then
  only such attempts are refused, because a whole school shares one address and a student
  guessing must not lock out the class;
* an address has a hundred times that many failures of any kind (someone trying one password
  on every account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from .models import LoginFailure, User
from .selectors import person_by_identifier
from .text import fold

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
        user = User.objects.filter(card_barcode__iexact=card_barcode.strip()).first()
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


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REOL_LOGIN_LOCKOUT_SECONDS)


def _limits() -> tuple[int, int, int]:
    """Failures allowed per account, per address for unknown names, per address in all."""
    per_account = settings.REOL_LOGIN_MAX_FAILURES
    return (
        per_account,
        getattr(settings, "REOL_LOGIN_MAX_UNKNOWN_PER_ADDRESS", per_account * 10),
        getattr(settings, "REOL_LOGIN_MAX_FAILURES_PER_ADDRESS", per_account * 100),
    )


def _paused_until(failures: QuerySet[LoginFailure], limit: int) -> dt.datetime | None:
    """When the ``limit``-th most recent failure leaves the window, or None if under it."""
    since = timezone.now() - _window()
    times = failures.filter(at__gte=since).order_by("-at").values_list("at", flat=True)
    limit = max(1, limit)
    nth = list(times[limit - 1 : limit])
    return nth[0] + _window() if nth else None


def _failures_of(identifier: str, account: User | None) -> QuerySet[LoginFailure]:
    if account is not None:
        return LoginFailure.objects.filter(user=account)
    return LoginFailure.objects.filter(user=None, username=fold(identifier)[:150])


def locked_until(identifier: str, ip_address: str | None) -> dt.datetime | None:
    """When sign-in with this username or card number from this address may be tried again.

    None when it may be tried now.
    """
    per_account, unknown_per_address, per_address = _limits()
    account = person_by_identifier(identifier)
    checks = [(_failures_of(identifier, account), per_account)]
    if ip_address:
        from_address = LoginFailure.objects.filter(ip_address=ip_address)
        checks.append((from_address, per_address))
        if account is None:
            checks.append((from_address.filter(user=None), unknown_per_address))
    until = [t for t in (_paused_until(rows, limit) for rows, limit in checks) if t]
    return max(until) if until else None


def account_locked_until(person: User) -> dt.datetime | None:
    """When the person's own account may sign in again after failures (None: it may now)."""
    return _paused_until(LoginFailure.objects.filter(user=person), _limits()[0])


def note_failure(identifier: str, ip_address: str | None) -> None:
    LoginFailure.objects.create(
        user=person_by_identifier(identifier),
        username=fold(identifier)[:150],
        ip_address=ip_address,
    )
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def clear_failures(person: User) -> int:
    """Forget the failures counted against a person's account; returns how many there were."""
    keys = [fold(person.username)[:150]]
    if person.card_barcode:
        keys.append(fold(person.card_barcode)[:150])
    deleted, _details = LoginFailure.objects.filter(
        Q(user=person) | Q(user=None, username__in=keys)
    ).delete()
    return deleted
