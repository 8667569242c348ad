"""Funds: creation, allocation, transfers, roll-over, and ``post`` — the one writer of a
fund's sums, which every other action (ordering, cancelling, invoicing) goes through.

``post`` locks the fund's row, adds the ledger entry and changes the sum in the same
transaction; a change that would leave the fund below zero is refused with
``AcquisitionError("over_budget")`` unless the caller passed ``override=True``, in which case
the shortfall is added to the fund's overdraft, written to the ledger and audited as
``fund.override``. The CHECK constraint ``fund_not_overspent`` refuses the row otherwise.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from reol.core import audit, calendar
from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, require

from ..errors import AcquisitionError
from ..models import ZERO, EntryKind, Fund, FundEntry, OrderLine

CENT = Decimal("0.01")
# Which sum each kind of entry moves.
_COLUMN = {
    EntryKind.ALLOCATION: "allocated",
    EntryKind.TRANSFER: "transferred",
    EntryKind.ROLLOVER: "transferred",
    EntryKind.COMMITMENT: "committed",
    EntryKind.SPENDING: "spent",
    EntryKind.OVERRIDE: "overdraft",
}
# Sums that lower what is available when they grow.
_OUTGOING = {"committed", "spent"}


def money(value: Decimal | int | str) -> Decimal:
    """An amount as exact cents; refuses what has more than two decimals (no silent rounding)."""
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise AcquisitionError(
            "bad_amount",
            _("%(amount)s has more than two decimals.") % {"amount": value},
            status=422,
        )
    return amount.quantize(CENT)


def _shortfall_message(fund: Fund, short: Decimal) -> str:
    return _(
        "%(fund)s has %(available)s %(currency)s available; this needs %(short)s %(currency)s "
        "more. Spend past the balance only with an override."
    ) % {
        "fund": fund.name,
        "available": fund.available,
        "currency": fund.currency,
        "short": short,
    }


def post(
    actor: Actor,
    fund: Fund,
    kind: str,
    amount: Decimal,
    *,
    line: OrderLine | None = None,
    note: str = "",
    override: bool = False,
) -> Fund:
    """Move one of the fund's sums by ``amount`` (signed) and write the ledger entry.

    Must run inside the caller's transaction (it is part of the caller's one write)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("funds.post() must run inside the action's transaction")
    locked = Fund.objects.select_for_update().get(pk=fund.pk)
    column = _COLUMN[EntryKind(kind)]
    setattr(locked, column, getattr(locked, column) + amount)
    lowers = (column in _OUTGOING and amount > 0) or (column not in _OUTGOING and amount < 0)
    short = -(locked.available + locked.overdraft)
    if lowers and short > 0:
        if not override:
            raise AcquisitionError("over_budget", _shortfall_message(fund, short))
        locked.overdraft += short
        _entry(actor, locked, EntryKind.OVERRIDE, short, line, note)
        audit.record(
            actor,
            "fund.override",
            locked,
            school=locked.school,
            details={"amount": str(short), "note": note, "line": line.pk if line else None},
        )
    locked.save(update_fields=["allocated", "transferred", "committed", "spent", "overdraft"])
    _entry(actor, locked, kind, amount, line, note)
    fund.__dict__.update({c: getattr(locked, c) for c in set(_COLUMN.values())})
    return locked


def _entry(
    actor: Actor, fund: Fund, kind: str, amount: Decimal, line: OrderLine | None, note: str
) -> None:
    FundEntry.objects.create(
        fund=fund,
        kind=kind,
        amount=amount,
        order_line=line,
        actor=actor if isinstance(actor, User) else None,
        note=note[:300],
    )


@transaction.atomic
def create_fund(
    actor: Actor,
    school: School,
    *,
    code: str,
    name: str,
    currency: str = "DKK",
    school_year: str | None = None,
    allocation: Decimal = ZERO,
) -> Fund:
    """A new fund for a school year (this one unless named), with its first allocation."""
    require(actor, Perm.ACQUISITIONS, school)
    year = school_year or calendar.current_school_year(school)
    calendar.start_year(year)  # a ValidationError for a name that is not a school year
    if Fund.objects.filter(school=school, school_year=year, code=code).exists():
        raise AcquisitionError(
            "fund_exists",
            _("%(school)s already has a fund “%(code)s” in %(year)s.")
            % {"school": school.name, "code": code, "year": year},
        )
    fund = Fund.objects.create(
        school=school, school_year=year, code=code, name=name, currency=currency
    )
    audit.record(actor, "fund.create", fund, school=school, details={"currency": currency})
    if allocation:
        post(actor, fund, EntryKind.ALLOCATION, money(allocation), note=_("first allocation"))
    return fund


@transaction.atomic
def allocate(actor: Actor, fund: Fund, amount: Decimal, *, note: str = "") -> Fund:
    """Add to (or, negative, take from) a fund's allocation; never below what is available."""
    require(actor, Perm.ACQUISITIONS, fund.school)
    amount = money(amount)
    fund = post(actor, fund, EntryKind.ALLOCATION, amount, note=note)
    audit.record(actor, "fund.allocate", fund, school=fund.school, details={"amount": str(amount)})
    return fund


@transaction.atomic
def transfer(actor: Actor, source: Fund, target: Fund, amount: Decimal, *, note: str = "") -> None:
    """Move money from one fund to another of the same school and currency."""
    require(actor, Perm.ACQUISITIONS, source.school)
    amount = money(amount)
    if amount <= 0:
        raise AcquisitionError("bad_amount", _("Transfer a positive amount."), status=422)
    if source.pk == target.pk:
        raise AcquisitionError("same_fund", _("Choose two different funds."), status=422)
    if source.school_id != target.school_id or source.currency != target.currency:
        raise AcquisitionError(
            "other_fund",
            _("Money moves only between funds of one school in one currency."),
            status=422,
        )
    first, second = sorted([source, target], key=lambda f: f.pk)  # lock in id order
    Fund.objects.select_for_update().filter(pk__in=[first.pk, second.pk]).order_by("pk").count()
    post(actor, source, EntryKind.TRANSFER, -amount, note=note or target.name)
    post(actor, target, EntryKind.TRANSFER, amount, note=note or source.name)
    audit.record(
        actor,
        "fund.transfer",
        source,
        school=source.school,
        details={"amount": str(amount), "to": target.pk},
    )


@transaction.atomic
def roll_over(actor: Actor, fund: Fund) -> Fund:
    """Carry the unspent balance into the same fund of the next school year (made if missing).

    What is still committed stays with the old fund and is paid from it when invoiced."""
    require(actor, Perm.ACQUISITIONS, fund.school)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.rolled_over:
        raise AcquisitionError("rolled_over", _("This fund has already been rolled over."))
    following = calendar.next_year_name(fund.school_year)
    target, _created = Fund.objects.get_or_create(
        school=fund.school,
        school_year=following,
        code=fund.code,
        defaults={"name": fund.name, "currency": fund.currency},
    )
    carried = max(fund.available, ZERO)
    if carried:
        post(actor, fund, EntryKind.ROLLOVER, -carried, note=following)
        post(actor, target, EntryKind.ROLLOVER, carried, note=fund.school_year)
    fund.rolled_over = True
    fund.save(update_fields=["rolled_over"])
    audit.record(
        actor,
        "fund.rollover",
        fund,
        school=fund.school,
        details={"amount": str(carried), "to": target.pk},
    )
    return target
