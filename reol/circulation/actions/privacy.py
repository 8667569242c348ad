"""The loans' side of privacy (rule 7 of the house): statistics kept before a borrower is
forgotten, forgetting returned loans, anonymising after a school's period, writing off a
leaver's loans, and what an export lists of loans and holds.

Patrons asks for these through ``patrons.borrowing`` (registered by ``CirculationConfig``), so
the loan state machine and the copy's status are changed here only.

* **Loan history.** A student's returned loan keeps its borrower only when the school keeps
  loan history (``School.keep_loan_history``) *and* the student (or a guardian, through staff)
  opted in (``Patron.keeps_loan_history``). Everyone else's returned loans lose the borrower at
  return, or ``PrivacySettings.anonymise_after_days`` after it (``reol anonymise-loans``).
  The loan keeps its dates and copy; ``LoanStatistic`` keeps grade and group.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from reol.catalog.models import ItemStatus
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.core import audit, bulk
from reol.core.models import School, User
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm, require, schools_with
from reol.patrons import selectors as patrons
from reol.patrons.models import Group, GroupMember, Patron

from ..models import OPEN_HOLD_STATES, Hold, HoldState, Loan, LoanCategory, LoanState, LoanStatistic
from ..states import require_loan_change
from .common import move_item
from .holds import cancel_hold


def note_return(loan: Loan) -> bool:
    """At a student's return, inside checkin's transaction: keep the statistics the loan must
    outlive its borrower with (grade and group) and say whether to forget the borrower now:
    yes, unless the school keeps history and the student agreed, or the school anonymises
    some days after return (then ``reol anonymise-loans``)."""
    person = loan.patron
    school = loan.school
    if person is None:
        return False
    patron = patrons.patron_of(person, school)
    group = patrons.groups_of(person, school).order_by("-school_year", "kind").first()
    _keep_statistic(
        LoanStatistic(
            loan=loan,
            school=school,
            grade=patron.grade if patron else None,
            group_name=group.name if group else "",
            school_year=group.school_year if group else "",
        )
    )
    if patrons.keeps_history(person, school):
        return False
    return patrons.privacy_of(school).anonymise_after_days == 0


_UPDATE_STATISTIC = (
    "UPDATE {table} SET school_id = %s, grade = %s, group_name = %s, school_year = %s"
    " WHERE loan_id = %s"
)


def _keep_statistic(statistic: LoanStatistic) -> None:
    """``update_or_create`` by the loan, in one or two short statements instead of its
    savepoints, locked read and ORM insert (every student's return writes one). The loan's
    row is locked by the check-in, so nothing else writes its statistic meanwhile."""
    sql = _UPDATE_STATISTIC.format(table=LoanStatistic._meta.db_table)
    values = [statistic.school_id, statistic.grade, statistic.group_name, statistic.school_year]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*values, statistic.loan_id])
        if cursor.rowcount:
            return
    bulk.insert([statistic])


def _statistic_for(loan: Loan, patron: Patron | None) -> None:
    """Keep grade and group before the borrower goes (once; the return may have done it)."""
    if LoanStatistic.objects.filter(loan=loan).exists():
        return
    group = None
    if patron is not None:
        group = (
            GroupMember.objects.filter(patron=patron, role=GroupMember.Role.STUDENT)
            .select_related("group")
            .order_by("-group__school_year")
            .first()
        )
    LoanStatistic.objects.create(
        loan=loan,
        school_id=loan.school_id,
        grade=patron.grade if patron else None,
        group_name=group.group.name if group else "",
        school_year=group.group.school_year if group else "",
    )


def _forget(loans: Iterable[Loan], school: School) -> int:
    by_user = {p.user_id: p for p in Patron.objects.filter(school=school)}
    ids: list[int] = []
    for loan in loans:
        _statistic_for(loan, by_user.get(loan.patron_id or 0))
        ids.append(loan.pk)
    if ids:
        Loan.objects.returned().filter(pk__in=ids).update(patron=None)
    return len(ids)


def forget_returned_loans(user: User, school: School) -> int:
    """The person's returned loans at ``school`` lose their borrower. Inside a service only."""
    return _forget(Loan.objects.returned().of_school(school).of_patron(user), school)


@transaction.atomic
def anonymise_loans(
    actor: Actor, *, school: School | None = None, now: dt.datetime | None = None
) -> int:
    """Forget the borrower of every returned student loan past its school's period.

    Loans of students who keep their history (school setting + their consent) are left. Run
    daily by ``reol anonymise-loans``; returns how many loans were anonymised.
    """
    now = now or timezone.now()
    schools = [school] if school is not None else list(schools_with(actor, Perm.SCHOOL_MANAGE))
    total = 0
    for place in schools:
        require(actor, Perm.SCHOOL_MANAGE, place)
        days = patrons.privacy_of(place).anonymise_after_days
        loans = (
            Loan.objects.returned()
            .of_school(place)
            .filter(
                patron_category=LoanCategory.STUDENT,
                patron__isnull=False,
                returned_at__lte=now - dt.timedelta(days=days),
            )
        )
        if place.keep_loan_history:
            keepers = Patron.objects.filter(school=place, keeps_loan_history=True, active=True)
            loans = loans.exclude(patron__in=keepers.values("user"))
        count = _forget(loans, place)
        if count:
            audit.record(actor, "loans.anonymise", place, school=place, details={"loans": count})
        total += count
    return total


def _may_write_off(actor: Actor, school: School) -> None:
    if not has_perm(actor, Perm.PEOPLE_MANAGE, school):
        require(actor, Perm.CIRCULATION_DESK, school)


@transaction.atomic
def write_off(actor: Actor, loan: Loan, *, patron: Patron | None = None, reason: str) -> Loan:
    """A copy never brought back (a leaver's, on erasure): the loan ends *written off* through
    the loan state machine, without its borrower (statistics kept first), and the copy is
    registered lost through the catalogue's. Audited ``loan.written_off`` with the reason."""
    locked = (
        Loan.objects.select_for_update(of=("self",))
        .select_related("item", "school")
        .get(pk=loan.pk)
    )
    _may_write_off(actor, locked.school)
    require_loan_change(locked.state, LoanState.WRITTEN_OFF)
    item = locked.item
    if can_change(item.status, ItemStatus.LOST):
        move_item(item, ItemStatus.LOST)
    _statistic_for(locked, patron)
    locked.state = LoanState.WRITTEN_OFF
    locked.returned_at = max(timezone.now(), locked.checked_out_at)
    locked.patron = None
    locked.save(update_fields=["state", "returned_at", "patron"])
    queue_for_search([item.record_id])
    audit.record(
        actor,
        "loan.written_off",
        locked,
        school=locked.school,
        details={"item": item.barcode, "reason": reason},
    )
    return locked


def cancel_holds(actor: Actor, user: User, school: School) -> int:
    """Cancel the person's open holds at ``school`` (a copy on the hold shelf moves on), then
    remove their closed ones. Inside the caller's transaction (erasure)."""
    desk = actor if has_perm(actor, Perm.CIRCULATION_DESK, school) else SYSTEM
    count = 0
    for hold in Hold.objects.filter(patron=user, school=school, state__in=OPEN_HOLD_STATES):
        cancel_hold(desk, hold)
        count += 1
    Hold.objects.filter(patron=user, school=school).delete()
    return count


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def export(user: User, schools: QuerySet[School]) -> dict[str, list[dict[str, Any]]]:
    """The person's loans and holds at ``schools``, as the data export lists them."""
    loans = (
        Loan.objects.of_patron(user)
        .filter(school__in=schools)
        .select_related("item__record", "school")
        .order_by("loan_date", "id")
    )
    holds = (
        Hold.objects.filter(patron=user, school__in=schools)
        .select_related("record", "school")
        .order_by("placed_at", "id")
    )
    return {
        "loans": [
            {
                "school": loan.school.name,
                "barcode": loan.item.barcode,
                "title": loan.item.record.title,
                "lent": _iso(loan.loan_date),
                "due": _iso(loan.due_date),
                "returned": _iso(loan.returned_at),
                "state": loan.state,
                "renewals": loan.renewals,
            }
            for loan in loans
        ],
        "holds": [
            {
                "school": hold.school.name,
                "title": hold.record.title,
                "placed": _iso(hold.placed_at),
                "state": hold.state,
            }
            for hold in holds
        ],
    }


class CirculationBorrowing:
    """Circulation's answers to ``patrons.borrowing`` (registered in ``apps.py``)."""

    state_labels: dict[str, Any] = {
        **dict(HoldState.choices),
        **dict(LoanState.choices),  # a code both have ("active"?) reads as the loan's
    }

    def open_loans(self, user: User, school: School) -> QuerySet[Loan]:
        return (
            Loan.objects.open()
            .of_patron(user)
            .of_school(school)
            .select_related("item__record")
            .with_lateness(timezone.localdate())
            .order_by("due_date", "id")
        )

    def kept_history(self, user: User, school: School) -> QuerySet[Loan]:
        """The person's returned loans that still name them (the school and they keep it)."""
        return (
            Loan.objects.returned()
            .of_patron(user)
            .of_school(school)
            .select_related("item__record")
            .order_by("-returned_at", "-id")
        )

    def open_loans_of_group(self, group: Group) -> QuerySet[Loan]:
        """Loans out to the group's students at its school, by student then due date."""
        students = GroupMember.objects.filter(group=group, role=GroupMember.Role.STUDENT)
        return (
            Loan.objects.open()
            .of_school(group.school_id)
            .filter(patron__in=students.values("patron__user"))
            .select_related("item__record", "patron")
            .with_lateness(timezone.localdate())
            .order_by("patron__last_name", "patron__first_name", "due_date", "id")
        )

    def forget_returned_loans(self, user: User, school: School) -> int:
        return forget_returned_loans(user, school)

    def anonymise_loans(self, actor: Actor, *, school: School | None = None) -> int:
        return anonymise_loans(actor, school=school)

    def write_off(self, actor: Actor, loans: list[Any], patron: Patron, *, reason: str) -> int:
        for loan in loans:
            write_off(actor, loan, patron=patron, reason=reason)
        return len(loans)

    def cancel_holds(self, actor: Actor, user: User, school: School) -> int:
        return cancel_holds(actor, user, school)

    def export(self, user: User, schools: QuerySet[School]) -> dict[str, list[dict[str, Any]]]:
        return export(user, schools)
