"""Privacy by default: anonymising returned loans, exporting and erasing a patron's data.

Each write is a service (one transaction, permission, audit). These read and write
circulation's loans and holds, so this module imports ``reol.circulation``; circulation itself
only imports ``patrons.selectors`` and ``patrons.services``, which import nothing of it, so
there is no import cycle.

* **Loan history.** A student's returned loan keeps its borrower only when the school keeps
  loan history (``School.keep_loan_history``) *and* the student (or a guardian, through staff)
  opted in (``Patron.keeps_loan_history``). Everyone else's returned loans lose the borrower at
  return, or ``PrivacySettings.anonymise_after_days`` after it (``reol anonymise-loans`` runs
  daily). The loan keeps its dates and copy; ``LoanStatistic`` keeps grade and group.
* **Export** gathers everything Reol holds about a person at the schools the asker may manage
  (or everywhere, for the person themself): profile, roles, groups, blocks, loans, holds and the
  audit events about them (including who looked at their record).
* **Erasure** is refused while loans are outstanding unless the librarian marks them lost;
  then the person's loans are anonymised, holds cancelled, and the patron, their roles at the
  school and (when they have no role anywhere else) the person are removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import ItemStatus
from reol.catalog.services import queue_for_search
from reol.catalog.states import can_change
from reol.circulation.actions import holds as hold_actions
from reol.circulation.models import (
    OPEN_HOLD_STATES,
    Hold,
    Loan,
    LoanState,
)
from reol.circulation.models import (
    PatronCategory as LoanCategory,
)
from reol.core import audit
from reol.core.models import AuditEvent, Membership, School, User
from reol.core.permissions import SYSTEM, Actor, Perm, has_perm, require, schools_with

from . import selectors
from .models import Block, GroupMember, LoanStatistic, Patron


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
    patrons = {p.user_id: p for p in Patron.objects.filter(school=school)}
    ids: list[int] = []
    for loan in loans:
        _statistic_for(loan, patrons.get(loan.patron_id or 0))
        ids.append(loan.pk)
    if ids:
        Loan.objects.filter(pk__in=ids, returned_at__isnull=False).update(patron=None)
    return len(ids)


def forget_returned_loans(user: User, school: School) -> int:
    """The person's returned loans at ``school`` lose their borrower. Inside a service only."""
    loans = Loan.objects.filter(patron=user, school=school, returned_at__isnull=False)
    return _forget(loans, school)


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
        days = selectors.privacy_of(place).anonymise_after_days
        loans = Loan.objects.filter(
            school=place,
            patron_category=LoanCategory.STUDENT,
            patron__isnull=False,
            returned_at__isnull=False,
            returned_at__lte=now - dt.timedelta(days=days),
        )
        if place.keep_loan_history:
            keepers = Patron.objects.filter(school=place, keeps_loan_history=True, active=True)
            loans = loans.exclude(patron__in=keepers.values("user"))
        count = _forget(loans, place)
        if count:
            audit.record(actor, "loans.anonymise", place, school=place, details={"loans": count})
        total += count
    return total


# --- Export ------------------------------------------------------------------------------------


def _export_schools(actor: Actor, user: User) -> QuerySet[School]:
    if isinstance(actor, User) and actor.pk == user.pk:
        return School.objects.filter(Q(patrons__user=user) | Q(memberships__user=user)).distinct()
    return schools_with(actor, Perm.PEOPLE_MANAGE)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@transaction.atomic
def export_patron(actor: Actor, user: User) -> dict[str, Any]:
    """Everything about ``user`` at the schools the actor manages (all, for the person)."""
    schools = _export_schools(actor, user)
    own = isinstance(actor, User) and actor.pk == user.pk
    if not own and not Membership.objects.filter(user=user, school__in=schools).exists():
        raise PermissionDenied(_("You may not export this person's data."))
    patrons = list(Patron.objects.filter(user=user, school__in=schools).select_related("school"))
    memberships = Membership.objects.filter(user=user).filter(
        Q(school__in=schools) | Q(school__isnull=True) if own else Q(school__in=schools)
    )
    loans = (
        Loan.objects.filter(patron=user, school__in=schools)
        .select_related("item__record", "school")
        .order_by("loan_date", "id")
    )
    holds = (
        Hold.objects.filter(patron=user, school__in=schools)
        .select_related("record", "school")
        .order_by("placed_at", "id")
    )
    patron_ids = [str(p.pk) for p in patrons]
    events = AuditEvent.objects.filter(
        Q(object_type="core.user", object_id=str(user.pk))
        | Q(object_type="patrons.patron", object_id__in=patron_ids)
    ).filter(Q(school__in=schools) | Q(school__isnull=True))
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "card_barcode": user.card_barcode,
            "preferred_language": user.preferred_language,
            "joined": _iso(user.date_joined),
            "last_sign_in": _iso(user.last_login),
        },
        "roles": [
            {"school": m.school.name if m.school else None, "role": m.role}
            for m in memberships.select_related("school")
        ],
        "patrons": [
            {
                "school": p.school.name,
                "category": p.category,
                "grade": p.grade,
                "guardian_emails": p.guardians,
                "preferred_language": p.preferred_language,
                "valid_until": _iso(p.valid_until),
                "notes": p.notes,
                "roster_id": p.source_id,
                "keeps_loan_history": p.keeps_loan_history,
                "active": p.active,
                "left_on": _iso(p.left_on),
                "created": _iso(p.created_at),
                "groups": [
                    {"name": m.group.name, "school_year": m.group.school_year, "role": m.role}
                    for m in p.memberships.select_related("group").order_by("group__school_year")
                ],
                "blocks": [
                    {
                        "reason": b.reason,
                        "note": b.note,
                        "made": _iso(b.created_at),
                        "lifted": _iso(b.lifted_at),
                    }
                    for b in Block.objects.filter(patron=p)
                ],
            }
            for p in patrons
        ],
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
        "audit": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "what": audit.action_label(e.action),
                "by": e.actor_name,
                "via": e.via,
            }
            for e in events.order_by("at", "id")
        ],
    }
    for patron in patrons:
        audit.record(actor, "patron.export", patron, school=patron.school)
    if not patrons:
        audit.record(actor, "patron.export", user)
    return data


# --- Erasure -----------------------------------------------------------------------------------


@dataclass
class Erasure:
    loans_marked_lost: int = 0
    loans_anonymised: int = 0
    holds_cancelled: int = 0
    person_removed: bool = False


def outstanding_loans(user: User, school: School) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(patron=user, school=school, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("due_date", "id")
    )


def _mark_lost(actor: Actor, loan: Loan, patron: Patron) -> None:
    """A copy the leaver never brought back: the copy is lost, the loan closed without them.

    The loan state machine has no "written off": a lost loan is closed as returned (its only
    way out), the copy itself stays registered as lost, and the audit event says so.
    """
    item = loan.item
    if can_change(item.status, ItemStatus.LOST):
        item.status = ItemStatus.LOST
        item.save(update_fields=["status", "updated_at"])
    now = timezone.now()
    _statistic_for(loan, patron)
    Loan.objects.filter(pk=loan.pk).update(
        state=LoanState.RETURNED,
        returned_at=max(now, loan.checked_out_at),
        patron=None,
    )
    queue_for_search([item.record_id])
    audit.record(
        actor,
        "loan.written_off",
        loan,
        school=loan.school,
        details={"item": item.barcode, "reason": "erasure"},
    )


def _scrub(user: User) -> None:
    """When another app still points at the person: keep the row, remove everything personal."""
    user.username = f"erased-{user.pk}"
    user.first_name = user.last_name = user.email = ""
    user.card_barcode = None
    user.pin_hash = ""
    user.preferred_language = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


@transaction.atomic
def erase_patron(actor: Actor, patron: Patron, *, mark_lost: bool = False) -> Erasure:
    """Remove a patron's data at their school. Refused while loans are out, unless ``mark_lost``.

    The audit event names no one: it keeps the patron's id and what was done.
    """
    require(actor, Perm.PEOPLE_MANAGE, patron.school)
    patron = Patron.objects.select_for_update().select_related("user", "school").get(pk=patron.pk)
    user, school = patron.user, patron.school
    user_id = user.pk
    result = Erasure()
    open_loans = list(outstanding_loans(user, school).select_for_update(of=("self",)))
    if open_loans and not mark_lost:
        titles = ", ".join(f"“{loan.item.record.title}”" for loan in open_loans[:5])
        raise ValidationError(
            _(
                "%(name)s still has %(count)s loans (%(titles)s). Have them returned, "
                "or choose to mark them lost."
            )
            % {"name": user, "count": len(open_loans), "titles": titles},
            code="loans_outstanding",
        )
    for loan in open_loans:
        _mark_lost(actor, loan, patron)
        result.loans_marked_lost += 1
    result.loans_anonymised = forget_returned_loans(user, school)
    for hold in Hold.objects.filter(patron=user, school=school, state__in=OPEN_HOLD_STATES):
        desk = actor if has_perm(actor, Perm.CIRCULATION_DESK, school) else SYSTEM
        hold_actions.cancel_hold(desk, hold)
        result.holds_cancelled += 1
    Hold.objects.filter(patron=user, school=school).delete()
    patron_id = patron.pk
    patron.delete()  # its group memberships and blocks go with it
    Membership.objects.filter(user=user, school=school).delete()
    if not Membership.objects.filter(user=user).exists() and not user.is_superuser:
        try:
            with transaction.atomic():
                Hold.objects.filter(patron=user).delete()
                user.delete()
            result.person_removed = True
        except (ProtectedError, IntegrityError):
            _scrub(user)
            result.person_removed = True
    audit.record(
        actor,
        "patron.erase",
        None,
        school=school,
        details={
            "patron_id": patron_id,
            "user_id": user_id,
            "loans_marked_lost": result.loans_marked_lost,
            "loans_anonymised": result.loans_anonymised,
            "holds_cancelled": result.holds_cancelled,
            "person_removed": result.person_removed,
        },
    )
    return result
