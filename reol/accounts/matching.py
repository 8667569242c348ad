"""Who a provider's person is in Reol: the configured claim, compared with one field.

Only people who hold a role where the provider serves (its school, or its municipality's
schools) are candidates, so a provider of school A can never sign in someone of school B alone.
Two candidates for one value is a refusal, never a guess. The roster source id lives on the
patrons' rung: patrons registers its lookup here (``register``), as apps do with core's
registries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from reol.core.models import School, User

from .models import ExternalIdentity, IdentityProvider, LtiPlatform, MatchField, PersonKey

# field -> function(schools, value) giving the matching people among those schools
Lookup = Callable[[QuerySet[School], str], QuerySet[User]]
_lookups: dict[str, Lookup] = {}


def register(field: str, lookup: Lookup) -> None:
    _lookups[field] = lookup


def national_id_hash(value: str) -> str:
    """The only form a national id is kept in: digits only, HMAC'd with the installation's
    secret (a bare hash of a 10-digit number is reversed in minutes)."""
    digits = "".join(ch for ch in value if ch.isdigit())
    key = settings.SECRET_KEY.encode()
    return hashlib.blake2b(digits.encode(), key=key[:64], digest_size=32).hexdigest()


def _people_at(schools: QuerySet[School]) -> QuerySet[User]:
    return User.objects.filter(memberships__school__in=schools, is_active=True).distinct()


def _by_username(schools: QuerySet[School], value: str) -> QuerySet[User]:
    return _people_at(schools).filter(username__iexact=value)


def _by_email(schools: QuerySet[School], value: str) -> QuerySet[User]:
    return _people_at(schools).filter(email__iexact=value)


def _by_national_id(schools: QuerySet[School], value: str) -> QuerySet[User]:
    keys = PersonKey.objects.filter(national_id_hash=national_id_hash(value))
    return _people_at(schools).filter(pk__in=keys.values("user_id"))


register(MatchField.USERNAME, _by_username)
register(MatchField.EMAIL, _by_email)
register(MatchField.NATIONAL_ID, _by_national_id)


def schools_of(provider: IdentityProvider | LtiPlatform) -> QuerySet[School]:
    """Where a provider (or learning platform) serves: its school, or its municipality's."""
    if provider.school_id is not None:
        return School.objects.filter(pk=provider.school_id)
    return School.objects.filter(municipality_id=provider.municipality_id)


def claim_value(claims: dict[str, Any], name: str) -> str:
    """A claim's value as text. A list (Feide's ``userid_sec``) gives its first entry; a
    ``prefix:`` in the configured name (``userid_sec|nin:``) picks the entry with it; a
    ``#key`` takes a key of an object claim (LTI's ``…/claim/lis#person_sourcedid``)."""
    name, _bar, prefix = name.partition("|")
    name, _hash, key = name.partition("#")
    value = claims.get(name)
    if key:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, list):
        picked = [str(v) for v in value if str(v).startswith(prefix)]
        return picked[0][len(prefix) :] if picked else ""
    return "" if value is None else str(value).strip()


def candidates(provider: IdentityProvider, claims: dict[str, Any]) -> list[User]:
    """The people this token may be: the remembered link first, else the claim's matches."""
    link = (
        ExternalIdentity.objects.filter(provider=provider, subject=str(claims.get("sub", "")))
        .select_related("user")
        .first()
    )
    return linked_or_matched(provider, link.user if link is not None else None, claims)


def linked_or_matched(
    source: IdentityProvider | LtiPlatform, linked: User | None, claims: dict[str, Any]
) -> list[User]:
    """The remembered person while they still hold a role where ``source`` serves; else the
    people whose configured field equals the configured claim (two at most: two is a refusal)."""
    schools = schools_of(source)
    if linked is not None and _people_at(schools).filter(pk=linked.pk).exists():
        return [linked]
    value = claim_value(claims, source.match_claim)
    lookup = _lookups.get(source.match_field)
    if not value or lookup is None:
        return []
    return list(lookup(schools, value)[:2])
