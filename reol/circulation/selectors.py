"""Reads of the desk: who a scanned code is, a patron's category, their loans and holds."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reol.catalog.models import Item
from reol.core.models import Role, School, User
from reol.core.permissions import roles_at

from .models import OPEN_HOLD_STATES, Hold, HoldState, Loan, PatronCategory

STAFF_ROLES = frozenset({Role.TEACHER, Role.LIBRARIAN, Role.ADMINISTRATOR, Role.VOLUNTEER})


def patron_by_code(code: str) -> User | None:
    """The person whose card barcode or username this is, ignoring case (card first)."""
    code = code.strip()
    if not code:
        return None
    found = list(User.objects.filter(Q(card_barcode__iexact=code) | Q(username__iexact=code))[:2])
    by_card = [u for u in found if (u.card_barcode or "").casefold() == code.casefold()]
    chosen = by_card or found
    return chosen[0] if chosen else None


def item_by_barcode(barcode: str) -> Item | None:
    """The copy with this barcode (exact first, then ignoring case), with record and school."""
    barcode = barcode.strip()
    if not barcode:
        return None
    items = Item.objects.select_related("record", "school", "location")
    return items.filter(barcode=barcode).first() or items.filter(barcode__iexact=barcode).first()


def patron_category(patron: User, school: School) -> str | None:
    """``staff`` for teachers and staff, ``student`` for students, None for no role here."""
    roles = roles_at(patron, school) - {Role.CONSULTANT}
    if roles & STAFF_ROLES:
        return PatronCategory.STAFF
    if Role.STUDENT in roles:
        return PatronCategory.STUDENT
    return None


def patron_grade(patron: User, school: School) -> int | None:
    """The student's grade (0–10), for grade-specific rules.

    The patrons app owns classes and grades; until it lands no grade is known, so only rules
    for every grade apply. This is the one place to connect it.
    """
    return None


def open_loans(patron: User) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(patron=patron, returned_at__isnull=True)
        .select_related("item__record", "school")
        .order_by("due_date", "id")
    )


def open_holds(patron: User) -> QuerySet[Hold]:
    return (
        Hold.objects.filter(patron=patron, state__in=OPEN_HOLD_STATES)
        .select_related("record", "item", "school")
        .order_by("placed_at", "id")
    )


def hold_shelf(school: School) -> QuerySet[Hold]:
    """Holds ready for collection at a school, oldest first."""
    return (
        Hold.objects.filter(school=school, state=HoldState.READY)
        .select_related("record", "item", "patron")
        .order_by("pickup_by", "id")
    )


def open_loan_of(item: Item) -> Loan | None:
    return (
        Loan.objects.filter(item=item, returned_at__isnull=True)
        .select_related("patron", "school")
        .first()
    )
