"""Every write of the patrons app: patrons, blocks, groups and their members, privacy settings.

Each function is one transaction: permission (``core.permissions``) → rules → write →
``core.audit.record``. Pages, the API, the roster import and the command line call these.
Reading and changing a patron needs PEOPLE_VIEW / PEOPLE_MANAGE at the patron's school; the
school's privacy periods need SCHOOL_MANAGE.

Export and erasure are in ``privacy.py``, the year-end rollover in ``rollover.py``; what they
need of loans and holds they ask circulation through ``borrowing`` (never a loan written here).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import luhn

from reol.core import accounts, audit, calendar
from reol.core import services as core_services
from reol.core.models import Role, School, User
from reol.core.permissions import Actor, Perm, forget_cached_roles, require, roles_at

from . import selectors
from .borrowing import borrowing
from .models import (
    GRADE_MAX,
    Block,
    Group,
    GroupMember,
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


def _require_same_school(patron: Patron, group: Group) -> None:
    if patron.school_id != group.school_id:
        raise ValidationError(_("The patron and the group belong to different schools."))


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
    if user is None:
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
        user = core_services.create_person(
            actor,
            school,
            username=username,
            role=role,
            first_name=first_name,
            last_name=last_name,
            email=email,
            password=password,
            card_barcode=card_barcode,
            pin=pin,
        )
    else:
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
                _("%(name)s is already a patron at %(school)s.")
                % {"name": user, "school": school.name}
            )
    patron = Patron(
        user=user,
        school=school,
        category=category,
        grade=grade,
        guardian_emails=values["guardian_emails"],
        preferred_language=preferred_language,
        guardian_language=guardian_language,
        valid_until=valid_until,
        notes=notes,
        source_id=source_id,
        keeps_loan_history=keeps_loan_history,
    )
    try:
        with transaction.atomic():
            patron.save()
    except IntegrityError:
        raise ValidationError(
            {"source_id": _("Another patron at this school has this roster id.")}
        ) from None
    audit.record(actor, "patron.create", patron, school=school, details={"category": category})
    return patron


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


# --- Groups ------------------------------------------------------------------------------------


def _group_problems(
    name: str, grade: int | None, kind: str, school_year: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name.strip() or len(name.strip()) > 64:
        errors["name"] = [_("A group's name is 1 to 64 characters.")]
    if not school_year.strip() or len(school_year.strip()) > 16:
        errors["school_year"] = [_("Give the school year, e.g. 2026/27.")]
    if grade is not None and not (0 <= int(grade) <= GRADE_MAX):
        errors["grade"] = [_("A grade is a number from 0 to %(max)s.") % {"max": GRADE_MAX}]
    if kind not in Group.Kind.values:
        errors["kind"] = [_("“%(value)s” is not a kind of group.") % {"value": kind}]
    return errors


@transaction.atomic
def create_group(
    actor: Actor,
    school: School,
    *,
    name: str,
    school_year: str,
    grade: int | None = None,
    kind: str = Group.Kind.CLASS,
    source_id: str = "",
) -> Group:
    require(actor, Perm.PEOPLE_MANAGE, school)
    errors = _group_problems(name, grade, kind, school_year)
    if errors:
        raise ValidationError(errors)
    name, school_year = name.strip(), school_year.strip()
    taken = ValidationError(
        {
            "name": _("%(year)s already has a group called %(name)s.")
            % {"year": school_year, "name": name}
        }
    )
    if Group.objects.filter(school=school, school_year=school_year, name=name).exists():
        raise taken
    try:
        with transaction.atomic():
            group = Group.objects.create(
                school=school,
                name=name,
                school_year=school_year,
                grade=grade,
                kind=kind,
                source_id=source_id,
            )
    except IntegrityError:
        raise taken from None
    audit.record(actor, "group.create", group, school=school, details={"year": school_year})
    return group


GROUP_FIELDS = ("name", "school_year", "grade", "kind", "active", "source_id")


@transaction.atomic
def update_group(actor: Actor, group: Group, **changes: Any) -> Group:
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise ValueError(f"not a group field: {sorted(unknown)}")
    locked = Group.objects.select_for_update().select_related("school").get(pk=group.pk)
    merged = {
        f: changes.get(f, getattr(locked, f)) for f in ("name", "grade", "kind", "school_year")
    }
    errors = _group_problems(
        str(merged["name"]), merged["grade"], str(merged["kind"]), str(merged["school_year"])
    )
    if errors:
        raise ValidationError(errors)
    diff = {
        f: [str(getattr(locked, f)), str(v)] for f, v in changes.items() if getattr(locked, f) != v
    }
    for field, value in changes.items():
        setattr(locked, field, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError(
            {
                "name": _("%(year)s already has a group called %(name)s.")
                % {"year": locked.school_year, "name": locked.name}
            }
        ) from None
    if diff:
        audit.record(actor, "group.update", locked, school=locked.school, details={"changes": diff})
    return locked


@transaction.atomic
def add_member(
    actor: Actor, group: Group, patron: Patron, *, role: str = GroupMember.Role.STUDENT
) -> GroupMember:
    """Put a patron in a group as a student or as one of its teachers (again: a no-op)."""
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    _require_same_school(patron, group)
    if role not in GroupMember.Role.values:
        raise ValidationError(
            {"role": _("“%(value)s” is not a role in a group.") % {"value": role}}
        )
    member, created = GroupMember.objects.get_or_create(
        group=group, patron=patron, defaults={"role": role}
    )
    if not created and member.role == role:
        return member
    if not created:
        member.role = role
        member.save(update_fields=["role"])
    audit.record(
        actor,
        "group.member_add",
        group,
        school=group.school,
        details={"patron": patron.user.username, "role": role},
    )
    return member


@transaction.atomic
def remove_member(actor: Actor, group: Group, patron: Patron) -> bool:
    require(actor, Perm.PEOPLE_MANAGE, group.school)
    deleted, _rows = GroupMember.objects.filter(group=group, patron=patron).delete()
    if deleted:
        audit.record(
            actor,
            "group.member_remove",
            group,
            school=group.school,
            details={"patron": patron.user.username},
        )
    return bool(deleted)


@transaction.atomic
def record_group_view(actor: Actor, group: Group) -> None:
    """Staff or a teacher looked at the loans of a class: audited like a view of a record."""
    audit.record(actor, "group.view_loans", group, school=group.school)


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


# --- Library cards -----------------------------------------------------------------------------

CARD_DIGITS = 6  # sequential numbers, then a check digit
RANDOM_CARD_DIGITS = 9  # random numbers, then a check digit


def card_prefix(school: School) -> str:
    """The letters a school's generated card numbers begin with: its code in ASCII capitals."""
    from .cards import fold_ascii

    return re.sub(r"[^A-Za-z0-9]", "", fold_ascii(school.code)).upper()[:8] or "K"


def students_without_card(group: Group) -> list[Patron]:
    """The group's active students without a card number that scans back."""
    from .cards import scannable

    members = selectors.members_of(group, GroupMember.Role.STUDENT).filter(patron__active=True)
    return [m.patron for m in members if not scannable(m.patron.user.card_barcode)]


def _card_numbers_taken(prefix: str) -> tuple[set[str], int]:
    """The cards beginning with ``prefix`` (lowercased), and the highest sequential number
    among them: the old six digits, or six digits and their check digit."""
    taken = {
        c.lower()
        for c in User.objects.filter(card_barcode__istartswith=prefix).values_list(
            "card_barcode", flat=True
        )
        if c
    }
    numbers = []
    for card in taken:
        digits = card[len(prefix) :]
        if digits.isdigit() and len(digits) == CARD_DIGITS:
            numbers.append(int(digits))
        elif digits.isdigit() and len(digits) == CARD_DIGITS + 1 and luhn.is_valid(digits):
            numbers.append(int(digits[:-1]))
    return taken, max(numbers, default=0)


def _new_cards(prefix: str, count: int, *, random: bool) -> list[str]:
    """``count`` new card numbers, each ending in a Luhn check digit (a mistyped or guessed
    neighbour is not a card): the next in sequence, or random digits where the school chose
    them (``PrivacySettings.random_card_numbers``) so one card does not tell the others."""
    taken, number = _card_numbers_taken(prefix)
    cards: list[str] = []
    while len(cards) < count:
        if random:
            digits = f"{secrets.randbelow(10**RANDOM_CARD_DIGITS):0{RANDOM_CARD_DIGITS}d}"
        else:
            number += 1
            digits = f"{number:0{CARD_DIGITS}d}"
        card = f"{prefix}{digits}{luhn.calc_check_digit(digits)}"
        if card.lower() not in taken:
            taken.add(card.lower())
            cards.append(card)
    return cards


@transaction.atomic
def assign_cards(actor: Actor, group: Group) -> list[Patron]:
    """Give every active student of ``group`` without a card number a generated one: the
    school's prefix, digits and a check digit, unique ignoring case (``_new_cards``).
    Returns the patrons given a card."""
    from .cards import scannable

    require(actor, Perm.PEOPLE_MANAGE, group.school)
    # The school row lock makes two librarians pressing the button at once take turns.
    School.objects.select_for_update().get(pk=group.school_id)
    prefix = card_prefix(group.school)
    members = (
        selectors.members_of(group, GroupMember.Role.STUDENT)
        .filter(patron__active=True)
        .select_for_update(of=("patron",))
    )
    wanting = [
        m.patron
        for m in members
        if not m.patron.user.card_barcode or not scannable(m.patron.user.card_barcode)
    ]
    if not wanting:
        return []
    random = selectors.privacy_of(group.school).random_card_numbers
    given = []
    for patron, card in zip(wanting, _new_cards(prefix, len(wanting), random=random), strict=True):
        person = patron.user
        before = person.card_barcode
        person.card_barcode = card
        person.save(update_fields=["card_barcode"])
        audit.record(
            actor,
            "patron.update",
            patron,
            school=group.school,
            details={"changes": {"card_barcode": [str(before), card]}},
        )
        given.append(patron)
    audit.record(
        actor,
        "group.cards_assign",
        group,
        school=group.school,
        details={"count": len(given)},
    )
    return given
