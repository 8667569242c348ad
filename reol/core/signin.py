"""Other ways in, registered by the apps that offer them (as menus are, in ``navigation``).

The sign-in page lists the ways an app registers (``register_ways``: "Sign in with Feide" …)
without knowing any of them, and the password form asks every registered check whether a
person may use a password at all (``register_password_check``: a school that wants its staff
to sign in through its identity provider says no).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise

from .models import User


@dataclass(frozen=True)
class Way:
    label: str | Promise
    href: str


_ways: list[Callable[[HttpRequest], list[Way]]] = []
_password_checks: list[Callable[[User], str | None]] = []


def register_ways(source: Callable[[HttpRequest], list[Way]]) -> None:
    if source not in _ways:
        _ways.append(source)


def register_password_check(check: Callable[[User], str | None]) -> None:
    if check not in _password_checks:
        _password_checks.append(check)


def ways(request: HttpRequest) -> list[Way]:
    return [way for source in _ways for way in source(request)]


def password_refusal(person: User) -> str | None:
    """Why ``person`` may not sign in with a password or PIN (None: they may)."""
    for check in _password_checks:
        reason = check(person)
        if reason:
            return reason
    return None
