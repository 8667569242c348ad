"""What every circulation action shares: today's date, the patron and copy a desk scanned,
moving a copy through the catalogue's status machine, who may act for a patron, and the memo
that lets one batch (a class set) read the patron and the rules once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reol.catalog.models import Item, Record
from reol.catalog.states import can_change
from reol.core import bulk
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, has_perm, require, schools_with
from reol.core.rows import Shape, set_related
from reol.patrons.selectors import borrowing_refusal

from ..errors import CirculationError
from ..selectors import desk_patron, item_by_barcode, patron_category
from ..states import IllegalTransition

T = TypeVar("T")


def local_today() -> dt.date:
    """The school's local date (``timezone.localdate``): the one "today" of circulation."""
    return timezone.localdate()


def day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def patron_at(person: User, school: School) -> str:
    """The person's patron category at ``school``; refused when the account is closed or they
    have no role there. The desk asks this when a card is scanned, checkout again."""
    if not person.is_active:
        raise CirculationError(
            "patron_blocked",
            _("%(name)s may not borrow: the account is closed.") % {"name": person},
        )
    category = patron_category(person, school)
    if category is None:
        raise CirculationError(
            "unknown_patron",
            _("%(name)s is not a patron at %(school)s.") % {"name": person, "school": school.name},
            status=422,
        )
    return category


def lending_patron(
    patron: User | str, school: School, today: dt.date | None = None
) -> tuple[User, str, int | None]:
    """The patron, their category and grade at ``school``; refused when unknown there or
    blocked. One query (``selectors.desk_patron``); the patrons app words a refusal."""
    today = today or local_today()
    found = desk_patron(patron, school, today)
    if found is None:
        raise CirculationError(
            "unknown_patron",
            _("No patron has the card or username %(code)s.") % {"code": patron},
            status=422,
        )
    person = found.person
    category = patron_at(person, school)
    if not found.may_borrow:  # blocked, expired, left the school: the patrons app says how
        refusal = borrowing_refusal(person, school, today)
        if refusal is not None:
            raise CirculationError("patron_blocked", refusal)
    return person, category, found.grade


# What a desk action reads of a copy: all of the copy and its school, and of its record only
# what the messages and the answer show. The record's MARC and its JSON extracts are left in the
# database: decoding them cost more than the rest of the row.
_COPY_PARTS: tuple[Any, ...] = (
    (Item, "i"),
    (Record, "r", ["title", "subtitle", "shelf_mark", "municipality"]),
    (School, "s"),
)
_COPY = Shape(*_COPY_PARTS)
_COPY_SQL = "SELECT {columns} FROM {item} i JOIN {record} r ON r.id = i.record_id"
_COPY_SQL += " JOIN {school} s ON s.id = i.school_id{join} WHERE i.{key} = %s{lock}"


def desk_for(actor: Actor, copy_school: School | None, *, lending: bool = False) -> School:
    """The desk of an action that names no school: the copy's school (always, when lending:
    only its own school lends a copy; when returning, if the actor works its desk); else the
    actor's one desk; else the copy's school, where the permission check then refuses."""
    if copy_school is not None and (lending or has_perm(actor, Perm.CIRCULATION_DESK, copy_school)):
        return copy_school
    desks = list(schools_with(actor, Perm.CIRCULATION_DESK).select_related("municipality")[:2])
    if len(desks) == 1:
        return desks[0]
    if copy_school is not None:
        return copy_school
    raise CirculationError(
        "school_required", _('Say which school\'s desk this is ("school").'), status=422
    )


def first_row(queryset: Any) -> Any:
    """The first row, without the ``ORDER BY`` that ``first()`` adds (one row is expected)."""
    return next(iter(queryset[:1]), None)


# An expression over the copy's row ``i``, read in the statement that locks it, with its
# parameters (``shelf.hold_probe``: whether a hold may want a copy coming back).
Probe = tuple[str, tuple[Any, ...]]


@dataclass(frozen=True)
class Along:
    """Rows read and locked in the statement that locks a copy (``i``, with its record ``r``
    and school ``s``): ``join`` adds them, ``models`` are their shape's parts after the copy's
    (``along_shape``), ``lock`` their aliases. The join is an inner one (PostgreSQL locks no
    row of an outer join's nullable side), so a copy without them is then locked alone."""

    shape: Shape
    join: str
    lock: str

    @property
    def models(self) -> int:
        return len(self.shape.parts) - len(_COPY.parts)


def along_shape(*parts: tuple[type[Any], str] | tuple[type[Any], str, list[str]]) -> Shape:
    """The shape of a copy's row with ``parts`` joined to it (``Along``)."""
    return Shape(*_COPY_PARTS, *parts)


def _copy_locked(
    key: str, value: Any, lock_record: bool, probe: Probe | None, along: Along | None = None
) -> list[Any] | None:
    """The copy whose ``key`` (``id`` or ``barcode``) is ``value``, with its school and part of
    its record, locked (with the record, if asked; with ``along``'s rows), then what ``probe``
    asked. Written out in SQL: every scan asks, and building this query through the ORM cost
    more than running it."""
    shape = along.shape if along else _COPY
    lock = ""
    if connection.features.has_select_for_update:  # SQLite: the write transaction locks it all
        aliases = ["i", *(["r"] if lock_record else []), *([along.lock] if along else [])]
        lock = f" FOR UPDATE OF {', '.join(aliases)}"
    sql = _COPY_SQL.format(
        columns=shape.columns() + (f", {probe[0]}" if probe else ""),
        item=Item._meta.db_table,
        record=Record._meta.db_table,
        school=School._meta.db_table,
        join=along.join if along else "",
        key=key,
        lock=lock,
    )
    found = shape.fetch(sql, [*(probe[1] if probe else []), value])
    if not found:
        return None
    copy, record, school, *rest = found[0]
    set_related(copy, "record", record)
    set_related(copy, "school", school)
    return [copy, *rest]


def _locked(
    item: Item | str, lock_record: bool, probe: Probe | None, along: Along | None = None
) -> tuple[str, Any]:
    """The barcode asked and the copy's row (``_copy_locked``; ``along``'s models None when
    the copy has no such rows), or None when no copy has the barcode."""
    key: str
    value: Any
    if isinstance(item, Item):
        key, value, barcode = "id", item.pk, item.barcode
    else:
        key, value = "barcode", item.strip()
        barcode = value
    if not value:
        return barcode, None
    if along is not None:
        found = _copy_locked(key, value, lock_record, probe, along)
        if found is not None:
            return barcode, found
    # Looked up and locked in one query; a barcode typed in another case is looked up first.
    found = _copy_locked(key, value, lock_record, probe)
    if found is None and key == "barcode":
        loose = item_by_barcode(barcode)
        found = _copy_locked("id", loose.pk, lock_record, probe) if loose is not None else None
    if found is not None and along is not None:
        found = [found[0], *[None] * along.models, *found[1:]]
    return barcode, found


def locked_item(item: Item | str, school: School, *, lock_record: bool = False) -> Item:
    """The copy, locked for this transaction. A copy of another municipality is unknown here.

    ``lock_record`` locks the record's row in the same statement (checkout: the bookings'
    check needs it locked, see ``bookings.lending.latest_due_date``).
    """
    barcode, found = _locked(item, lock_record, None)
    if found is None or found[0].school.municipality_id != school.municipality_id:
        raise unknown_item(barcode)
    copy: Item = found[0]
    return copy


def desk_copy(
    actor: Actor, school: School | None, item: Item | str, probe: Probe, along: Along
) -> tuple[School, list[Any]]:
    """The desk and the copy's row: the copy locked there with ``along``'s rows (None when it
    has none) and what ``probe`` asked, in one statement; the actor's desk permission checked.
    With no ``school`` (the API's caller named none) the desk is ``desk_for`` the copy, read in
    the same statement instead of one of its own."""
    if school is not None:
        require(actor, Perm.CIRCULATION_DESK, school)
    barcode, found = _locked(item, False, probe, along)
    if school is None:
        school = desk_for(actor, found[0].school if found else None)
        require(actor, Perm.CIRCULATION_DESK, school)
    if found is None or found[0].school.municipality_id != school.municipality_id:
        raise unknown_item(barcode)
    return school, found


def unknown_item(barcode: str) -> CirculationError:
    return CirculationError(
        "unknown_item",
        _("No copy has the barcode %(barcode)s.") % {"barcode": barcode},
        status=422,
    )


def title_of(item: Item) -> str:
    return item.record.title


def move_item(item: Item, new_status: str) -> None:
    """Change the copy's status through the catalogue's state machine (``catalog.states``).

    Not ``catalog.services.change_item_status``: that one is the cataloguer's action (it needs
    CATALOG_EDIT, which desk volunteers lack, and writes its own audit event per change); here
    the circulation event is the audit record and the caller queues the record for search.
    """
    if item.status == new_status:
        return
    if not can_change(item.status, new_status):
        raise IllegalTransition(f"item {item.status} → {new_status}")
    item.status = new_status
    item.updated_at = timezone.now()  # as ``auto_now`` would in ``save()``
    bulk.update([item], ["status", "updated_at"])  # what ``save(update_fields=…)`` writes


def may_act_for(actor: Actor, patron: User | None, school: School) -> None:
    """Staff at the desk of ``school``, or the patron themself (the OPAC, self-service)."""
    if has_perm(actor, Perm.CIRCULATION_DESK, school):
        return
    if isinstance(actor, User) and patron is not None and actor.pk == patron.pk:
        return
    require(actor, Perm.CIRCULATION_DESK, school)  # raises with the usual message


# --- One batch of checkouts (a class set) reads the same things once --------------------------

_batch: ContextVar[dict[Any, Any] | None] = ContextVar("reol_circulation_batch", default=None)


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, User) else value


def memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()``, once per key while a batch runs (the patron, the rules, the calendar's due
    date are the same for all 28 copies of a class set); outside a batch, every time."""
    cache = _batch.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    found: T = cache[key]
    return found


@contextmanager
def one_batch() -> Iterator[None]:
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)
