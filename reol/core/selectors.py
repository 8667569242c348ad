"""Reads worth a name: finding people by what they type, and searching them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import User
from .text import search_terms


def person_by_identifier(identifier: str) -> User | None:
    """The person whose username or card number this is, ignoring case (username first)."""
    identifier = identifier.strip()
    if not identifier:
        return None
    found = list(
        User.objects.filter(Q(username__iexact=identifier) | Q(card_barcode__iexact=identifier))[:2]
    )
    by_username = [u for u in found if u.username.casefold() == identifier.casefold()]
    return (by_username or found)[0] if found else None


def search_people(people: QuerySet[User], query: str) -> QuerySet[User]:
    """``people`` whose name, username or card number contain every word of ``query``.

    Matching is on the folded ``search_text``, so it ignores case for æ, ø and å as well, and
    "Anna Hansen" (or "hansen anna") finds Anna Hansen.
    """
    for term in search_terms(query):
        people = people.filter(search_text__contains=term)
    return people
