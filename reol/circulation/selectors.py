"""Reads of the desk: who a scanned code is, a patron's category, their loans and holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import (
    Case,
    Count,
    Exists,
    Min,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone

from reol.catalog.models import Item, ItemStatus, Record
from reol.core.models import Location, Membership, Municipality, Role, School, User
from reol.core.permissions import Perm, remember_roles, roles_at, schools_with
from reol.core.rows import Shape, set_related
from reol.core.selectors import card_or_username
from reol.patrons.models import Block, Group, Patron
from reol.patrons.selectors import grade_of

from .models import (
    OPEN_HOLD_STATES,
    Hold,
    HoldState,
    LibraryLoan,
    Loan,
    LoanCategory,
    LoanQuerySet,
    StocktakeScan,
    StocktakeSession,
    is_overdue,
    open_condition,
)

M = TypeVar("M", bound=Model)
STAFF_ROLES = frozenset({Role.TEACHER, Role.LIBRARIAN, Role.ADMINISTRATOR, Role.VOLUNTEER})


def patron_by_code(code: str) -> User | None:
    """The person whose card barcode or username this is, ignoring case (card first)."""
    code = code.strip()
    if not code:
        return None
    found = list(User.objects.filter(card_or_username(code)).order_by()[:2])
    by_card = [u for u in found if (u.card_barcode or "").casefold() == code.casefold()]
    chosen = by_card or found
    return chosen[0] if chosen else None


def desk_person(code: str, school: School, actor: User) -> User | None:
    """The person a code scanned at ``school``'s desk names, for this desk: someone with a role
    here (a closed account too: the desk says so), or at another school whose desk the actor
    also works. Anyone else is None, so the desk answers "no card and no copy has the code"
    for them, never with their name. One query more than ``patron_by_code``."""
    person = patron_by_code(code)
    if person is None:
        return None
    desks = schools_with(actor, Perm.CIRCULATION_DESK).values("pk")
    roles = Membership.objects.filter(user=person, school__isnull=False).exclude(
        role=Role.CONSULTANT
    )
    return person if roles.filter(Q(school=school) | Q(school__in=desks)).exists() else None


@dataclass
class DeskPatron:
    """A person as the desk sees them at one school, read in one query (``desk_patron``)."""

    person: User
    has_patron_row: bool  # the patrons app has a Patron for them at this school
    may_borrow: bool  # that row is active, not blocked and not expired (or there is none)
    grade: int | None


_DESK_PATRON = Shape(
    (User, "u"),
    extra=[
        "m.id",
        "m.municipality_id",
        "m.school_id",
        "m.role",
        "p.id",
        "p.active",
        "p.grade",
        "CAST(p.valid_until AS TEXT)",
    ],
)
_DESK_PATRON_SQL = """
SELECT {columns},
       CASE WHEN EXISTS (SELECT 1 FROM {block} b WHERE b.patron_id = p.id
                           AND b.lifted_at IS NULL) THEN 1 ELSE 0 END
  FROM {user} u
  LEFT JOIN {membership} m ON m.user_id = u.id
  LEFT JOIN {patron} p ON p.user_id = u.id AND p.school_id = %s
 WHERE {where}
"""


def _people_with_roles(
    sql: str, args: list[Any]
) -> tuple[dict[int, Any], dict[int, list[Membership]]]:
    """The first row of each person the query finds (it carries the patron row's columns), and
    each person's memberships, built from the joined rows."""
    pk_at = _DESK_PATRON.parts[0].pk_index
    people: dict[int, Any] = {}  # the first row of each person
    roles: dict[int, list[Membership]] = {}
    for row in _DESK_PATRON.rows(sql, args):
        pk = row[pk_at]
        people.setdefault(pk, row)
        m_id, municipality, m_school, role = row[-9:-5]
        found = roles.setdefault(pk, [])
        if m_id is not None:
            found.append(
                Membership(
                    id=m_id,
                    user_id=pk,
                    municipality_id=municipality,
                    school_id=m_school,
                    role=role,
                )
            )
    return people, roles


def desk_patron(who: User | str, school: School, today: dt.date) -> DeskPatron | None:
    """The person a card or username (or a ``User``) names, with their roles, and their patron
    row at ``school`` (active, blocked, valid until, grade), in one query.

    The roles go into ``core.permissions``' per-object cache, so ``patron_category`` (and every
    other question about their roles) is answered by ``core.permissions`` without a query.
    Card first, as ``patron_by_code``; case is ignored through ``LOWER()``, which the card's
    unique index (``Lower("card_barcode")``) serves. Read with ``core.rows`` (no ORM: the desk
    asks at every scan), each row the person, one role, and the patron row's columns.
    """
    args: list[Any]
    if isinstance(who, User):
        where, args = "u.id = %s", [who.pk]
    else:
        code = who.strip()
        if not code:
            return None
        where = "LOWER(u.card_barcode) = LOWER(%s) OR LOWER(u.username) = LOWER(%s)"
        args = [code, code]
    sql = _DESK_PATRON_SQL.format(
        columns=_DESK_PATRON.columns(),
        block=Block._meta.db_table,
        user=User._meta.db_table,
        membership=Membership._meta.db_table,
        patron=Patron._meta.db_table,
        where=where,
    )
    people, roles = _people_with_roles(sql, [school.pk, *args])
    if not people:
        return None
    if isinstance(who, User):
        person = who  # the caller's object stays the one they hold
    else:
        named = [_DESK_PATRON.build(row)[0] for row in people.values()]
        folded = code.casefold()
        by_card = [u for u in named if (u.card_barcode or "").casefold() == folded]
        person = (by_card or named)[0]
    remember_roles(person, roles[person.pk])
    if not isinstance(who, User) and not any(
        m.school_id == school.pk and m.role != Role.CONSULTANT for m in roles[person.pk]
    ):
        return None  # a code of someone with no role here names nobody at this desk
    p_id, p_active, p_grade, p_valid, p_blocked = people[person.pk][-5:]
    has_row = p_id is not None
    valid_until = dt.date.fromisoformat(str(p_valid)[:10]) if p_valid else None
    may_borrow = not has_row or (
        bool(p_active) and not p_blocked and (valid_until is None or valid_until >= today)
    )
    return DeskPatron(person=person, has_patron_row=has_row, may_borrow=may_borrow, grade=p_grade)


def _first(queryset: QuerySet[M]) -> M | None:
    """The first row, without the ``ORDER BY`` that ``first()`` adds (one row is expected)."""
    return next(iter(queryset[:1]), None)


def _by_barcode(queryset: QuerySet[Item], barcode: str) -> Item | None:
    """Exact first, then ignoring case through ``LOWER(barcode)``, which the catalogue's
    unique index ``Lower("barcode")`` serves (``barcode__iexact`` would be ``LIKE`` on SQLite
    and ``UPPER()`` on PostgreSQL: a scan of every copy either way)."""
    return _first(queryset.filter(barcode=barcode)) or _first(
        queryset.alias(barcode_lower=Lower("barcode")).filter(barcode_lower=barcode.lower())
    )


def item_by_barcode(barcode: str) -> Item | None:
    """The copy with this barcode (exact first, then ignoring case), with record and school."""
    barcode = barcode.strip()
    if not barcode:
        return None
    items = Item.objects.select_related("record", "school__municipality", "location").order_by()
    return _by_barcode(items, barcode)


_SCHOOL_OF_COPY = Shape((School, "s"), (Municipality, "m"))
_SCHOOL_OF_COPY_SQL = "SELECT {columns} FROM {school} s JOIN {municipality} m"
_SCHOOL_OF_COPY_SQL += " ON m.id = s.municipality_id JOIN {item} i ON i.school_id = s.id"
_SCHOOL_OF_COPY_SQL += " WHERE {barcode} = %s"


def school_of_copy(barcode: str) -> School | None:
    """The school that owns the copy with this barcode (the API's desk when none is named):
    the copy's school and municipality only, not its record. Exact first, then ignoring case
    (``LOWER()``, which the catalogue's index serves). Written out in SQL: every API scan
    asks, and building the ORM's query cost more than running it."""
    barcode = barcode.strip()
    if not barcode:
        return None
    for column, value in (("i.barcode", barcode), ("LOWER(i.barcode)", barcode.lower())):
        sql = _SCHOOL_OF_COPY_SQL.format(
            columns=_SCHOOL_OF_COPY.columns(),
            school=School._meta.db_table,
            municipality=Municipality._meta.db_table,
            item=Item._meta.db_table,
            barcode=column,
        )
        found = _SCHOOL_OF_COPY.fetch(sql, [value])
        if found:
            school, municipality = found[0]
            set_related(school, "municipality", municipality)
            return school
    return None


def patron_category(patron: User, school: School) -> str | None:
    """``staff`` for teachers and staff, ``student`` for students, None for no role here."""
    roles = roles_at(patron, school) - {Role.CONSULTANT}
    if roles & STAFF_ROLES:
        return LoanCategory.STAFF
    if Role.STUDENT in roles:
        return LoanCategory.STUDENT
    return None


def patron_grade(patron: User, school: School) -> int | None:
    """The student's grade (0–13), for grade-specific rules, from the patrons app."""
    return grade_of(patron, school)


def open_loans(patron: User) -> LoanQuerySet:
    return (
        Loan.objects.open()
        .of_patron(patron)
        .select_related("item__record", "school")
        .order_by("due_date", "id")
    )


def open_holds(patron: User) -> QuerySet[Hold]:
    """A patron's open holds, each with ``queue_position``: 1 for the first in the queue for
    that title at that school (a ready hold is out of the queue: its position is 0)."""
    ahead = (
        Hold.objects.filter(
            school=OuterRef("school"), record=OuterRef("record"), state=HoldState.WAITING
        )
        .filter(
            Q(placed_at__lt=OuterRef("placed_at"))
            | Q(placed_at=OuterRef("placed_at"), id__lt=OuterRef("id"))
        )
        .order_by()
        .values("record")
        .annotate(n=Count("id"))
        .values("n")
    )
    position = Case(
        When(state=HoldState.WAITING, then=Coalesce(Subquery(ahead), Value(0)) + 1),
        default=Value(0),
    )
    return (
        Hold.objects.filter(patron=patron, state__in=OPEN_HOLD_STATES)
        .select_related("record", "item", "school")
        .annotate(queue_position=position)
        .order_by("placed_at", "id")
    )


def hold_shelf(school: School) -> QuerySet[Hold]:
    """Holds ready for collection at a school, oldest first."""
    return (
        Hold.objects.filter(school=school, state=HoldState.READY)
        .select_related("record", "item", "patron")
        .order_by("pickup_by", "id")
    )


def record_loans(record: Record, school: School) -> QuerySet[Loan]:
    """The open loans of a title's copies at a school, with who has each: the record page's."""
    return (
        Loan.objects.open()
        .filter(item__record=record, item__school=school)
        .with_lateness(timezone.localdate())
        .select_related("item", "patron", "group")
        .order_by("due_date", "id")
    )


def record_library_loans(record: Record, school: School) -> QuerySet[LibraryLoan]:
    """The title's copies at a school lent to other libraries (interlibrary loans)."""
    return (
        LibraryLoan.objects.filter(item__record=record, item__school=school, returned_at=None)
        .select_related("item")
        .order_by("due_date", "id")
    )


def record_holds(record: Record, school: School) -> QuerySet[Hold]:
    """The open holds on a title at a school, in queue order (the ready ones first)."""
    return (
        Hold.objects.filter(record=record, school=school, state__in=OPEN_HOLD_STATES)
        .select_related("patron", "item")
        .order_by("state", "placed_at", "id")  # "ready" sorts before "waiting"
    )


def open_loan_of(item: Item) -> Loan | None:
    return Loan.objects.open().filter(item=item).select_related("patron", "school").first()


def open_library_loan_of(item: Item) -> LibraryLoan | None:
    """The copy's loan to another library, while it is there."""
    return LibraryLoan.objects.filter(open_condition(), item=item).first()


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


def shelf_order(items: QuerySet[Item]) -> QuerySet[Item]:
    """Copies in the order a librarian walks the shelves: place, shelf mark (the copy's own,
    else the title's), title, then barcode."""
    shelf = Coalesce(NullIf("shelf_mark", Value("")), "record__shelf_mark")
    return items.annotate(shelf=Lower(shelf)).order_by(
        "location__name", "shelf", Lower("record__title"), "barcode"
    )


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
        missing=shelf_order(unseen.exclude(status=ItemStatus.ON_LOAN)),
        on_loan=unseen.filter(status=ItemStatus.ON_LOAN).order_by("barcode"),
        misplaced=misplaced,
        registered_away=[s for s in scans if s.item.status in AWAY_STATUSES],
    )


def loans_of_today(patron: User, school: School, today: dt.date) -> QuerySet[Loan]:
    """What a receipt lists: the patron's loans made today at this school, still out."""
    return (
        Loan.objects.open()
        .of_patron(patron)
        .of_school(school)
        .filter(loan_date=today)
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
    late: bool = False  # overdue on the day asked (``models.is_overdue``)


def class_sets_out(school: School, today: dt.date | None = None) -> list[ClassSetOut]:
    """The school's class sets out, the soonest due first (four queries, whatever the count)."""
    rows = list(
        Loan.objects.open()
        .of_school(school)
        .filter(group__isnull=False)
        .values("group_id", "item__record_id", "patron_id")
        .annotate(copies=Count("id"), lent_on=Min("loan_date"), due=Min("due_date"))
        .order_by("due", "group_id", "item__record_id", "patron_id")
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
            late=today is not None and is_overdue(r["due"], today),
        )
        for r in rows
    ]


def class_set_loans(school: School, group: int, record: int, patron: int) -> QuerySet[Loan]:
    """The open loans of one class set (what *Return all* takes back)."""
    return (
        Loan.objects.open()
        .of_school(school)
        .filter(group_id=group, item__record_id=record, patron_id=patron)
        .select_related("item")
    )
