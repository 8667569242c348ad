"""Reads worth a name: finding people by what they type, and searching them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import Model, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.utils import timezone

from .models import ApiToken, Membership, User
from .permissions import remember_roles
from .rows import Shape
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


@dataclass
class TokenOwner:
    """Whose API token a request carries, read with their roles in one statement."""

    user: User
    token_id: int
    touch: bool  # its last use is more than ``TOKEN_TOUCH_EVERY`` ago (or never): note this one


TOKEN_TOUCH_EVERY = dt.timedelta(seconds=60)

_OWNER = Shape(
    (User, "u"),
    extra=[
        "t.id",
        "CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END",
        "m.id",
        "m.municipality_id",
        "m.school_id",
        "m.role",
    ],
)
_OWNER_SQL = """
SELECT {columns}
  FROM {token} t
  JOIN {user} u ON u.id = t.user_id
  LEFT JOIN {membership} m ON m.user_id = u.id
 WHERE t.digest = %s AND t.revoked_at IS NULL AND u.is_active
"""


def token_owner(digest: str) -> TokenOwner | None:
    """The active owner of the unrevoked token with this digest, with their memberships put in
    ``core.permissions``' cache: an API request's authentication and its permission checks
    cost one statement (and no query compiler), not three."""
    sql = _OWNER_SQL.format(
        columns=_OWNER.columns(),
        token=ApiToken._meta.db_table,
        user=User._meta.db_table,
        membership=Membership._meta.db_table,
    )
    cutoff = connection.ops.adapt_datetimefield_value(timezone.now() - TOKEN_TOUCH_EVERY)
    rows = _OWNER.rows(sql, [cutoff, digest])
    if not rows:
        return None
    user, token_id, touch, *_role = _OWNER.build(rows[0])
    remember_roles(
        user,
        [
            Membership(
                id=m_id, user_id=user.pk, municipality_id=municipality, school_id=school, role=role
            )
            for m_id, municipality, school, role in (row[-4:] for row in rows)
            if m_id is not None
        ],
    )
    return TokenOwner(user=user, token_id=token_id, touch=bool(touch))
