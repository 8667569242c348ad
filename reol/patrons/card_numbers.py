"""Library card numbers a school generates for a class: the school's prefix, digits (in
sequence, or random where the school chose so) and a Luhn check digit, unique ignoring case.
``services.py`` re-exports these for its callers.
"""

from __future__ import annotations

import re
import secrets

from django.db import transaction
from stdnum import luhn

from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from . import selectors
from .models import (
    Group,
    GroupMember,
    Patron,
)

# --- Library cards -----------------------------------------------------------------------------

CARD_DIGITS = 6  # sequential numbers, then a check digit
RANDOM_CARD_DIGITS = 9  # random numbers, then a check digit


def card_prefix(school: School) -> str:
    """The letters a school's generated card numbers begin with: its code in ASCII capitals."""
    from .cards import fold_ascii

    return re.sub(r"[^A-Za-z0-9]", "", fold_ascii(school.code)).upper()[:8] or "K"


def students_without_card(group: Group) -> list[Patron]:
    """The group's active students without a card number that scans back."""
    from .cards import scannable

    members = selectors.members_of(group, GroupMember.Role.STUDENT).filter(patron__active=True)
    return [m.patron for m in members if not scannable(m.patron.user.card_barcode)]


def _card_numbers_taken(prefix: str) -> tuple[set[str], int]:
    """The cards beginning with ``prefix`` (lowercased), and the highest sequential number
    among them: the old six digits, or six digits and their check digit."""
    taken = {
        c.lower()
        for c in User.objects.filter(card_barcode__istartswith=prefix).values_list(
            "card_barcode", flat=True
        )
        if c
    }
    numbers = []
    for card in taken:
        digits = card[len(prefix) :]
        if digits.isdigit() and len(digits) == CARD_DIGITS:
            numbers.append(int(digits))
        elif digits.isdigit() and len(digits) == CARD_DIGITS + 1 and luhn.is_valid(digits):
            numbers.append(int(digits[:-1]))
    return taken, max(numbers, default=0)


def _new_cards(prefix: str, count: int, *, random: bool) -> list[str]:
    """``count`` new card numbers, each ending in a Luhn check digit (a mistyped or guessed
    neighbour is not a card): the next in sequence, or random digits where the school chose
    them (``PrivacySettings.random_card_numbers``) so one card does not tell the others."""
    taken, number = _card_numbers_taken(prefix)
    cards: list[str] = []
    while len(cards) < count:
        if random:
            digits = f"{secrets.randbelow(10**RANDOM_CARD_DIGITS):0{RANDOM_CARD_DIGITS}d}"
        else:
            number += 1
            digits = f"{number:0{CARD_DIGITS}d}"
        card = f"{prefix}{digits}{luhn.calc_check_digit(digits)}"
        if card.lower() not in taken:
            taken.add(card.lower())
            cards.append(card)
    return cards


@transaction.atomic
def assign_cards(actor: Actor, group: Group) -> list[Patron]:
    """Give every active student of ``group`` without a card number a generated one: the
    school's prefix, digits and a check digit, unique ignoring case (``_new_cards``).
    Returns the patrons given a card."""
    from .cards import scannable

    require(actor, Perm.PEOPLE_MANAGE, group.school)
    # The school row lock makes two librarians pressing the button at once take turns.
    School.objects.select_for_update().get(pk=group.school_id)
    prefix = card_prefix(group.school)
    members = (
        selectors.members_of(group, GroupMember.Role.STUDENT)
        .filter(patron__active=True)
        .select_for_update(of=("patron",))
    )
    wanting = [
        m.patron
        for m in members
        if not m.patron.user.card_barcode or not scannable(m.patron.user.card_barcode)
    ]
    if not wanting:
        return []
    random = selectors.privacy_of(group.school).random_card_numbers
    given = []
    for patron, card in zip(wanting, _new_cards(prefix, len(wanting), random=random), strict=True):
        person = patron.user
        before = person.card_barcode
        person.card_barcode = card
        person.save(update_fields=["card_barcode"])
        audit.record(
            actor,
            "patron.update",
            patron,
            school=group.school,
            details={"changes": {"card_barcode": [str(before), card]}},
        )
        given.append(patron)
    audit.record(
        actor,
        "group.cards_assign",
        group,
        school=group.school,
        details={"count": len(given)},
    )
    return given
