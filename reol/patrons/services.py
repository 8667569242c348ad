"""Every write of the patrons app: patrons, blocks, groups and their members, privacy settings.

Each function is one transaction: permission (``core.permissions``) → rules → write →
``core.audit.record``. Pages, the API, the roster import and the command line call these.
Reading and changing a patron needs PEOPLE_VIEW / PEOPLE_MANAGE at the patron's school; the
school's privacy periods need SCHOOL_MANAGE.

Groups and their members are in ``groups.py``, generated card numbers in ``card_numbers.py``
(both re-exported here). Export and erasure are in ``privacy.py``, the year-end rollover in
``rollover.py``; what they need of loans and holds they ask circulation through ``borrowing``
(never a loan written here).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core import accounts, audit, calendar
from reol.core import services as core_services
from reol.core.models import Role, School, User
from reol.core.permissions import Actor, Perm, forget_cached_roles, require, roles_at

from .borrowing import borrowing
from .card_numbers import CARD_DIGITS as CARD_DIGITS  # re-exported: callers write services.…
from .card_numbers import RANDOM_CARD_DIGITS as RANDOM_CARD_DIGITS
from .card_numbers import assign_cards as assign_cards
from .card_numbers import card_prefix as card_prefix
from .card_numbers import students_without_card as students_without_card
from .groups import GROUP_FIELDS as GROUP_FIELDS
from .groups import add_member as add_member
from .groups import create_group as create_group
from .groups import record_group_view as record_group_view
from .groups import remove_member as remove_member
from .groups import update_group as update_group
from .models import (
    GRADE_MAX,
    Block,
    Patron,
    PatronCategory,
    PrivacySettings,
)

# The role a new person gets at the school for each category. Staff and external patrons are
# people who already have a role (added on the people page); the library only adds a profile.
ROLE_FOR_CATEGORY = {PatronCategory.STUDENT: Role.STUDENT, PatronCategory.TEACHER: Role.TEACHER}

PATRON_FIELDS = (
    "category",
    "grade",
    "guardian_emails",
    "preferred_language",
    "guardian_language",
    "valid_until",
    "notes",
    "source_id",
    "keeps_loan_history",
    "active",
)
PERSON_FIELDS = ("first_name", "last_name", "email", "card_barcode")


# --- Rules shared with the forms and the API ----------------------------------------------------


def _problems(values: dict[str, Any]) -> dict[str, list[str]]:
    """Everything wrong with a patron's values, by field (all at once, like core's people)."""
    errors: dict[str, list[str]] = {}
    if "category" in values and values["category"] not in PatronCategory.values:
        errors["category"] = [
            _("“%(value)s” is not a patron category. The categories are: %(choices)s.")
            % {"value": values["category"], "choices": ", ".join(PatronCategory.values)}
        ]
    grade = values.get("grade")
    if grade is not None and not (0 <= int(grade) <= GRADE_MAX):
        errors["grade"] = [_("A grade is a number from 0 to %(max)s.") % {"max": GRADE_MAX}]
    for line in str(values.get("guardian_emails") or "").splitlines():
        if line.strip():
            try:
                validate_email(line.strip())
            except ValidationError:
                errors.setdefault("guardian_emails", []).append(
                    _("“%(value)s” is not an e-mail address.") % {"value": line.strip()[:80]}
                )
    for name in ("preferred_language", "guardian_language"):
        language = values.get(name) or ""
        if language and language not in {code for code, _name in settings.LANGUAGES}:
            errors[name] = [
                _("“%(value)s” is not a language Reol speaks.") % {"value": language[:16]}
            ]
    return errors


def _clean_guardians(value: str | list[str] | None) -> str:
    lines = value if isinstance(value, list) else str(value or "").replace(",", "\n").splitlines()
    seen: list[str] = []
    for line in lines:
        address = line.strip()
        if address and address.casefold() not in {s.casefold() for s in seen}:
            seen.append(address)
    return "\n".join(seen)


# --- Patrons -----------------------------------------------------------------------------------


@transaction.atomic
def create_patron(
    actor: Actor,
    school: School,
    *,
    category: str,
    user: User | None = None,
    username: str = "",
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    card_barcode: str | None = None,
    pin: str | None = None,
    password: str | None = None,
    grade: int | None = None,
    guardian_emails: str | list[str] = "",
    preferred_language: str = "",
    guardian_language: str = "",
    valid_until: dt.date | None = None,
    notes: str = "",
    source_id: str = "",
    keeps_loan_history: bool = False,
) -> Patron:
    """Make someone a patron of ``school``: a new person (students and teachers), or ``user``.

    A new person is added through ``core.services.create_person`` with the category's role, so
    the people rules (username, card, PIN, password) are the same everywhere.
    """
    require(actor, Perm.PEOPLE_MANAGE, school)
    values = _profile(category, grade, guardian_emails, preferred_language, guardian_language)
    if user is None:
        user = _new_person(
            actor,
            school,
            category,
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password,
            card_barcode=card_barcode,
            pin=pin,
        )
    else:
        _existing_person(actor, school, category, user)
    patron = Patron(
        user=user,
        school=school,
        **values,
        valid_until=valid_until,
        notes=notes,
        source_id=source_id,
        keeps_loan_history=keeps_loan_history,
    )
    _save_new(patron)
    audit.record(actor, "patron.create", patron, school=school, details={"category": category})
    return patron


def _profile(
    category: str,
    grade: int | None,
    guardian_emails: str | list[str],
    preferred_language: str,
    guardian_language: str,
) -> dict[str, Any]:
    """A new patron's profile values, cleaned, or the ``ValidationError`` naming each problem."""
    values: dict[str, Any] = {
        "category": category,
        "grade": grade,
        "guardian_emails": _clean_guardians(guardian_emails),
        "preferred_language": preferred_language,
        "guardian_language": guardian_language,
    }
    errors = _problems(values)
    if category != PatronCategory.STUDENT and grade is not None:
        errors.setdefault("grade", []).append(_("Only students have a grade."))
    if errors:
        raise ValidationError(errors)
    return values


def _save_new(patron: Patron) -> None:
    try:
        with transaction.atomic():
            patron.save()
    except IntegrityError:
        raise ValidationError(
            {"source_id": _("Another patron at this school has this roster id.")}
        ) from None


def _new_person(actor: Actor, school: School, category: str, **person: Any) -> User:
    """A new person with the category's role at ``school``, by the people rules of core."""
    role = ROLE_FOR_CATEGORY.get(PatronCategory(category))
    if role is None:
        raise ValidationError(
            {
                "category": _(
                    "Add staff and external patrons on the people page first, "
                    "then make them patrons."
                )
            }
        )
    return core_services.create_person(actor, school, role=role, **person)


def _existing_person(actor: Actor, school: School, category: str, user: User) -> None:
    """Give ``user`` the category's role at ``school`` if they have none there; refuse a
    second patron of the same person at the same school."""
    if not roles_at(user, school) - {Role.CONSULTANT}:
        role = ROLE_FOR_CATEGORY.get(PatronCategory(category))
        if role is None:
            raise ValidationError(
                {"category": _("%(name)s has no role at this school.") % {"name": user}}
            )
        core_services.grant_role(actor, user, school, role)
        forget_cached_roles(user)
    if Patron.objects.filter(user=user, school=school).exists():
        raise ValidationError(
            _("%(name)s is already a patron at %(school)s.") % {"name": user, "school": school.name}
        )


def update_patron(actor: Actor, patron: Patron, **changes: Any) -> Patron:
    """Change a patron's profile and the person's names, e-mail and card barcode.

    The e-mail address is the person's identity (a reset mail goes there): a staff member's
    is refused here, anyone else's needs the right to manage them at every school
    (``core.accounts``). The check runs before the transaction so a refusal stays audited.
    """
    require(actor, Perm.PEOPLE_MANAGE, patron.school)
    person = User.objects.get(pk=patron.user_id)
    if "email" in changes and (changes["email"] or "") != (person.email or ""):
        accounts.refuse_if_staff(actor, person, {"email"})
    return _update_patron(actor, patron, **changes)


@transaction.atomic
def _update_patron(actor: Actor, patron: Patron, **changes: Any) -> Patron:
    require(actor, Perm.PEOPLE_MANAGE, patron.school)
    unknown = set(changes) - set(PATRON_FIELDS) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"not a patron field: {sorted(unknown)}")
    locked = Patron.objects.select_for_update().select_related("user", "school").get(pk=patron.pk)
    if "guardian_emails" in changes:
        changes["guardian_emails"] = _clean_guardians(changes["guardian_emails"])
    errors = _problems(changes)
    category = changes.get("category", locked.category)
    grade = changes.get("grade", locked.grade)
    if category != PatronCategory.STUDENT and grade is not None:
        errors.setdefault("grade", []).append(_("Only students have a grade."))
    person = locked.user
    if "card_barcode" in changes:
        card = (changes["card_barcode"] or "").strip() or None
        changes["card_barcode"] = card
        if card and User.objects.filter(card_barcode__iexact=card).exclude(pk=person.pk).exists():
            errors.setdefault("card_barcode", []).append(_("Another person has this card barcode."))
    if "first_name" in changes or "last_name" in changes:
        try:
            core_services.validate_person_name(
                changes.get("first_name", person.first_name),
                changes.get("last_name", person.last_name),
            )
        except ValidationError as error:
            errors.setdefault("first_name", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    diff: dict[str, list[Any]] = {}
    for field, value in changes.items():
        target: Any = person if field in PERSON_FIELDS else locked
        before = getattr(target, field)
        if before != value:
            diff[field] = [str(before), str(value)]
            setattr(target, field, value)
    if not diff:
        return locked
    if "active" in diff:
        locked.left_on = None if locked.active else timezone.localdate()
    person_fields = [f for f in PERSON_FIELDS if f in diff]
    if person_fields:
        try:
            with transaction.atomic():
                person.save(update_fields=person_fields)
        except IntegrityError:
            raise ValidationError(
                {"card_barcode": _("Another person has this card barcode.")}
            ) from None
    locked.save()
    # Notes may be sensitive: the audit says that they changed, not what they say.
    if "notes" in diff:
        diff["notes"] = ["…", "…"]
    audit.record(actor, "patron.update", locked, school=locked.school, details={"changes": diff})
    return locked


@transaction.atomic
def set_loan_history_consent(actor: Actor, patron: Patron, keep: bool) -> Patron:
    """The student (or staff for a guardian) says whether the library may keep loan history.

    Saying no later forgets the borrower on their returned loans at once (``privacy``).
    """
    own = isinstance(actor, User) and actor.pk == patron.user_id
    if not own:
        require(actor, Perm.PEOPLE_MANAGE, patron.school)
    elif keep and not calendar.consents_alone(patron.grade):
        # a young pupil's yes is their guardian's to give (staff record it); no is always theirs
        raise ValidationError(
            _("Ask a grown-up at home: the library keeps your history when they say yes.")
        )
    locked = Patron.objects.select_for_update().select_related("school", "user").get(pk=patron.pk)
    if locked.keeps_loan_history == keep:
        return locked
    locked.keeps_loan_history = keep
    locked.save(update_fields=["keeps_loan_history", "updated_at"])
    forgotten = 0
    if not keep:
        forgotten = borrowing().forget_returned_loans(locked.user, locked.school)
    audit.record(
        actor,
        "patron.consent",
        locked,
        school=locked.school,
        details={"keeps_loan_history": keep, "loans_forgotten": forgotten},
    )
    return locked


# --- Blocks ------------------------------------------------------------------------------------


@transaction.atomic
def add_block(actor: Actor, patron: Patron, *, reason: str, note: str = "") -> Block:
    """Stop a patron from borrowing until the block is lifted; the desk gives the reason."""
    require(actor, Perm.PEOPLE_MANAGE, patron.school)
    if reason not in Block.Reason.values:
        raise ValidationError(
            {"reason": _("“%(value)s” is not a reason for a block.") % {"value": reason}}
        )
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Keep the note under 500 characters.")})
    block = Block.objects.create(
        patron=patron,
        reason=reason,
        note=note,
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.record(
        actor,
        "patron.block",
        patron,
        school=patron.school,
        details={"reason": reason, "block": block.pk},
    )
    return block


@transaction.atomic
def lift_block(actor: Actor, block: Block) -> Block:
    locked = Block.objects.select_for_update().select_related("patron__school").get(pk=block.pk)
    require(actor, Perm.PEOPLE_MANAGE, locked.patron.school)
    if locked.lifted_at is not None:
        raise ValidationError(_("This block was already lifted."))
    locked.lifted_at = max(timezone.now(), locked.created_at)
    locked.lifted_by = actor if isinstance(actor, User) else None
    locked.save(update_fields=["lifted_at", "lifted_by"])
    audit.record(
        actor,
        "patron.unblock",
        locked.patron,
        school=locked.patron.school,
        details={"reason": locked.reason, "block": locked.pk},
    )
    return locked


# --- Privacy settings and the return hook -----------------------------------------------------


@transaction.atomic
def set_privacy_settings(
    actor: Actor,
    school: School,
    *,
    anonymise_after_days: int | None = None,
    leaver_retention_days: int | None = None,
    random_card_numbers: bool | None = None,
) -> PrivacySettings:
    require(actor, Perm.SCHOOL_MANAGE, school)
    found, _created = PrivacySettings.objects.select_for_update().get_or_create(school=school)
    errors: dict[str, list[str]] = {}
    for field, value in (
        ("anonymise_after_days", anonymise_after_days),
        ("leaver_retention_days", leaver_retention_days),
    ):
        if value is None:
            continue
        if not (0 <= int(value) <= 3650):
            errors[field] = [_("Give a number of days from 0 to 3650.")]
        else:
            setattr(found, field, int(value))
    if errors:
        raise ValidationError(errors)
    if random_card_numbers is not None:
        found.random_card_numbers = bool(random_card_numbers)
    found.save()
    audit.record(
        actor,
        "privacy.settings",
        school,
        school=school,
        details={
            "anonymise_after_days": found.anonymise_after_days,
            "leaver_retention_days": found.leaver_retention_days,
            "random_card_numbers": found.random_card_numbers,
        },
    )
    return found
