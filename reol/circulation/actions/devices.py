"""Devices (copies of circulation type *device*): lent for the school year, swapped for a
loaner, taken out of service for repair and back, written off as lost or retired.

The technology app keeps the devices' asset rows and work orders; every change to a loan or a
copy's status it needs is here, so circulation stays the only writer of both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require
from reol.patrons.models import Group

from .. import rules as rulebook
from ..errors import CirculationError
from ..models import Loan
from .common import first_row, local_today, locked_item, move_item, title_of
from .loans import CheckoutResult, checkin, checkout
from .privacy import write_off


@transaction.atomic
def lend_for_school_year(
    actor: Actor,
    school: School,
    patron: User | str,
    item: Item | str,
    *,
    group: Group | None = None,
    today: dt.date | None = None,
) -> CheckoutResult:
    """A one-to-one device: lent with every rule of the desk, due at the school year's end."""
    today = today or local_today()
    until = rulebook.school_year_end(school, today)
    return checkout(actor, school, patron, item, group=group, today=today, until=until)


@dataclass
class SwapResult:
    returned: Item
    lent: CheckoutResult
    patron: User


def _open_loan(copy: Item) -> Loan | None:
    found: Loan | None = first_row(
        Loan.objects.select_for_update(of=("self",))
        .open()
        .filter(item=copy)
        .select_related("patron", "group")
    )
    return found


@transaction.atomic
def swap_device(
    actor: Actor,
    school: School,
    broken: Item | str,
    loaner: Item | str,
    *,
    today: dt.date | None = None,
) -> SwapResult:
    """The borrower's broken device comes back and a loaner goes out, in one action: the
    broken copy is checked in and set aside as damaged, the loaner lent to the same person
    (for the same class) until the old loan's due date. Both loans stay in the history."""
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or local_today()
    copy = locked_item(broken, school)
    loan = _open_loan(copy)
    if loan is None or loan.patron is None:
        raise CirculationError(
            "not_on_loan", _("“%(title)s” is not on loan.") % {"title": title_of(copy)}
        )
    person, group, due = loan.patron, loan.group, loan.due_date
    checkin(actor, school, copy, today=today)
    copy.refresh_from_db(fields=["status"])
    move_item(copy, ItemStatus.DAMAGED)
    lent = checkout(actor, school, person, loaner, group=group, today=today, until=due)
    audit.record(
        actor,
        "loan.device_swap",
        lent.loan,
        school=school,
        details={"returned": copy.barcode, "lent": lent.loan.item.barcode, "patron": str(person)},
    )
    return SwapResult(returned=copy, lent=lent, patron=person)


def _set_status(actor: Actor, copy: Item, status: str, action: str) -> Item:
    if copy.status == status:
        return copy
    if not can_change(copy.status, status):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s and cannot be changed to %(new)s.")
            % {
                "title": title_of(copy),
                "status": ItemStatus(copy.status).label,
                "new": ItemStatus(status).label,
            },
        )
    old = copy.status
    move_item(copy, status)
    queue_for_search([copy.record_id])
    audit.record(
        actor, action, copy, school=copy.school, details={"item": copy.barcode, "from": old}
    )
    return copy


@transaction.atomic
def take_out_of_service(actor: Actor, school: School, item: Item | str) -> Item:
    """A device on the shelf goes to repair: damaged, so it is not lent meanwhile."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    if _open_loan(copy) is not None:
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is on loan; swap it for a loaner or check it in first.")
            % {"title": title_of(copy)},
        )
    return _set_status(actor, copy, ItemStatus.DAMAGED, "item.out_of_service")


@transaction.atomic
def return_to_service(actor: Actor, school: School, item: Item | str) -> Item:
    """A repaired device is back on the shelf (available), unless it is out on loan."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    if copy.status == ItemStatus.ON_LOAN:
        return copy
    return _set_status(actor, copy, ItemStatus.AVAILABLE, "item.back_in_service")


@transaction.atomic
def retire_device(actor: Actor, school: School, item: Item | str) -> Item:
    """A device written off (beyond repair, replaced): withdrawn from the collection."""
    require(actor, Perm.CATALOG_EDIT, school)
    copy = locked_item(item, school)
    loan = _open_loan(copy)
    if loan is not None:
        write_off(actor, loan, reason="retired")
        copy.refresh_from_db(fields=["status"])
    return _set_status(actor, copy, ItemStatus.WITHDRAWN, "item.retired")


@dataclass
class LostResult:
    item: Item
    last_borrower: User | None


@transaction.atomic
def flag_lost(actor: Actor, school: School, item: Item | str) -> LostResult:
    """A device is lost: its open loan (if any) is written off and the copy registered lost.
    Returns the last borrower, read before the write-off forgets them."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    loan = _open_loan(copy)
    borrower = loan.patron if loan is not None else None
    if loan is not None:
        write_off(actor, loan, reason="lost")
        copy.refresh_from_db(fields=["status"])
    _set_status(actor, copy, ItemStatus.LOST, "item.lost")
    return LostResult(item=copy, last_borrower=borrower)
