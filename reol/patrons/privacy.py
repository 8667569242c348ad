"""Privacy by default: exporting and erasing a patron's data.

Each write is a service (one transaction, permission, audit). What touches loans and holds —
anonymising returned loans, their statistics, writing off a leaver's loans, cancelling holds,
the loans in an export — is circulation's (``circulation.actions.privacy``), asked through
``borrowing`` so that patrons never imports circulation (it sits above patrons).

* **Export** gathers everything Reol holds about a person at the schools the asker may manage
  (or everywhere, for the person themself): profile, roles, groups, blocks, loans, holds and the
  audit events about them (including who looked at their record).
* **Erasure** is refused while loans are outstanding unless the librarian marks them lost;
  then the person's loans are written off, returned ones anonymised, holds cancelled, and the
  patron, their roles at the school and (when they have no role anywhere else) the person are
  removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import audit
from reol.core.models import AuditEvent, Membership, School, User
from reol.core.permissions import Actor, Perm, require, schools_with

from .borrowing import borrowing
from .models import Block, Patron


def anonymise_loans(actor: Actor, *, school: School | None = None) -> int:
    """Forget the borrowers of returned student loans past each school's period (circulation's
    action; the privacy page's button)."""
    return borrowing().anonymise_loans(actor, school=school)


# --- Export ------------------------------------------------------------------------------------


def _export_schools(actor: Actor, user: User) -> QuerySet[School]:
    if isinstance(actor, User) and actor.pk == user.pk:
        return School.objects.filter(Q(patrons__user=user) | Q(memberships__user=user)).distinct()
    return schools_with(actor, Perm.PEOPLE_MANAGE)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True)
class ExportSection:
    """A higher app's part of a person's export (technology's charges, say), registered in its
    ``AppConfig.ready()``: its key in the JSON, its heading and columns on the readable page, and
    the rows about ``user`` at ``schools`` (those the export may show)."""

    key: str
    heading: Any  # a lazy translation
    columns: tuple[tuple[str, Any], ...]  # (key in a row, lazy label)
    rows: Callable[[User, QuerySet[School]], list[dict[str, Any]]]
    choices: dict[str, Any] = field(default_factory=dict)  # key → TextChoices, for the page


_sections: list[ExportSection] = []


def register_export_section(section: ExportSection) -> None:
    _sections[:] = [s for s in _sections if s.key != section.key] + [section]


def export_sections() -> list[ExportSection]:
    return list(_sections)


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
    borrowed = borrowing().export(user, schools)
    patron_ids = [str(p.pk) for p in patrons]
    events = AuditEvent.objects.filter(
        Q(object_type="core.user", object_id=str(user.pk))
        | Q(object_type="patrons.patron", object_id__in=patron_ids)
    ).filter(Q(school__in=schools) | Q(school__isnull=True))
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "person": _person_data(user),
        "roles": [
            {"school": m.school.name if m.school else None, "role": m.role}
            for m in memberships.select_related("school")
        ],
        "patrons": [_patron_data(p) for p in patrons],
        "loans": borrowed["loans"],
        "holds": borrowed["holds"],
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
    for section in _sections:
        data[section.key] = section.rows(user, schools)
    for patron in patrons:
        audit.record(actor, "patron.export", patron, school=patron.school)
    if not patrons:
        audit.record(actor, "patron.export", user)
    return data


def _person_data(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "card_barcode": user.card_barcode,
        "preferred_language": user.preferred_language,
        "joined": _iso(user.date_joined),
        "last_sign_in": _iso(user.last_login),
    }


def _patron_data(p: Patron) -> dict[str, Any]:
    """One school's patron profile of the person, with their groups and blocks there."""
    return {
        "school": p.school.name,
        "category": p.category,
        "grade": p.grade,
        "guardian_emails": p.guardians,
        "preferred_language": p.preferred_language,
        "guardian_language": p.guardian_language,
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


# --- Erasure -----------------------------------------------------------------------------------


@dataclass
class Erasure:
    loans_marked_lost: int = 0
    loans_anonymised: int = 0
    holds_cancelled: int = 0
    person_removed: bool = False


def outstanding_loans(user: User, school: School) -> QuerySet[Any]:
    return borrowing().open_loans(user, school)


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
    loans = borrowing()
    result.loans_marked_lost = loans.write_off(actor, open_loans, patron, reason="erasure")
    result.loans_anonymised = loans.forget_returned_loans(user, school)
    result.holds_cancelled = loans.cancel_holds(actor, user, school)
    patron_id = patron.pk
    patron.delete()  # its group memberships and blocks go with it
    Membership.objects.filter(user=user, school=school).delete()
    if not Membership.objects.filter(user=user).exists() and not user.is_superuser:
        try:
            with transaction.atomic():
                user.delete()  # their holds at other schools go with them (CASCADE)
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
