"""Reads worth a name: finding people by what they type, and searching them."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import Lower

from .models import User
from .text import search_terms

M = TypeVar("M", bound=Model)


def same_code(field: str, code: str) -> Q:
    """``field`` equals ``code`` ignoring case, as ``LOWER(field) = LOWER(code)``: the form the
    unique indexes on ``LOWER(username)`` and ``LOWER(card_barcode)`` serve, with both sides
    folded by the same database function (``iexact`` is LIKE on SQLite and UPPER() on
    PostgreSQL, and reads neither index)."""
    return Q(**{f"{field}__lower": Lower(Value(code.strip()))})


def card_or_username(code: str, prefix: str = "") -> Q:
    """A person (or, with ``prefix="user__"``, a row of theirs) by card barcode or username."""
    return same_code(f"{prefix}card_barcode", code) | same_code(f"{prefix}username", code)


def person_by_identifier(identifier: str) -> User | None:
    """The person whose username or card number this is, ignoring case (username first)."""
    identifier = identifier.strip()
    if not identifier:
        return None
    found = list(User.objects.filter(card_or_username(identifier)).order_by()[:2])
    by_username = [u for u in found if u.username.casefold() == identifier.casefold()]
    return (by_username or found)[0] if found else None


def search_people(people: QuerySet[M], query: str, *, via: str = "") -> QuerySet[M]:
    """``people`` whose name, username or card number contain every word of ``query``: the one
    patron and person search (the people page, the patron list, the patrons API).

    Matching is on the folded ``search_text``, so it ignores case for æ, ø and å as well, and
    "Anna Hansen" (or "hansen anna") finds Anna Hansen. ``via`` reaches the person from
    another model (``"user__"`` for patrons).
    """
    for term in search_terms(query):
        people = people.filter(**{f"{via}search_text__contains": term})
    return people
