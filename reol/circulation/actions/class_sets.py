"""Class sets: a teacher borrows copies of one title for a class in one action
(``lend_class_set``), and the box comes back in one (``return_class_set``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reol.catalog.models import Item, ItemStatus, Record
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require
from reol.patrons.models import Group

from ..errors import CirculationError
from ..models import Loan, LoanCategory
from .common import lending_patron, local_today, one_batch
from .loans import CheckinResult, checkin, checkout

MAX_CLASS_SET = 200  # copies in one class set: a year group's set, and a guard against typos


@dataclass
class ClassSetResult:
    group: Group
    record: Record
    patron: User
    loans: list[Loan]


def _school_group(school: School, group: Group | int) -> Group:
    pk = group.pk if isinstance(group, Group) else group
    found = Group.objects.filter(pk=pk, school=school).first()
    if found is None:
        raise CirculationError(
            "unknown_group",
            _("%(school)s has no such class.") % {"school": school.name},
            status=422,
        )
    return found


def _refused_copies(problems: list[dict[str, str]]) -> CirculationError:
    lines = "; ".join(f"{p['item']}: {p['message']}" for p in problems)
    return CirculationError(
        "class_set_refused",
        ngettext(
            "%(count)s copy cannot be lent, so none were: %(lines)s",
            "%(count)s copies cannot be lent, so none were: %(lines)s",
            len(problems),
        )
        % {"count": len(problems), "lines": lines},
        problems=problems,
    )


@transaction.atomic
def lend_class_set(
    actor: Actor,
    school: School,
    patron: User | str,
    group: Group | int,
    *,
    items: list[str] | list[Item] | None = None,
    record: Record | int | None = None,
    count: int | None = None,
    today: dt.date | None = None,
) -> ClassSetResult:
    """Lend a teacher copies of one title for a class, in one action: the copies scanned
    (``items``), or ``count`` copies the system picks from those on the shelf.

    Each copy is its own loan (with ``group``), made by ``checkout`` with every rule of the
    desk (holds, bookings, the copy's status); class sets are for teachers and staff, whose
    loans have no one-copy-per-title limit. All or nothing: if a scanned copy cannot be lent,
    or fewer than ``count`` can, no copy is lent and the refusal names every problem.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or local_today()
    person, category, _grade = lending_patron(patron, school)
    if category != LoanCategory.STAFF:
        raise CirculationError(
            "class_set_for_staff",
            _("Class sets are lent to teachers and staff, and %(name)s is a student.")
            % {"name": person},
        )
    the_group = _school_group(school, group)
    with one_batch():
        loans, the_record = _lend_copies(
            actor, school, person, the_group, items=items, record=record, count=count, today=today
        )
    audit.record(
        actor,
        "loan.class_set",
        the_group,
        school=school,
        details={
            "group": the_group.name,
            "record": the_record.pk,
            "patron": person.username,
            "items": [loan.item.barcode for loan in loans],
        },
    )
    return ClassSetResult(group=the_group, record=the_record, patron=person, loans=loans)


def _wanted(items: list[str] | list[Item]) -> list[str | Item]:
    """The copies named, each once, in order; refused when more than a class set."""
    wanted = list(dict.fromkeys(i if isinstance(i, Item) else i.strip() for i in items if i))
    if len(wanted) > MAX_CLASS_SET:
        raise CirculationError(
            "class_set_too_big",
            _("A class set has at most %(max)s copies.") % {"max": MAX_CLASS_SET},
            status=422,
        )
    return wanted


Lend = Callable[[str | Item], Loan]


def _lend_scanned(lend: Lend, items: list[str] | list[Item]) -> tuple[list[Loan], Record]:
    """Every copy scanned, or none: the refusal names each copy that cannot be lent."""
    loans: list[Loan] = []
    problems: list[dict[str, str]] = []
    for copy in _wanted(items):
        code = copy.barcode if isinstance(copy, Item) else copy
        try:
            loans.append(lend(copy))
        except CirculationError as error:
            problems.append({"item": code, "code": error.code, "message": error.message})
    if problems:
        raise _refused_copies(problems)
    titles = {loan.item.record_id for loan in loans}
    if len(titles) > 1:
        raise CirculationError(
            "mixed_titles",
            _("A class set is copies of one title; these are copies of %(count)s titles.")
            % {"count": len(titles)},
        )
    if not loans:
        raise CirculationError(
            "class_set_count", _("Scan the copies of the class set."), status=422
        )
    return loans, loans[0].item.record


def _lend_from_shelf(
    lend: Lend, school: School, record: Record | int | None, count: int | None
) -> tuple[list[Loan], Record]:
    """``count`` copies of the title picked from the shelf, or none."""
    pk = record.pk if isinstance(record, Record) else record
    found = None
    if pk is not None:
        found = Record.objects.filter(pk=pk, municipality_id=school.municipality_id).first()
    if found is None:
        raise CirculationError("unknown_record", _("There is no such title."), status=422)
    if count is None or not 1 <= count <= MAX_CLASS_SET:
        raise CirculationError(
            "class_set_count",
            _("Say how many copies, from 1 to %(max)s.") % {"max": MAX_CLASS_SET},
            status=422,
        )
    loans: list[Loan] = []
    shelf = Item.objects.filter(record=found, school=school, status=ItemStatus.AVAILABLE)
    for candidate in shelf.order_by("barcode").iterator():
        if len(loans) == count:
            break
        try:
            loans.append(lend(candidate))
        except CirculationError:
            continue  # held for someone, booked, lent a moment ago: the next one
    if len(loans) < count:
        raise CirculationError(
            "not_enough_copies",
            _("Only %(found)s of the %(count)s copies of “%(title)s” can be lent now.")
            % {"found": len(loans), "count": count, "title": found.title},
        )
    return loans, found


def _lend_copies(
    actor: Actor,
    school: School,
    person: User,
    the_group: Group,
    *,
    items: list[str] | list[Item] | None,
    record: Record | int | None,
    count: int | None,
    today: dt.date,
) -> tuple[list[Loan], Record]:
    def lend(copy: str | Item) -> Loan:
        with transaction.atomic():  # a refused copy rolls back to here, the others stay
            return checkout(actor, school, person, copy, group=the_group, today=today).loan

    if items:
        return _lend_scanned(lend, items)
    return _lend_from_shelf(lend, school, record, count)


@dataclass
class ClassSetReturn:
    returned: list[CheckinResult]
    problems: list[dict[str, str]]


@transaction.atomic
def return_class_set(
    actor: Actor, school: School, items: list[str] | list[Item], *, today: dt.date | None = None
) -> ClassSetReturn:
    """Take back many copies at once (a class set's box). Each is checked in as at the desk;
    a copy that cannot be (unknown, withdrawn) is reported and the others are still returned."""
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or local_today()
    wanted = _wanted(items)
    done: list[CheckinResult] = []
    problems: list[dict[str, str]] = []
    for copy in wanted:
        code = copy.barcode if isinstance(copy, Item) else copy
        try:
            with transaction.atomic():
                done.append(checkin(actor, school, copy, today=today))
        except CirculationError as error:
            problems.append({"item": code, "code": error.code, "message": error.message})
    if done:
        audit.record(
            actor,
            "loan.class_set_return",
            school,
            school=school,
            details={"items": [r.item.barcode for r in done], "problems": len(problems)},
        )
    return ClassSetReturn(returned=done, problems=problems)
