"""``retire_copy``: a copy leaves the collection at the desk (a borrowed copy goes back to the
library that lent it). Not the cataloguer's ``withdraw_item``: the desk sends the copy away,
so the desk's permission is asked, and a copy still out on loan is refused.

``send_to_school``: a copy on the shelf goes in transit to a sibling school of the municipality
(an interlibrary loan between our own schools); when it comes home, checkin at its own school
puts it back on the shelf, as for any copy in transit.

``lend_to_library``: a copy on the shelf is lent to a library outside Reol (a partner's
interlibrary-loan request): on loan to that library until a date, refused at the desk meanwhile;
checkin at the desk ends it (``loans.checkin``) and routes the copy as any return."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.catalog.services import queue_for_search, touch_records
from reol.core import audit
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from ..errors import CirculationError
from ..models import LibraryLoan, Loan
from .common import day, local_today, locked_item, move_item, title_of, unknown_item


@transaction.atomic
def retire_copy(actor: Actor, school: School, item: Item | str, *, reason: str) -> Item:
    """Withdraw a copy of ``school`` that is on the shelf (``reason`` goes to the audit log)."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    if copy.school_id != school.pk:
        raise unknown_item(copy.barcode)
    if Loan.objects.open().filter(item=copy).exists() or copy.status != ItemStatus.AVAILABLE:
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is %(status)s: check it in before it leaves the collection.")
            % {"title": title_of(copy), "status": ItemStatus(copy.status).label},
        )
    move_item(copy, ItemStatus.WITHDRAWN)
    touch_records([copy.record_id])
    queue_for_search([copy.record_id])
    audit.record(
        actor, "item.retire", copy, school=school, details={"item": copy.barcode, "reason": reason}
    )
    return copy


@transaction.atomic
def send_to_school(
    actor: Actor, school: School, item: Item | str, *, to_school: School, reason: str
) -> Item:
    """A copy of ``school`` that is on the shelf leaves in transit for ``to_school``."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    if copy.school_id != school.pk:
        raise unknown_item(copy.barcode)
    if to_school.municipality_id != school.municipality_id or to_school.pk == school.pk:
        raise CirculationError(
            "other_school", _("A copy travels only to another school of the municipality.")
        )
    if Loan.objects.open().filter(item=copy).exists() or copy.status != ItemStatus.AVAILABLE:
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is %(status)s: only a copy on the shelf can be sent.")
            % {"title": title_of(copy), "status": ItemStatus(copy.status).label},
        )
    move_item(copy, ItemStatus.IN_TRANSIT)
    queue_for_search([copy.record_id])
    audit.record(
        actor, "item.send_to_school", copy, school=school,
        details={"item": copy.barcode, "to": to_school.code, "reason": reason},
    )  # fmt: skip
    return copy


@transaction.atomic
def lend_to_library(
    actor: Actor, school: School, item: Item | str, *, library: str, due: dt.date,
    reference: str = "",
) -> LibraryLoan:  # fmt: skip
    """A copy of ``school`` on the shelf goes on loan to the library ``library`` until ``due``."""
    require(actor, Perm.CIRCULATION_DESK, school)
    copy = locked_item(item, school)
    if copy.school_id != school.pk:
        raise unknown_item(copy.barcode)
    today = local_today()
    if due <= today:
        raise CirculationError(
            "due_in_past",
            _("The date it must be back has to be after %(day)s.") % {"day": day(today)},
        )
    if Loan.objects.open().filter(item=copy).exists() or copy.status != ItemStatus.AVAILABLE:
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is %(status)s: only a copy on the shelf can be lent to a library.")
            % {"title": title_of(copy), "status": ItemStatus(copy.status).label},
        )
    move_item(copy, ItemStatus.ON_LOAN)
    try:
        with transaction.atomic():
            lent = LibraryLoan.objects.create(
                school=school, item=copy, library=library.strip()[:200],
                reference=reference[:64], loan_date=today, due_date=due,
            )  # fmt: skip
    except IntegrityError as error:  # pragma: no cover - the row lock above serialises
        raise CirculationError(
            "already_on_loan", _("“%(title)s” is already on loan.") % {"title": title_of(copy)}
        ) from error
    queue_for_search([copy.record_id])
    audit.record(
        actor, "item.lend_to_library", copy, school=school,
        details={"item": copy.barcode, "library": lent.library, "due": due.isoformat(),
                 "reference": reference[:64]},
    )  # fmt: skip
    return lent
