"""Every write to tenancy, people, roles and tokens; the opening calendar's are in
``calendar_services.py`` and re-exported here.

Each function is one transaction that checks permission, enforces the rules and writes one
audit event. Views, the API and the command line all call these; nothing else writes.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import accounts, audit, auth, passwords
from .calendar_services import (  # the calendar's writes, re-exported (see __all__)
    add_closed_period,
    add_school_year,
    remove_closed_period,
    set_opening_hours,
)
from .models import (
    ApiToken,
    Location,
    Membership,
    Municipality,
    Role,
    School,
    User,
)
from .permissions import (
    STAFF_ROLES,
    SYSTEM,
    Actor,
    Perm,
    SystemActor,
    forget_cached_roles,
    may_grant,
    require,
    visible_people,
)
from .selectors import same_code

API_TOKEN_PREFIX = "reol_"  # noqa: S105 - a prefix, not a secret


def _require_system(actor: Actor) -> None:
    if not (isinstance(actor, SystemActor) or getattr(actor, "is_superuser", False)):
        raise PermissionDenied(_("Only the installation's administrator can do this."))


# --- Tenancy ----------------------------------------------------------------------------------


@transaction.atomic
def create_municipality(actor: Actor, *, code: str, name: str) -> Municipality:
    _require_system(actor)
    municipality = Municipality.objects.create(code=code, name=name)
    audit.record(actor, "municipality.create", municipality, municipality=municipality)
    return municipality


@transaction.atomic
def create_school(
    actor: Actor, *, municipality: Municipality, code: str, name: str, default_language: str = "da"
) -> School:
    _require_system(actor)
    if School.objects.filter(code=code).exists():
        raise ValidationError(
            {"code": _("A school with the code “%(code)s” exists.") % {"code": code}}
        )
    school = School(
        municipality=municipality, code=code, name=name, default_language=default_language
    )
    school.full_clean()
    school.save()
    audit.record(actor, "school.create", school, school=school)
    return school


SCHOOL_SETTINGS = ("name", "default_language", "email", "keep_loan_history")


@transaction.atomic
def update_school(actor: Actor, school: School, **changes: Any) -> School:
    require(actor, Perm.SCHOOL_MANAGE, school)
    unknown = set(changes) - set(SCHOOL_SETTINGS)
    if unknown:
        raise ValueError(f"not a school setting: {sorted(unknown)}")
    before = {field: getattr(school, field) for field in changes}
    for field, value in changes.items():
        setattr(school, field, value)
    school.full_clean()
    school.save(update_fields=list(changes))
    diff = {f: [before[f], changes[f]] for f in changes if before[f] != changes[f]}
    audit.record(actor, "school.update", school, school=school, details={"changes": diff})
    return school


@transaction.atomic
def create_location(
    actor: Actor,
    school: School,
    *,
    code: str,
    name: str,
    kind: str = Location.Kind.SHELF,
    parent: Location | None = None,
) -> Location:
    require(actor, Perm.SCHOOL_MANAGE, school)
    if parent is not None and parent.school_id != school.pk:
        raise ValidationError({"parent": _("The surrounding location belongs to another school.")})
    taken = _("This school already has a location with that code.")
    if Location.objects.filter(school=school, code__iexact=code).exists():
        raise ValidationError({"code": taken})
    location = Location(school=school, code=code, name=name, kind=kind, parent=parent)
    location.full_clean()
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError:  # added by someone else since the check above
        raise ValidationError({"code": taken}) from None
    audit.record(actor, "location.create", location, school=school)
    return location


# --- People and roles -------------------------------------------------------------------------

USERNAME_PATTERN = re.compile(r"[\w.@-]{1,150}")


def validate_username(value: str) -> None:
    """Letters (æ, ø and å too), digits and . _ - @; 1 to 150 of them. Forms use this too."""
    if not USERNAME_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _(
                "A username is 1 to 150 letters (æ, ø and å too), digits or the signs . _ - @, "
                "without spaces."
            ),
            code="invalid_username",
        )


def validate_person_name(first_name: str, last_name: str) -> None:
    """A person needs a first name or a last name, so lists and receipts can name them."""
    if not ((first_name or "").strip() or (last_name or "").strip()):
        raise ValidationError(
            {"first_name": _("Give a first name or a last name.")}, code="name_missing"
        )


def validate_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(
            {
                "role": _("“%(role)s” is not a role. The roles are: %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            },
            code="invalid_role",
        )


def _refuse_role(actor: Actor, role: str, school: School, *, taking: bool = False) -> None:
    validate_role(role)
    if not may_grant(actor, role, school):
        message = (
            _("You may not take away the role “%(role)s” at %(school)s.")
            if taking
            else _("You may not give the role “%(role)s” at %(school)s.")
        )
        raise PermissionDenied(message % {"role": Role(role).label, "school": school.name})


def _collect(errors: dict[str, list[str]], field: str, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            errors.setdefault(key, []).extend(messages)
    else:
        errors.setdefault(field, []).extend(error.messages)


def _person_errors(person: User, password: str | None, pin: str | None) -> dict[str, list[str]]:
    """Everything wrong with a new person, by field, so a form can show it all at once.

    Messages about taken usernames and cards name neither the other person nor their school.
    """
    errors: dict[str, list[str]] = {}
    checks = [
        ("username", lambda: validate_username(person.username)),
        ("first_name", lambda: validate_person_name(person.first_name, person.last_name)),
        ("pin", lambda: _check_pin(pin) if pin else None),
        ("password", lambda: validate_password(password, person) if password else None),
    ]
    for field, check in checks:
        try:
            check()
        except ValidationError as error:
            _collect(errors, field, error)
    if (
        "username" not in errors
        and User.objects.filter(same_code("username", person.username)).exists()
    ):
        errors["username"] = [
            _("The username “%(u)s” is taken. Choose another.") % {"u": person.username}
        ]
    card = person.card_barcode
    if card and User.objects.filter(same_code("card_barcode", card)).exists():
        errors["card_barcode"] = [_("Another person has this card barcode.")]
    return errors


@transaction.atomic
def create_person(
    actor: Actor,
    school: School,
    *,
    username: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    password: str | None = None,
    card_barcode: str | None = None,
    pin: str | None = None,
    preferred_language: str = "",
) -> User:
    """Add a person with a role at a school. Without a password they cannot sign in by one."""
    validate_role(role)
    if role == Role.CONSULTANT:
        raise ValidationError(
            {"role": _("Municipal consultants are appointed for a municipality.")}
        )
    _refuse_role(actor, role, school)
    person = User(
        username=User.normalize_username((username or "").strip()),
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        card_barcode=(card_barcode or "").strip() or None,
        preferred_language=preferred_language,
    )
    passwords.mark_staff(person, role in STAFF_ROLES)
    errors = _person_errors(person, password, pin)
    if errors:
        raise ValidationError(errors)
    if password:
        person.set_password(password)
    else:
        person.set_unusable_password()
    if pin:
        person.pin_hash = make_password(pin)
    person.full_clean(exclude=["password"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:  # the same username or card was added since the checks above
        raise ValidationError(
            _("Someone added this username or card number just now. Check and try again.")
        ) from None
    Membership.objects.create(
        user=person, municipality=school.municipality, school=school, role=role
    )
    audit.record(actor, "person.create", person, school=school, details={"role": role})
    return person


@transaction.atomic
def appoint_consultant(actor: Actor, user: User, municipality: Municipality) -> Membership:
    _require_system(actor)
    membership, _created = Membership.objects.get_or_create(
        user=user, municipality=municipality, school=None, role=Role.CONSULTANT
    )
    forget_cached_roles(user)
    audit.record(
        actor, "role.grant", user, municipality=municipality, details={"role": "consultant"}
    )
    return membership


@transaction.atomic
def grant_role(actor: Actor, user: User, school: School, role: str) -> Membership:
    _refuse_role(actor, role, school)
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user, municipality=school.municipality, school=school, role=role
            )
    except IntegrityError:
        raise ValidationError(
            _("%(person)s already has this role here.") % {"person": user}
        ) from None
    forget_cached_roles(user)
    audit.record(actor, "role.grant", user, school=school, details={"role": role})
    return membership


@transaction.atomic
def revoke_role(actor: Actor, user: User, school: School, role: str) -> None:
    _refuse_role(actor, role, school, taking=True)
    deleted, _details = Membership.objects.filter(user=user, school=school, role=role).delete()
    if not deleted:
        raise ValidationError(_("%(person)s does not have this role here.") % {"person": user})
    forget_cached_roles(user)
    audit.record(actor, "role.revoke", user, school=school, details={"role": role})


def _check_pin(pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationError({"pin": _("A PIN is 4 to 8 digits.")})


def _require_manage_person(actor: Actor, person: User) -> None:
    """Only someone who may manage people at one of the person's schools (or the person)."""
    if isinstance(actor, User) and actor.pk == person.pk:
        return
    if not visible_people(actor, Perm.PEOPLE_MANAGE).filter(pk=person.pk).exists():
        raise PermissionDenied(_("You may not change this person."))


def set_password(actor: Actor, person: User, password: str) -> None:
    """Identity is the person's: see ``reol.core.accounts`` (the one place it changes)."""
    accounts.set_password(actor, person, password)


def set_pin(actor: Actor, person: User, pin: str) -> None:
    accounts.set_pin(actor, person, pin)


@transaction.atomic
def set_preferred_language(actor: Actor, person: User, language: str) -> None:
    _require_manage_person(actor, person)
    person.preferred_language = language
    person.full_clean(exclude=["password"])
    person.save(update_fields=["preferred_language"])
    audit.record(actor, "person.set_language", person, details={"language": language})


@transaction.atomic
def unlock_sign_in(actor: Actor, person: User, school: School | None = None) -> int:
    """Let a person sign in again at once after too many failed attempts.

    Returns how many failures were forgotten.
    """
    _require_manage_person(actor, person)
    cleared = auth.clear_failures(person)
    audit.record(actor, "person.unlock", person, school=school, details={"failures": cleared})
    return cleared


@transaction.atomic
def record_person_view(actor: Actor, person: User, school: School | None) -> None:
    """Staff looked at a person's record. Students' records are audited on every view."""
    audit.record(actor, "person.view", person, school=school)


# --- API tokens -------------------------------------------------------------------------------


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(actor: Actor, user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``. The secret is returned once and never stored."""
    if not (isinstance(actor, SystemActor) or (isinstance(actor, User) and actor.pk == user.pk)):
        _require_system(actor)
    name = name.strip()
    taken = ValidationError(
        {
            "name": _(
                "%(user)s already has an active token named “%(name)s”: choose another name, "
                "or revoke that token first."
            )
            % {"user": user.username, "name": name}
        }
    )
    if name and user.api_tokens.filter(name=name, revoked_at=None).exists():
        raise taken
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():  # another desk's token of that name, created at this moment
            token = ApiToken.objects.create(
                user=user,
                name=name,
                prefix=secret[: len(API_TOKEN_PREFIX) + 6],
                digest=token_digest(secret),
            )
    except IntegrityError:
        raise taken from None
    accounts.audit_everywhere(actor, "token.create", user, details={"token": token.prefix})
    return token, secret


@transaction.atomic
def revoke_api_token(actor: Actor, token: ApiToken) -> None:
    if not (isinstance(actor, User) and actor.pk == token.user_id):
        _require_system(actor)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    accounts.audit_everywhere(actor, "token.revoke", token.user, details={"token": token.prefix})


__all__ = [
    "SYSTEM",
    "add_closed_period",
    "add_school_year",
    "appoint_consultant",
    "create_api_token",
    "create_location",
    "create_municipality",
    "create_person",
    "create_school",
    "grant_role",
    "record_person_view",
    "remove_closed_period",
    "revoke_api_token",
    "revoke_role",
    "set_opening_hours",
    "set_password",
    "set_pin",
    "set_preferred_language",
    "unlock_sign_in",
    "update_school",
    "validate_person_name",
    "validate_role",
    "validate_username",
]
