"""Every write of circulation: ``checkout``, ``checkin``, ``renew``, ``place_hold``,
``cancel_hold`` (and the loan rules' ``save_rule``/``delete_rule``).

Each is one transaction that checks the actor's permission, enforces the rules, writes the
loan/hold, moves the copy through the catalogue's status machine, queues the record for search
(its availability changed) and writes the audit event. The desk page, the API and later the
SIP2 server and the OPAC call these and nothing else. Every refusal is a ``CirculationError``
with a code and a sentence for the librarian.

Concurrency: the copy's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite
the IMMEDIATE transaction already serialises writers), so a second desk scanning the same copy
waits, then sees it on loan and gets the ordinary "already on loan" refusal. Should anything get
past that, the partial unique index on open loans turns the second loan into the same refusal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reol.catalog.models import CirculationType, Item, ItemStatus, Record
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.core import audit
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, has_perm, require

from . import rules as rulebook
from .errors import CirculationError
from .models import (
    OPEN_HOLD_STATES,
    Hold,
    HoldState,
    Loan,
    LoanPeriod,
    LoanRule,
    LoanState,
    PatronCategory,
)
from .selectors import item_by_barcode, patron_by_code, patron_category, patron_grade
from .states import IllegalTransition, require_hold_change, require_loan_change

HOLD_PICKUP_DAYS = 7  # a ready hold waits this long (then the next open day) on the hold shelf


def _today() -> dt.date:
    return timezone.localdate()


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


# --- Looking up what was scanned ---------------------------------------------------------------


def _patron(patron: User | str, school: School) -> tuple[User, str]:
    """The patron and their category at ``school``; refused when unknown there or blocked."""
    person = patron if isinstance(patron, User) else patron_by_code(patron)
    if person is None:
        raise CirculationError(
            "unknown_patron",
            _("No patron has the card or username %(code)s.") % {"code": patron},
            status=422,
        )
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
    return person, category


def _locked_item(item: Item | str, school: School) -> Item:
    """The copy, locked for this transaction. A copy of another municipality is unknown here."""
    barcode = item.barcode if isinstance(item, Item) else item
    found = item if isinstance(item, Item) else item_by_barcode(barcode)
    if found is not None:
        found = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .filter(pk=found.pk)
            .first()
        )
    if found is None or found.school.municipality_id != school.municipality_id:
        raise CirculationError(
            "unknown_item",
            _("No copy has the barcode %(barcode)s.") % {"barcode": barcode},
            status=422,
        )
    return found


def _title(item: Item) -> str:
    return item.record.title


def _move_item(item: Item, new_status: str) -> None:
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
    item.save(update_fields=["status", "updated_at"])


def _refuse_unlendable_status(item: Item) -> None:
    status = item.status
    if status == ItemStatus.IN_TRANSIT:
        raise CirculationError(
            "item_in_transit",
            _("“%(title)s” is in transit to %(school)s. Check it in first.")
            % {"title": _title(item), "school": item.school.name},
        )
    if status == ItemStatus.WITHDRAWN:
        raise CirculationError(
            "item_withdrawn",
            _("“%(title)s” has been withdrawn from the collection and cannot be lent.")
            % {"title": _title(item)},
        )
    if status in (ItemStatus.MISSING, ItemStatus.LOST, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s. Check it in first to put it back.")
            % {"title": _title(item), "status": ItemStatus(status).label},
        )


# --- Holds, as checkout and checkin see them ------------------------------------------------


def _next_waiting_hold(item: Item, *, exclude_patron: User | None = None) -> Hold | None:
    """The first waiting hold this copy can fill: at its school, for its record or for it."""
    holds = Hold.objects.select_for_update(of=("self",)).filter(
        state=HoldState.WAITING, school_id=item.school_id, record_id=item.record_id
    )
    holds = holds.filter(Q(item_specific=False) | Q(item=item))
    if exclude_patron is not None:
        holds = holds.exclude(patron=exclude_patron)
    return holds.select_related("patron").order_by("placed_at", "id").first()


def _make_ready(hold: Hold, item: Item, today: dt.date) -> None:
    require_hold_change(hold.state, HoldState.READY)
    calendar = rulebook.calendar_for(item.school, today)
    pickup = today + dt.timedelta(days=HOLD_PICKUP_DAYS)
    hold.state = HoldState.READY
    hold.item = item
    hold.ready_at = timezone.now()
    hold.pickup_by = calendar.next_open(pickup) or pickup
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def _unready(hold: Hold) -> None:
    """A ready hold goes back to the queue (its copy went to someone else), keeping its place."""
    require_hold_change(hold.state, HoldState.WAITING)
    hold.state = HoldState.WAITING
    if not hold.item_specific:
        hold.item = None
    hold.ready_at = None
    hold.pickup_by = None
    hold.save(update_fields=["state", "item", "ready_at", "pickup_by"])


def _close_hold(hold: Hold, state: str) -> None:
    require_hold_change(hold.state, state)
    hold.state = state
    hold.closed_at = timezone.now()
    hold.save(update_fields=["state", "closed_at", "item"])


def _release(item: Item, today: dt.date) -> None:
    """A copy on the hold shelf whose hold closed: to the next in the queue, or to the shelf."""
    following = _next_waiting_hold(item)
    if following is not None:
        _make_ready(following, item, today)
    else:
        _move_item(item, ItemStatus.AVAILABLE)


# --- Checkout ----------------------------------------------------------------------------------


@dataclass
class CheckoutResult:
    loan: Loan
    due: rulebook.DueDate
    hold_collected: Hold | None = None
    overrode_hold_of: User | None = None


@transaction.atomic
def checkout(
    actor: Actor,
    school: School,
    patron: User | str,
    item: Item | str,
    *,
    override_hold: bool = False,
    today: dt.date | None = None,
) -> CheckoutResult:
    """Lend a copy of ``school`` to a patron of ``school``."""
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    person, category = _patron(patron, school)
    copy = _locked_item(item, school)
    if copy.status == ItemStatus.ON_LOAN:
        current = (
            Loan.objects.filter(item=copy, returned_at__isnull=True)
            .select_related("patron")
            .first()
        )
        if current is not None and current.patron_id == person.pk:
            raise CirculationError(
                "already_on_loan",
                _("%(name)s already has “%(title)s” (due %(due)s). Renew it instead?")
                % {"name": person, "title": _title(copy), "due": _day(current.due_date)},
                same_patron=True,
            )
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is already on loan to %(name)s. Check it in first, then lend it.")
            % {"title": _title(copy), "name": current.patron if current else "?"},
        )
    _refuse_unlendable_status(copy)
    if copy.school_id != school.pk:
        raise CirculationError(
            "other_school",
            _("This copy belongs to %(school)s. Check it in to send it home.")
            % {"school": copy.school.name},
        )
    rule = rulebook.pick_rule(
        rulebook.rules_of(school), category, patron_grade(person, school), copy.circulation_type
    )
    if rule is None or not rule.lends:
        raise CirculationError(
            "not_for_loan",
            _("“%(title)s” is %(type)s: not for loan to a %(category)s.")
            % {
                "title": _title(copy),
                "type": CirculationType(copy.circulation_type).label,
                "category": PatronCategory(category).label,
            },
        )
    count = Loan.objects.filter(
        patron=person,
        school=school,
        returned_at__isnull=True,
        item__circulation_type=copy.circulation_type,
    ).count()
    if count >= rule.max_loans:
        raise CirculationError(
            "too_many_loans",
            _("%(name)s already has %(count)s loans of this kind; the most allowed is %(max)s.")
            % {"name": person, "count": count, "max": rule.max_loans},
        )

    # Holds: a copy trapped for (or asked for by) someone else is theirs unless overridden.
    holds = Hold.objects.select_for_update(of=("self",)).select_related("patron")
    ready = holds.filter(item=copy, state=HoldState.READY).first()
    theirs = ready if ready is not None and ready.patron_id != person.pk else None
    if theirs is None:
        theirs = (
            holds.filter(item=copy, item_specific=True, state=HoldState.WAITING)
            .exclude(patron=person)
            .order_by("placed_at", "id")
            .first()
        )
    overrode: User | None = None
    if theirs is not None:
        if not override_hold:
            raise CirculationError(
                "on_hold_for_other",
                _("“%(title)s” is on hold for %(name)s.")
                % {"title": _title(copy), "name": theirs.patron},
                overridable=True,
            )
        overrode = theirs.patron
        if theirs.state == HoldState.READY:
            _unready(theirs)
    own = ready if ready is not None and ready.patron_id == person.pk else None
    if own is None:
        own = (
            holds.filter(patron=person, record=copy.record, state__in=OPEN_HOLD_STATES)
            .order_by("placed_at", "id")
            .first()
        )
    # Their hold had another copy waiting on the hold shelf: that one goes to the next in line.
    released: Item | None = None
    if own is not None and own.state == HoldState.READY and own.item_id not in (None, copy.pk):
        released = (
            Item.objects.select_for_update(of=("self",))
            .select_related("record", "school")
            .get(pk=own.item_id or 0)
        )

    due = rulebook.due_date(rule, school, today)
    _move_item(copy, ItemStatus.ON_LOAN)
    now = timezone.now()
    try:
        with transaction.atomic():
            loan = Loan.objects.create(
                school=school,
                item=copy,
                patron=person,
                patron_category=category,
                loan_date=today,
                checked_out_at=now,
                due_date=due.date,
            )
    except IntegrityError as error:  # the unique index: someone lent it a moment ago
        raise CirculationError(
            "already_on_loan",
            _("“%(title)s” is already on loan. Check it in first, then lend it.")
            % {"title": _title(copy)},
        ) from error
    if own is not None:
        own.item = copy
        _close_hold(own, HoldState.FULFILLED)
    if released is not None:
        _release(released, today)
    queue_for_search([copy.record_id])
    details: dict[str, Any] = {
        "item": copy.barcode,
        "patron": person.username,
        "due": due.date.isoformat(),
    }
    if own is not None:
        details["hold"] = own.pk
    if overrode is not None:
        details["override_hold_of"] = overrode.username
        audit.record(
            actor,
            "loan.override_hold",
            copy,
            school=school,
            details={
                "item": copy.barcode,
                "hold_of": overrode.username,
                "lent_to": person.username,
            },
        )
    audit.record(actor, "loan.checkout", loan, school=school, details=details)
    loan.item = copy
    return CheckoutResult(loan=loan, due=due, hold_collected=own, overrode_hold_of=overrode)


# --- Checkin -----------------------------------------------------------------------------------


class Route:
    SHELF = "shelf"
    HOLD_SHELF = "hold_shelf"
    TRANSIT = "transit"


@dataclass
class CheckinResult:
    item: Item
    route: str
    loan: Loan | None = None  # the loan just closed, if there was one
    hold: Hold | None = None  # the hold now ready (route HOLD_SHELF)
    found: bool = False  # the copy was registered missing or lost
    overdue_days: int = 0


@transaction.atomic
def checkin(
    actor: Actor, school: School, item: Item | str, *, today: dt.date | None = None
) -> CheckinResult:
    """Take a copy back at ``school`` and say where it goes next.

    To the hold shelf when someone waits for it here, in transit when it belongs to another
    school, else back on the shelf. A missing or lost copy that turns up is found again.
    """
    require(actor, Perm.CIRCULATION_DESK, school)
    today = today or _today()
    copy = _locked_item(item, school)
    if copy.status in (ItemStatus.WITHDRAWN, ItemStatus.DAMAGED):
        raise CirculationError(
            "item_unavailable",
            _("“%(title)s” is registered as %(status)s; change that in the catalogue.")
            % {"title": _title(copy), "status": ItemStatus(copy.status).label},
        )
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .filter(item=copy, returned_at__isnull=True)
        .select_related("patron")
        .first()
    )
    result = CheckinResult(item=copy, route=Route.SHELF, loan=loan)
    if loan is not None:
        require_loan_change(loan.state, LoanState.RETURNED)
        result.overdue_days = max(0, (today - loan.due_date).days)
        loan.state = LoanState.RETURNED
        loan.returned_at = max(timezone.now(), loan.checked_out_at)
        loan.returned_school = school
        # Privacy by default: a student's returned loan forgets the student (rule 7).
        if loan.patron_category == PatronCategory.STUDENT and not loan.school.keep_loan_history:
            loan.patron = None
        loan.save(update_fields=["state", "returned_at", "returned_school", "patron"])
    if copy.status in (ItemStatus.MISSING, ItemStatus.LOST):
        result.found = True
        _move_item(copy, ItemStatus.AVAILABLE)

    ready = (
        Hold.objects.select_for_update(of=("self",))
        .filter(item=copy, state=HoldState.READY)
        .select_related("patron", "record")
        .first()
    )
    if copy.school_id != school.pk:
        result.route = Route.TRANSIT
        if ready is not None:  # it left its hold shelf: the hold waits for the next copy
            _unready(ready)
        _move_item(copy, ItemStatus.IN_TRANSIT)
    else:
        hold = ready or _next_waiting_hold(copy)
        if hold is not None:
            if hold.state == HoldState.WAITING:
                _make_ready(hold, copy, today)
            result.route, result.hold = Route.HOLD_SHELF, hold
            _move_item(copy, ItemStatus.ON_HOLD_SHELF)
        else:
            _move_item(copy, ItemStatus.AVAILABLE)
    queue_for_search([copy.record_id])
    audit.record(
        actor,
        "loan.checkin",
        loan if loan is not None else copy,
        school=school,
        details={
            "item": copy.barcode,
            "route": result.route,
            "found": result.found,
            "hold": result.hold.pk if result.hold else None,
        },
    )
    return result


# --- Renewal -----------------------------------------------------------------------------------


def _may_act_for(actor: Actor, patron: User | None, school: School) -> None:
    """Staff at the desk of ``school``, or the patron themself (the OPAC, self-service)."""
    if has_perm(actor, Perm.CIRCULATION_DESK, school):
        return
    if isinstance(actor, User) and patron is not None and actor.pk == patron.pk:
        return
    require(actor, Perm.CIRCULATION_DESK, school)  # raises with the usual message


@transaction.atomic
def renew(actor: Actor, school: School, item: Item | str, *, today: dt.date | None = None) -> Loan:
    """Give the loan of this copy a new due date, counted from today by the same rule."""
    today = today or _today()
    copy = _locked_item(item, school)
    loan = (
        Loan.objects.select_for_update(of=("self",))
        .filter(item=copy, returned_at__isnull=True, state=LoanState.ACTIVE)
        .select_related("patron", "school__municipality")
        .first()
    )
    if loan is None:
        raise CirculationError(
            "not_on_loan", _("“%(title)s” is not on loan.") % {"title": _title(copy)}
        )
    _may_act_for(actor, loan.patron, loan.school)
    rule = rulebook.pick_rule(
        rulebook.rules_of(loan.school),
        loan.patron_category,
        patron_grade(loan.patron, loan.school) if loan.patron else None,
        copy.circulation_type,
    )
    if rule is None or not rule.lends:
        raise CirculationError(
            "not_for_loan",
            _("“%(title)s” can no longer be lent, so it cannot be renewed.")
            % {"title": _title(copy)},
        )
    if loan.renewals >= rule.max_renewals:
        raise CirculationError(
            "renewal_limit",
            _("“%(title)s” has been renewed %(count)s times, the most allowed.")
            % {"title": _title(copy), "count": loan.renewals},
        )
    if _next_waiting_hold(copy, exclude_patron=loan.patron) is not None:
        raise CirculationError(
            "on_hold_for_other",
            _("Someone is waiting for “%(title)s”, so it cannot be renewed.")
            % {"title": _title(copy)},
        )
    due = rulebook.due_date(rule, loan.school, today)
    if due.date <= loan.due_date:
        raise CirculationError(
            "renewal_not_later",
            _("Renewing would not give “%(title)s” a later due date than %(due)s.")
            % {"title": _title(copy), "due": _day(loan.due_date)},
        )
    require_loan_change(loan.state, LoanState.ACTIVE)
    old = loan.due_date
    loan.due_date = due.date
    loan.renewals += 1
    loan.save(update_fields=["due_date", "renewals"])
    audit.record(
        actor,
        "loan.renew",
        loan,
        school=loan.school,
        details={"item": copy.barcode, "from": old.isoformat(), "to": due.date.isoformat()},
    )
    loan.item = copy
    return loan


# --- Holds -------------------------------------------------------------------------------------


@transaction.atomic
def place_hold(
    actor: Actor,
    school: School,
    patron: User | str,
    *,
    record: Record | None = None,
    item: Item | str | None = None,
) -> Hold:
    """Queue a patron for a title (the first copy back at ``school``) or for one copy."""
    person, category = _patron(patron, school)
    _may_act_for(actor, person, school)
    copy: Item | None = None
    if item is not None:
        copy = _locked_item(item, school)
        if copy.school_id != school.pk:
            raise CirculationError(
                "other_school",
                _("This copy belongs to %(school)s; place the hold there.")
                % {"school": copy.school.name},
            )
        record = copy.record
    if record is None or record.municipality_id != school.municipality_id:
        raise CirculationError("unknown_record", _("There is no such title."), status=422)
    copies = list(
        Item.objects.filter(record=record, school=school).exclude(
            status__in=[ItemStatus.WITHDRAWN, ItemStatus.LOST]
        )
    )
    if copy is not None:
        copies = [copy]
    if not copies:
        raise CirculationError(
            "no_copies",
            _("%(school)s has no copies of “%(title)s” to hold.")
            % {"school": school.name, "title": record.title},
        )
    rules = rulebook.rules_of(school)
    grade = patron_grade(person, school)
    allowed = [
        c
        for c in copies
        if (r := rulebook.pick_rule(rules, category, grade, c.circulation_type)) is not None
        and r.lends
        and r.holds_allowed
    ]
    if not allowed:
        raise CirculationError(
            "holds_not_allowed",
            _("A %(category)s cannot place holds on “%(title)s”.")
            % {"category": PatronCategory(category).label, "title": record.title},
        )
    if Loan.objects.filter(patron=person, item__record=record, returned_at__isnull=True).exists():
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
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                school=school,
                record=record,
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
            "record": record.pk,
            "item": copy.barcode if copy else None,
            "patron": person.username,
        },
    )
    return hold


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
    _may_act_for(actor, locked.patron, locked.school)
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
    _close_hold(locked, HoldState.CANCELLED)
    if copy is not None:
        _release(copy, today or _today())
        queue_for_search([copy.record_id])
    audit.record(
        actor,
        "hold.cancel",
        locked,
        school=locked.school,
        details={"record": locked.record_id, "patron": locked.patron.username},
    )
    return locked


# --- Loan rules --------------------------------------------------------------------------------

RULE_FIELDS = (
    "patron_category",
    "grade_min",
    "grade_max",
    "circulation_type",
    "period",
    "loan_days",
    "fixed_due_date",
    "max_loans",
    "max_renewals",
    "holds_allowed",
)


def _materialise_defaults(school: School) -> None:
    """A school's first edit turns the built-in rules into its own rows."""
    if not LoanRule.objects.filter(school=school).exists():
        LoanRule.objects.bulk_create(rulebook.default_rules(school))


@transaction.atomic
def save_rule(
    actor: Actor, school: School, rule: LoanRule | None = None, **values: Any
) -> LoanRule:
    """Add a loan rule, or change one of the school's (``rule``)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    _materialise_defaults(school)
    if rule is not None and rule.pk is not None:
        if rule.school_id != school.pk:
            raise PermissionDenied(_("That rule belongs to another school."))
        target = LoanRule.objects.select_for_update().get(pk=rule.pk)
    else:
        target = LoanRule(school=school)
    for name in RULE_FIELDS:
        if name in values:
            setattr(target, name, values[name])
    problems: dict[str, str] = {}
    if target.period == LoanPeriod.DAYS and not target.loan_days:
        problems["loan_days"] = _("Give the number of days.")
    if target.period == LoanPeriod.FIXED_DATE and target.fixed_due_date is None:
        problems["fixed_due_date"] = _("Give the due date.")
    if target.patron_category != PatronCategory.STUDENT and (
        target.grade_min is not None or target.grade_max is not None
    ):
        problems["grade_min"] = _("Only rules for students have grades.")
    if (
        target.grade_min is not None
        and target.grade_max is not None
        and target.grade_max < target.grade_min
    ):
        problems["grade_max"] = _("The last grade comes before the first.")
    if problems:
        raise ValidationError(problems)
    if target.period != LoanPeriod.DAYS:
        target.loan_days = None
    if target.period != LoanPeriod.FIXED_DATE:
        target.fixed_due_date = None
    target.full_clean(exclude=["school"])
    created = target.pk is None
    target.save()
    audit.record(
        actor,
        "loan_rule.add" if created else "loan_rule.change",
        target,
        school=school,
        details={name: str(getattr(target, name)) for name in RULE_FIELDS},
    )
    return target


@transaction.atomic
def adopt_default_rules(actor: Actor, school: School) -> list[LoanRule]:
    """Make the built-in rules the school's own rows, to edit them (no-op if it has rules)."""
    require(actor, Perm.SCHOOL_MANAGE, school)
    if not LoanRule.objects.filter(school=school).exists():
        _materialise_defaults(school)
        audit.record(actor, "loan_rule.adopt", school, school=school)
    return list(LoanRule.objects.filter(school=school))


@transaction.atomic
def delete_rule(actor: Actor, school: School, rule: LoanRule) -> None:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if rule.school_id != school.pk:
        raise PermissionDenied(_("That rule belongs to another school."))
    audit.record(actor, "loan_rule.remove", rule, school=school)
    rule.delete()
