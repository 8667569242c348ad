"""Holds: ``place_hold``, ``cancel_hold``, ``expire_hold``. (A hold is made ready and
fulfilled by checkin and checkout, through ``shelf``.)"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus, Record
from reol.catalog.services import queue_for_search
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from .. import rules as rulebook
from ..errors import CirculationError
from ..models import OPEN_HOLD_STATES, Hold, HoldState, Loan, LoanCategory
from .common import lending_patron, local_today, locked_item, may_act_for
from .shelf import close_hold, release


def _hold_target(
    school: School, record: Record | None, item: Item | str | None
) -> tuple[Record, Item | None, list[Item]]:
    """What the hold is for: the title, the copy asked for (if any) and the copies that may
    fill it. Refused for another school's copy, an unknown title or one with no copies here."""
    copy: Item | None = None
    if item is not None:
        copy = locked_item(item, school)
        if copy.school_id != school.pk:
            raise CirculationError(
                "other_school",
                _("This copy belongs to %(school)s; place the hold there.")
                % {"school": copy.school.name},
            )
        record = copy.record
    if record is None or record.municipality_id != school.municipality_id:
        raise CirculationError("unknown_record", _("There is no such title."), status=422)
    copies = (
        [copy]
        if copy is not None
        else list(
            Item.objects.filter(record=record, school=school).exclude(
                status__in=[ItemStatus.WITHDRAWN, ItemStatus.LOST]
            )
        )
    )
    if not copies:
        raise CirculationError(
            "no_copies",
            _("%(school)s has no copies of “%(title)s” to hold.")
            % {"school": school.name, "title": record.title},
        )
    return record, copy, copies


def _not_on_the_shelf(school: School, record: Record, copies: list[Item]) -> None:
    """Self-service: a copy on the shelf here is fetched, not reserved."""
    shelved = sorted(
        (c for c in copies if c.status == ItemStatus.AVAILABLE), key=lambda c: c.barcode
    )
    if shelved:
        shelved[0].record = record
        raise CirculationError("on_shelf_here", _on_shelf_here(school, shelved[0]))


def _holds_allowed(
    school: School, category: str, grade: int | None, record: Record, copies: list[Item]
) -> None:
    """The rules lend at least one of the copies to this patron, with holds."""
    rules = rulebook.rules_of(school)
    for c in copies:
        rule = rulebook.pick_rule(rules, category, grade, c.circulation_type)
        if rule is not None and rule.lends and rule.holds_allowed:
            return
    raise CirculationError(
        "holds_not_allowed",
        _("A %(category)s cannot place holds on “%(title)s”.")
        % {"category": LoanCategory(category).label, "title": record.title},
    )


def _not_had_already(person: User, record: Record) -> CirculationError:
    """Refused when the patron has the title on loan; answers the duplicate-hold refusal (the
    check below, and the unique index should two requests race)."""
    if Loan.objects.open().filter(patron=person, item__record=record).exists():
        raise CirculationError(
            "already_has_it",
            _("%(name)s already has “%(title)s” on loan.")
            % {"name": person, "title": record.title},
        )
    duplicate = CirculationError(
        "hold_exists",
        _("%(name)s already has a hold on “%(title)s”.") % {"name": person, "title": record.title},
    )
    if Hold.objects.filter(patron=person, record=record, state__in=OPEN_HOLD_STATES).exists():
        raise duplicate
    return duplicate


@transaction.atomic
def place_hold(
    actor: Actor,
    school: School,
    patron: User | str,
    *,
    record: Record | None = None,
    item: Item | str | None = None,
) -> Hold:
    """Queue a patron for a title (the first copy back at ``school``) or for one copy.

    Self-service (a student or teacher placing their own hold, as in the OPAC) is refused
    with ``on_shelf_here`` while a copy is on the shelf at ``school``: it is fetched, not
    reserved. Staff placing a hold for someone else may (they may be putting it aside).
    """
    person, category, grade = lending_patron(patron, school)
    may_act_for(actor, person, school)
    title, copy, copies = _hold_target(school, record, item)
    if isinstance(actor, User) and actor.pk == person.pk:
        _not_on_the_shelf(school, title, copies)
    _holds_allowed(school, category, grade, title, copies)
    duplicate = _not_had_already(person, title)
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                school=school,
                record=title,
                item=copy,
                item_specific=copy is not None,
                patron=person,
                placed_at=timezone.now(),
            )
    except IntegrityError as error:
        raise duplicate from error
    audit.record(
        actor,
        "hold.place",
        hold,
        school=school,
        details={
            "record": title.pk,
            "item": copy.barcode if copy else None,
            "patron": person.username,
        },
    )
    return hold


def _on_shelf_here(school: School, copy: Item) -> str:
    """Where to fetch a copy instead of reserving it (the OPAC's words)."""
    mark = copy.effective_shelf_mark
    if mark:
        return _(
            "It is on the shelf at %(school)s — shelf mark %(mark)s. "
            "You can fetch it there; no need to reserve it."
        ) % {"school": school.name, "mark": mark}
    return _("It is on the shelf at %(school)s. You can fetch it there; no need to reserve it.") % {
        "school": school.name
    }


@transaction.atomic
def cancel_hold(actor: Actor, hold: Hold | int, *, today: dt.date | None = None) -> Hold:
    """Cancel a hold. A copy waiting on the hold shelf goes to the next in the queue, or home."""
    pk = hold.pk if isinstance(hold, Hold) else hold
    locked = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("school", "patron", "record")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise CirculationError("unknown_hold", _("There is no such hold."), status=422)
    may_act_for(actor, locked.patron, locked.school)
    if not locked.is_open:
        raise CirculationError(
            "hold_closed",
            _("This hold is already %(state)s.") % {"state": HoldState(locked.state).label},
        )
    copy: Item | None = None
    if locked.state == HoldState.READY and locked.item_id is not None:
        copy = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .get(pk=locked.item_id)
        )
    close_hold(locked, HoldState.CANCELLED)
    if copy is not None:
        release(copy, today or local_today())
        queue_for_search([copy.record_id])
    audit.record(
        actor,
        "hold.cancel",
        locked,
        school=locked.school,
        details={"record": locked.record_id, "patron": locked.patron.username},
    )
    return locked


@transaction.atomic
def expire_hold(actor: Actor, hold: Hold | int, *, today: dt.date | None = None) -> Hold | None:
    """Expire a ready hold not collected by its collect-by date; the copy moves on (to the next
    in the queue, else back on the shelf). None when it was collected or closed meanwhile."""
    today = today or local_today()
    pk = hold.pk if isinstance(hold, Hold) else hold
    locked = (
        Hold.objects.select_for_update(of=("self",))
        .select_related("school", "patron", "record")
        .filter(pk=pk, state=HoldState.READY, pickup_by__lt=today)
        .first()
    )
    if locked is None:
        return None
    require(actor, Perm.CIRCULATION_DESK, locked.school)
    copy = (
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "school")
        .get(pk=locked.item_id or 0)
    )
    close_hold(locked, HoldState.EXPIRED)
    if copy.status == ItemStatus.ON_HOLD_SHELF:
        release(copy, today)
        queue_for_search([copy.record_id])
    audit.record(
        actor,
        "hold.expire",
        locked,
        school=locked.school,
        details={
            "record": locked.record_id,
            "item": copy.barcode,
            "patron": locked.patron.username,
            "pickup_by": locked.pickup_by.isoformat() if locked.pickup_by else None,
        },
    )
    return locked
