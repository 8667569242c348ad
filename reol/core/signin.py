"""Signing in, the parts every way in shares.

Other ways in are registered by the apps that offer them (as menus are, in ``navigation``).

The sign-in page lists the ways an app registers (``register_ways``: "Sign in with Feide" …)
without knowing any of them, and the password form asks every registered check whether a
person may use a password at all (``register_password_check``: a school that wants its staff
to sign in through its identity provider says no).

After the password is right: the second step, when one is needed, and then the session. Kept
apart from the sign-in page so every way in (the password form here; the
identity providers of the accounts app) ends the same way.

* ``after_first_factor(request, user, next_url)``: the password (or card + PIN) was right.
  With a second factor on, the session is *not* signed in: it only remembers, for five
  minutes, who is half-way (``PENDING``), and the browser goes to the second step.
  Otherwise ``finish`` signs in.
* ``finish(request, user, next_url, second_factor=...)``: ``login()`` (a new session key),
  the audit event, the language and known-browser cookies.
* ``mark_external(request)``: a sign-in through an identity provider (OIDC/SAML) whose own
  policy covers the second factor; the gate then does not ask for Reol's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.functional import Promise

from . import accounts, auth, mfa
from .models import User

PENDING = "reol_mfa_pending"
STATE = "reol_mfa"  # "passed", "external" or "checked": the gate need not look again
PENDING_SECONDS = 300


def after_first_factor(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    if not mfa.enrolled(user):
        return finish(request, user, next_url)
    request.session.cycle_key()
    request.session[PENDING] = {
        "u": user.pk,
        "b": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "h": user.get_session_auth_hash(),
        "at": time.time(),
        "next": next_url,
    }
    return redirect("sign-in-second-step")


def pending_user(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """Who is half-way through signing in in this browser (None when no one, or too late,
    or the password changed meanwhile)."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=int(pending.get("u") or 0), is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("h"):
        return None
    user.backend = pending.get("b")  # type: ignore[attr-defined]
    return user, pending


def finish(
    request: HttpRequest, user: User, next_url: str, *, second_factor: str = ""
) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend=getattr(user, "backend", None))
    if second_factor:
        request.session[STATE] = "passed"
    accounts.record_sign_in(user, second_factor=second_factor)
    response = HttpResponseRedirect(next_url or "/")
    if user.preferred_language:
        response.set_cookie("django_language", user.preferred_language, samesite="Lax")
    # This browser is now one the account knows: its failures count apart from its address.
    response.set_cookie(
        auth.DEVICE_COOKIE,
        auth.device_cookie(user),
        max_age=auth.DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    return response


def mark_external(request: HttpRequest) -> None:
    """Call after ``login()`` for a sign-in whose identity provider handles the second factor."""
    request.session[STATE] = "external"


# --- Other ways in (registered by the apps that offer them) ---


@dataclass(frozen=True)
class Way:
    label: str | Promise
    href: str


_ways: list[Callable[[HttpRequest], list[Way]]] = []
_password_checks: list[Callable[[User], str | None]] = []
_sign_outs: list[Callable[[HttpRequest], str | None]] = []


def register_ways(source: Callable[[HttpRequest], list[Way]]) -> None:
    if source not in _ways:
        _ways.append(source)


def register_password_check(check: Callable[[User], str | None]) -> None:
    if check not in _password_checks:
        _password_checks.append(check)


def register_sign_out(step: Callable[[HttpRequest], str | None]) -> None:
    """``step(request)``, called while the session still holds the person, may return an
    address to send the browser on to after the sign-out (an identity provider's logout)."""
    if step not in _sign_outs:
        _sign_outs.append(step)


def sign_out_onward(request: HttpRequest) -> str | None:
    for step in _sign_outs:
        onward = step(request)
        if onward:
            return onward
    return None


def ways(request: HttpRequest) -> list[Way]:
    return [way for source in _ways for way in source(request)]


def password_refusal(person: User) -> str | None:
    """Why ``person`` may not sign in with a password or PIN (None: they may)."""
    for check in _password_checks:
        reason = check(person)
        if reason:
            return reason
    return None
