"""The hold shelf as checkout, checkin and the hold actions see it: the next hold a copy can
fill, a hold made ready (trapped), sent back to the queue, closed, and a copy released to the
next in line or to the shelf. Helpers of the actions, inside their transactions."""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from reol.catalog.models import Item, ItemStatus
from reol.core.models import User
from reol.core.rows import Shape

from .. import rules as rulebook
from ..models import Hold, HoldState
from ..states import require_hold_change
from .common import Probe, move_item

HOLD_PICKUP_DAYS = 7  # a ready hold waits this long (then the next open day) on the hold shelf


def next_waiting_hold(item: Item, *, exclude_patron: User | None = None) -> Hold | None:
    """The first waiting hold this copy can fill: at its school, for its record or for it."""
    holds = Hold.objects.select_for_update(of=("self",)).filter(
        state=HoldState.WAITING, school_id=item.school_id, record_id=item.record_id
    )
    holds = holds.filter(Q(item_specific=False) | Q(item=item))
    if exclude_patron is not None:
        holds = holds.exclude(patron=exclude_patron)
    return holds.select_related("patron").order_by("placed_at", "id").first()


_HOLD = Shape((Hold, "h"))
# The hold a copy coming back serves: its ready hold (it was on the hold shelf), else the first
# waiting hold it can fill at its school (as ``next_waiting_hold``). ``{item}``, ``{school}``
# and ``{record}`` are the copy's: parameters, or the columns of its row in a statement that
# reads it (``hold_probe``).
_FOR_RETURNED = """FROM {hold} h
 WHERE (h.item_id = {item} AND h.state = %s)
    OR (h.state = %s AND h.school_id = {school} AND h.record_id = {record}
        AND (h.item_specific = %s OR h.item_id = {item}))
 ORDER BY CASE WHEN h.state = %s THEN 0 ELSE 1 END, h.placed_at, h.id
 LIMIT 1"""


def _for_returned(**copy: str) -> str:
    return _FOR_RETURNED.format(hold=Hold._meta.db_table, **copy)


def hold_for_returned(item: Item) -> Hold | None:
    """The hold a copy coming back serves (``_FOR_RETURNED``), locked. Most copies come back to
    no hold, so nothing is joined: the rare hold reads its patron when asked. Written out in
    SQL: every check-in asks, and building this query through the ORM cost more than running
    it."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = f"SELECT {_HOLD.columns()} {_for_returned(item='%s', school='%s', record='%s')}{lock}"
    ready, waiting = HoldState.READY.value, HoldState.WAITING.value
    params = [item.pk, ready, waiting, item.school_id, item.record_id, False, item.pk, ready]
    found = _HOLD.fetch(sql, params)
    return found[0][0] if found else None


@functools.cache  # the same text and values at every scan: built once a process
def hold_probe() -> Probe:
    """Whether a hold may want the copy (``_FOR_RETURNED``'s hold id, or NULL), asked in the
    statement that locks it (``common.desk_copy``): most copies come back to no hold, and then
    ``hold_for_returned`` need not ask again. On PostgreSQL a hold placed while that statement
    waited for the copy's lock is not seen; neither is one placed just after the check-in."""
    sql = _for_returned(item="i.id", school="i.school_id", record="i.record_id")
    ready, waiting = HoldState.READY.value, HoldState.WAITING.value
    return f"(SELECT h.id {sql})", (ready, waiting, False, ready)


def make_ready(hold: Hold, item: Item, today: dt.date) -> None:
    require_hold_change(hold.state, HoldState.READY)
    calendar = rulebook.calendar_for(item.school, today)
    pickup = today + dt.timedelta(days=HOLD_PICKUP_DAYS)
    hold.state = HoldState.READY
    hold.item = item
    hold.ready_at = timezone.now()
    hold.pickup_by = calendar.next_open(pickup) or pickup
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def unready(hold: Hold) -> None:
    """A ready hold goes back to the queue (its copy went to someone else), keeping its place."""
    require_hold_change(hold.state, HoldState.WAITING)
    hold.state = HoldState.WAITING
    if not hold.item_specific:
        hold.item = None
    hold.ready_at = None
    hold.pickup_by = None
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def close_hold(hold: Hold, state: str) -> None:
    require_hold_change(hold.state, state)
    hold.state = state
    hold.closed_at = timezone.now()
    hold.save(update_fields=["state", "closed_at", "item"])


def release(item: Item, today: dt.date) -> None:
    """A copy on the hold shelf whose hold closed: to the next in the queue, or to the shelf."""
    following = next_waiting_hold(item)
    if following is not None:
        make_ready(following, item, today)
    else:
        move_item(item, ItemStatus.AVAILABLE)
