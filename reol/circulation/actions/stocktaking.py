"""Stocktaking: ``open_stocktake``, ``record_scan``, ``close_stocktake``, ``mark_missing``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item, ItemStatus
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.core import audit
from reol.core.models import Location, School, User
from reol.core.permissions import Actor, Perm, require

from ..errors import CirculationError
from ..models import Hold, HoldState, StocktakeScan, StocktakeSession
from ..selectors import AWAY_STATUSES, item_by_barcode, location_subtree, stocktake_report
from .common import move_item, unknown_item
from .shelf import unready


def _school_location(school: School, location: Location | int | None) -> Location | None:
    if location is None:
        return None
    pk = location.pk if isinstance(location, Location) else location
    found = Location.objects.filter(pk=pk, school=school).first()
    if found is None:
        raise CirculationError(
            "unknown_location",
            _("%(school)s has no such location.") % {"school": school.name},
            status=422,
        )
    return found


@transaction.atomic
def open_stocktake(
    actor: Actor, school: School, *, location: Location | int | None = None, name: str = ""
) -> StocktakeSession:
    """Start counting a school's copies (or one location's, with what is inside it)."""
    require(actor, Perm.CIRCULATION_DESK, school)
    place = _school_location(school, location)
    session = StocktakeSession.objects.create(
        school=school,
        location=place,
        name=name.strip()[:100],
        opened_by=actor if isinstance(actor, User) else None,
        opened_at=timezone.now(),
    )
    audit.record(
        actor,
        "stocktake.open",
        session,
        school=school,
        details={"location": place.code if place else None, "name": session.name},
    )
    return session


def _open_session(session: StocktakeSession | int) -> StocktakeSession:
    pk = session.pk if isinstance(session, StocktakeSession) else session
    locked = (
        StocktakeSession.objects.select_for_update(of=("self",))
        .select_related("school__municipality", "location")
        .filter(pk=pk)
        .first()
    )
    if locked is None:
        raise CirculationError(
            "unknown_stocktake", _("There is no such stocktaking session."), status=422
        )
    return locked


@dataclass
class ScanResult:
    scan: StocktakeScan
    created: bool  # False: the copy had been counted already in this session
    # What the person scanning should do with the copy now, if anything: it belongs to another
    # school or on another shelf, or the system has it as away (on loan, missing, lost, in
    # transit). The report lists these again when the session closes.
    warning: str = ""


@transaction.atomic
def record_scan(
    actor: Actor,
    session: StocktakeSession | int,
    barcode: str,
    *,
    location: Location | int | None = None,
) -> ScanResult:
    """Count one copy as seen (at ``location``, else the session's). Counting twice is harmless."""
    locked = _open_session(session)
    school = locked.school
    require(actor, Perm.CIRCULATION_DESK, school)
    if not locked.is_open:
        raise CirculationError(
            "stocktake_closed", _("This stocktaking session is closed; open a new one.")
        )
    barcode = barcode.strip()
    copy = item_by_barcode(barcode) if barcode else None
    if copy is None or copy.school.municipality_id != school.municipality_id:
        raise unknown_item(barcode)
    place = _school_location(school, location) if location is not None else locked.location
    existing = StocktakeScan.objects.filter(session=locked, item=copy).first()
    if existing is not None:
        existing.item = copy
        return ScanResult(scan=existing, created=False)
    try:
        with transaction.atomic():
            scan = StocktakeScan.objects.create(
                session=locked,
                item=copy,
                location=place,
                scanned_at=timezone.now(),
                scanned_by=actor if isinstance(actor, User) else None,
            )
    except IntegrityError:  # the same copy from a second phone at the same instant
        scan = StocktakeScan.objects.get(session=locked, item=copy)
        return ScanResult(scan=scan, created=False)
    audit.record(
        actor,
        "stocktake.scan",
        locked,
        school=school,
        details={"item": copy.barcode, "location": place.code if place else None},
    )
    scan.item = copy
    return ScanResult(scan=scan, created=True, warning=_scan_warning(copy, school, place))


def _scan_warning(copy: Item, school: School, place: Location | None) -> str:
    if copy.school_id != school.pk:
        return _("It belongs to %(school)s: put it aside to send back.") % {
            "school": copy.school.name
        }
    if copy.status in AWAY_STATUSES:
        return _("The system has it as “%(status)s”: take it to the desk.") % {
            "status": copy.get_status_display()
        }
    where = location_subtree(place.pk if place else None, school)
    shelf = copy.location
    if where is not None and shelf is not None and shelf.pk not in where:
        return _("It belongs in %(location)s.") % {"location": shelf.name}
    return ""


@transaction.atomic
def close_stocktake(actor: Actor, session: StocktakeSession | int) -> StocktakeSession:
    """Stop counting; the report stays, and copies may still be marked missing from it."""
    locked = _open_session(session)
    require(actor, Perm.CIRCULATION_DESK, locked.school)
    if locked.is_open:
        locked.closed_at = timezone.now()
        locked.save(update_fields=["closed_at"])
        audit.record(
            actor,
            "stocktake.close",
            locked,
            school=locked.school,
            details={"scanned": locked.scans.count()},
        )
    return locked


@transaction.atomic
def mark_missing(
    actor: Actor, session: StocktakeSession | int, items: list[int] | None = None
) -> list[Item]:
    """Register the copies the count did not find as missing (all of them, or those named).

    Only copies the report lists as missing are changed, whatever the browser sent, and only
    as the catalogue's status machine allows. A copy waiting on the hold shelf that is not
    there sends its hold back to the queue (keeping its place). Changing a copy's status is
    the cataloguer's action, so it needs CATALOG_EDIT; each copy gets its audit event.
    """
    locked = _open_session(session)
    school = locked.school
    require(actor, Perm.CATALOG_EDIT, school)
    candidates = stocktake_report(locked).missing.exclude(status=ItemStatus.MISSING)
    if items is not None:
        candidates = candidates.filter(pk__in=items)
    ids = list(candidates.values_list("pk", flat=True))
    copies = list(
        Item.objects.select_for_update(of=("self",))
        .select_related("record", "school")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    changed: list[Item] = []
    for copy in copies:
        if not can_change(copy.status, ItemStatus.MISSING):
            continue
        old = copy.status
        if old == ItemStatus.ON_HOLD_SHELF:
            ready = (
                Hold.objects.select_for_update(of=("self",))
                .filter(item=copy, state=HoldState.READY)
                .first()
            )
            if ready is not None:
                unready(ready)
        move_item(copy, ItemStatus.MISSING)
        audit.record(
            actor,
            "stocktake.missing",
            copy,
            school=school,
            details={"item": copy.barcode, "from": old, "session": locked.pk},
        )
        changed.append(copy)
    queue_for_search(sorted({c.record_id for c in changed}))
    return changed
