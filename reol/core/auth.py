"""Sign-in: the card + PIN backend for students, the client's address, and the throttle.

The throttle counts failed sign-ins in the database (shared by every worker) within a window
(``REOL_LOGIN_LOCKOUT_SECONDS``). It slows guessing down without handing anyone a way to lock
someone else out:

* **account and address together**: after ``REOL_LOGIN_MAX_FAILURES`` failures for one account
  (its username and card number count together, whatever their case) from one address, each
  further try waits a growing delay (``REOL_LOGIN_DELAY_SECONDS``, doubled per failure, never
  more than the window). A student guessing a teacher's password at one desk slows only that
  desk; the teacher at her own computer signs in as always;
* **a known browser** (the signed ``reol_device`` cookie a successful sign-in leaves) counts its
  own failures, not its address's, and is never slowed by the limits below: a teacher behind
  the school's one NAT address is not held up by what others do from that address;
* **an address**: ``REOL_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures of any kind from one address
  (someone trying one password on every account), and ten times the account limit with names
  that belong to nobody, slow that address down the same growing way;
* **an account from everywhere**: ``REOL_LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures from any
  addresses (guessing spread over many) slow down that account from browsers it does not know.

A name or card that belongs to nobody is counted the same way, so the delay itself does not
reveal whether an account exists. The client's address is ``REMOTE_ADDR``, unless that is a
proxy listed in ``REOL_TRUSTED_PROXIES``: then the rightmost address of ``X-Forwarded-For``
that is not itself a trusted proxy. A header sent by anyone else is never read.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import check_password, make_password
from django.core import signing
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


DEVICE_COOKIE = "reol_device"
_DEVICE_SALT = "reol.core.auth.device"
DEVICE_COOKIE_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    found = []
    for entry in getattr(settings, "REOL_TRUSTED_PROXIES", []):
        try:
            found.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return found


def _trusted(address: str, networks: list[Any]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind a trusted proxy the address it saw.

    ``X-Forwarded-For`` is read only when the peer is one of ``REOL_TRUSTED_PROXIES``, and then
    from the right: each proxy appends what it saw, so the rightmost address that is not a
    trusted proxy is the first one no client could have forged.
    """
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _networks()
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for candidate in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        if not _trusted(candidate, networks):
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                return peer  # garbage in the header: fall back to the proxy itself
    return peer


# --- Known browsers ------------------------------------------------------------------------


def device_cookie(user: User) -> str:
    """A signed value naming this browser as one ``user`` has signed in with."""
    return signing.dumps({"u": user.pk, "d": secrets.token_hex(8)}, salt=_DEVICE_SALT)


def device_of(request: HttpRequest) -> tuple[int, str] | None:
    """(user id, device id) from a valid ``reol_device`` cookie, else None."""
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int):
        return None
    return value["u"], str(value.get("d", ""))[:32]


# --- The throttle --------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """Who is being tried, from where, and from which known browser (device id or "")."""

    identifier: str
    ip_address: str | None
    account: User | None
    device: str = ""

    @classmethod
    def of(cls, identifier: str, request: HttpRequest) -> Attempt:
        account = person_by_identifier(identifier)
        known = device_of(request)
        device = known[1] if known and account is not None and known[0] == account.pk else ""
        return cls(identifier, client_ip(request), account, device)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.REOL_LOGIN_LOCKOUT_SECONDS)


def _limits() -> tuple[int, int, int, int]:
    """Free failures per account and address, per address for unknown names, per address in
    all, and per account from everywhere."""
    per_pair = settings.REOL_LOGIN_MAX_FAILURES
    return (
        per_pair,
        getattr(settings, "REOL_LOGIN_MAX_UNKNOWN_PER_ADDRESS", per_pair * 10),
        getattr(settings, "REOL_LOGIN_MAX_FAILURES_PER_ADDRESS", per_pair * 100),
        getattr(settings, "REOL_LOGIN_MAX_FAILURES_PER_ACCOUNT", per_pair * 10),
    )


def _delay_until(failures: QuerySet[LoginFailure], free: int) -> dt.datetime | None:
    """After ``free`` failures in the window, the next try waits a delay that doubles with
    each further failure (never longer than the window), counted from the latest failure."""
    since = timezone.now() - _window()
    recent = failures.filter(at__gte=since)
    free = max(1, free)
    count = recent.count()
    if count < free:
        return None
    latest = recent.order_by("-at").values_list("at", flat=True).first()
    if latest is None:
        return None
    base = float(getattr(settings, "REOL_LOGIN_DELAY_SECONDS", 2))
    delay = min(_window().total_seconds(), base * 2 ** min(count - free, 40))
    until = latest + dt.timedelta(seconds=delay)
    return until if until > timezone.now() else None


def _failures_of(identifier: str, account: User | None) -> QuerySet[LoginFailure]:
    if account is not None:
        return LoginFailure.objects.filter(user=account)
    return LoginFailure.objects.filter(user=None, username=fold(identifier)[:150])


def wait_until(attempt: Attempt) -> dt.datetime | None:
    """When this attempt may be tried (None: now). Read before any password is checked."""
    per_pair, unknown_per_address, per_address, per_account = _limits()
    mine = _failures_of(attempt.identifier, attempt.account)
    if attempt.device:
        checks = [(mine.filter(device=attempt.device), per_pair)]
    else:
        checks = [
            (mine.filter(ip_address=attempt.ip_address, device=""), per_pair),
            (mine.filter(device=""), per_account),
        ]
        if attempt.ip_address:
            from_address = LoginFailure.objects.filter(ip_address=attempt.ip_address)
            checks.append((from_address, per_address))
            if attempt.account is None:
                checks.append((from_address.filter(user=None), unknown_per_address))
    until = [t for t in (_delay_until(rows, limit) for rows, limit in checks) if t]
    return max(until) if until else None


def account_locked_until(person: User) -> dt.datetime | None:
    """The latest time until which some try of this account waits (None: none waits): from
    one address or browser after its failures, or from everywhere unknown after many."""
    per_pair, _unknown, _address, per_account = _limits()
    mine = LoginFailure.objects.filter(user=person)
    checks = [(mine.filter(device=""), per_account)]
    places = mine.filter(at__gte=timezone.now() - _window()).values_list("ip_address", "device")
    for ip_address, device in set(places):
        if device:
            checks.append((mine.filter(device=device), per_pair))
        else:
            checks.append((mine.filter(device="", ip_address=ip_address), per_pair))
    until = [t for t in (_delay_until(rows, limit) for rows, limit in checks) if t]
    return max(until) if until else None


def note_failure(attempt: Attempt) -> None:
    LoginFailure.objects.create(
        user=attempt.account,
        username=fold(attempt.identifier)[:150],
        ip_address=attempt.ip_address,
        device=attempt.device,
    )
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def note_success(attempt: Attempt) -> None:
    """The right secret: forget this browser's (or this address's) failures for the account,
    and no one else's, so a guesser elsewhere does not get a fresh start."""
    if attempt.account is None:
        return
    mine = LoginFailure.objects.filter(user=attempt.account)
    if attempt.device:
        mine.filter(device=attempt.device).delete()
    else:
        mine.filter(ip_address=attempt.ip_address, device="").delete()


def clear_failures(person: User) -> int:
    """Forget the failures counted against a person's account; returns how many there were."""
    keys = [fold(person.username)[:150]]
    if person.card_barcode:
        keys.append(fold(person.card_barcode)[:150])
    deleted, _details = LoginFailure.objects.filter(
        Q(user=person) | Q(user=None, username__in=keys)
    ).delete()
    return deleted
