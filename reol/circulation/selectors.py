"""Reads of the desk: who a scanned code is, a patron's category, their loans and holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet

from reol.catalog.models import Item, ItemStatus, Record
from reol.core.models import Location, Role, School, User
from reol.core.permissions import roles_at
from reol.patrons.models import Group
from reol.patrons.selectors import grade_of

from .models import (
    OPEN_HOLD_STATES,
    Hold,
    HoldState,
    Loan,
    PatronCategory,
    StocktakeScan,
    StocktakeSession,
)

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
    items = Item.objects.select_related("record", "school__municipality", "location")
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
    """The student's grade (0–13), for grade-specific rules, from the patrons app."""
    return grade_of(patron, school)


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


# --- Stocktaking -------------------------------------------------------------------------------


def location_subtree(location_id: int | None, school: School) -> set[int] | None:
    """The location and every location inside it (ids); None when no location is given.

    A school has tens of locations, so the tree is walked in Python from one query.
    """
    if location_id is None:
        return None
    children: dict[int, list[int]] = {}
    for pk, parent in Location.objects.filter(school=school).values_list("id", "parent_id"):
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    found, todo = set(), [location_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def stocktake_scope(session: StocktakeSession) -> QuerySet[Item]:
    """The copies a session counts: the school's (in its location, if it has one), not withdrawn."""
    items = Item.objects.filter(school_id=session.school_id).exclude(status=ItemStatus.WITHDRAWN)
    subtree = location_subtree(session.location_id, session.school)
    if subtree is not None:
        items = items.filter(location_id__in=subtree)
    return items


def last_scans(session: StocktakeSession, n: int = 10) -> list[StocktakeScan]:
    return list(
        session.scans.select_related("item__record", "item__location", "location").order_by(
            "-scanned_at", "-id"
        )[:n]
    )


@dataclass
class StocktakeReport:
    """What a count found: copies not seen, seen in the wrong place, and out on loan."""

    scope: int  # copies the session counts
    scanned: int  # copies scanned (of any school)
    missing: QuerySet[Item]  # not scanned, not on loan, not withdrawn
    on_loan: QuerySet[Item]  # not scanned, on loan
    misplaced: list[StocktakeScan]  # scanned somewhere other than where the copy belongs
    registered_away: list[StocktakeScan]  # scanned, but registered as on loan, missing or lost


AWAY_STATUSES = (ItemStatus.ON_LOAN, ItemStatus.MISSING, ItemStatus.LOST, ItemStatus.IN_TRANSIT)


def stocktake_report(session: StocktakeSession) -> StocktakeReport:
    scope = stocktake_scope(session)
    seen = StocktakeScan.objects.filter(session=session, item_id=OuterRef("pk"))
    unseen = scope.exclude(Exists(seen)).select_related("record", "location")
    scans = list(
        session.scans.select_related("item__record", "item__location", "item__school", "location")
    )
    trees: dict[int | None, set[int] | None] = {}
    misplaced = []
    for scan in scans:
        item = scan.item
        if item.school_id != session.school_id:
            misplaced.append(scan)
            continue
        if scan.location_id not in trees:
            trees[scan.location_id] = location_subtree(scan.location_id, session.school)
        where = trees[scan.location_id]
        if where is not None and item.location_id is not None and item.location_id not in where:
            misplaced.append(scan)
    return StocktakeReport(
        scope=scope.count(),
        scanned=len(scans),
        missing=unseen.exclude(status=ItemStatus.ON_LOAN).order_by("location__name", "barcode"),
        on_loan=unseen.filter(status=ItemStatus.ON_LOAN).order_by("barcode"),
        misplaced=misplaced,
        registered_away=[s for s in scans if s.item.status in AWAY_STATUSES],
    )


def loans_of_today(patron: User, school: School, today: dt.date) -> QuerySet[Loan]:
    """What a receipt lists: the patron's loans made today at this school, still out."""
    return (
        Loan.objects.filter(patron=patron, school=school, loan_date=today, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("checked_out_at", "id")
    )


# --- Class sets --------------------------------------------------------------------------------


@dataclass
class ClassSetOut:
    """Copies of one title lent to one teacher for one class, still out."""

    group: Group
    record: Record
    patron: User | None
    copies: int
    lent_on: dt.date
    due: dt.date


def class_sets_out(school: School) -> list[ClassSetOut]:
    """The school's class sets out, the soonest due first (four queries, whatever the count)."""
    rows = list(
        Loan.objects.filter(school=school, group__isnull=False, returned_at__isnull=True)
        .values("group_id", "item__record_id", "patron_id")
        .annotate(copies=Count("id"), lent_on=Min("loan_date"), due=Min("due_date"))
        .order_by("due", "group_id", "item__record_id")
    )
    groups = Group.objects.in_bulk({r["group_id"] for r in rows})
    records = Record.objects.in_bulk({r["item__record_id"] for r in rows})
    people = User.objects.in_bulk({r["patron_id"] for r in rows if r["patron_id"]})
    return [
        ClassSetOut(
            group=groups[r["group_id"]],
            record=records[r["item__record_id"]],
            patron=people.get(r["patron_id"]),
            copies=r["copies"],
            lent_on=r["lent_on"],
            due=r["due"],
        )
        for r in rows
    ]


def class_set_loans(school: School, group: int, record: int, patron: int) -> QuerySet[Loan]:
    """The open loans of one class set (what *Return all* takes back)."""
    return Loan.objects.filter(
        school=school,
        group_id=group,
        item__record_id=record,
        patron_id=patron,
        returned_at__isnull=True,
    ).select_related("item")
