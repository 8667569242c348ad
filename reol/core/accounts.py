"""A person's identity: e-mail, password and PIN, changed only here (issue 12, DESIGN rule 12).

Identity belongs to the person, not to a school's patron row. So:

* only the person, or someone who may manage them at *every* school where they hold a role
  (``permissions.may_manage_identity``), may change it; a refusal is itself audited;
* a new e-mail address is used only after a signed link sent to it has been opened, and the
  old address is told (a reset mail goes to the address on file: whoever sets it owns the
  account);
* every change, sign-in and reset is audited at every school the person belongs to, so the
  administrator of school B sees what was done to her at school A;
* a password set by a reset link ends the person's other sessions (Django's session hash
  changes with the password) and revokes their API tokens;
* reset mails are rate-limited per account and per address (``ResetRequest``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .auth import Attempt
from .models import (
    ApiToken,
    Membership,
    RecoveryCode,
    ResetRequest,
    SignInSession,
    TotpDevice,
    User,
)
from .permissions import (
    SYSTEM,
    Actor,
    holds_staff_role,
    may_manage_identity,
    may_reset_second_factor,
)

EMAIL_CHANGE_SALT = "reol.core.accounts.email"
EMAIL_CHANGE_MAX_AGE = 3 * 24 * 3600  # a confirmation link works for three days
RESET_WINDOW_SECONDS = 3600


# --- Audit at every school --------------------------------------------------------------------


def audit_everywhere(
    actor: Actor,
    action: str,
    person: User | None,
    *,
    details: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> int:
    """One audit event at each school (and consultant's municipality) ``person`` belongs to.

    Must run inside a transaction. Returns how many events were written.
    """
    places = list(Membership.objects.filter(user=person).select_related("school__municipality"))
    schools = {m.school_id: m.school for m in places if m.school is not None}
    municipalities = {m.municipality_id: m.municipality for m in places if m.school is None}
    common: dict[str, Any] = {"details": details, "actor_name": actor_name}
    for school in schools.values():
        audit.record(actor, action, person, school=school, **common)
    for municipality in municipalities.values():
        audit.record(actor, action, person, municipality=municipality, **common)
    if not schools and not municipalities:
        audit.record(actor, action, person, **common)
    return max(1, len(schools) + len(municipalities))


def require_identity_authority(actor: Actor, person: User, what: str) -> None:
    """Refuse (and audit the refusal, durably) unless ``actor`` may change ``person``'s
    identity. Call it before the service's own transaction, so the refusal stays recorded."""
    if may_manage_identity(actor, person):
        return
    with transaction.atomic():
        audit_everywhere(actor, "person.identity_refused", person, details={"field": what})
    raise PermissionDenied(
        _(
            "Only %(name)s, or someone who manages them at every school where they work, may "
            "change their e-mail address, username or password."
        )
        % {"name": person}
    )


def refuse_if_staff(actor: Actor, person: User, fields: set[str]) -> None:
    """School-level doors (patron pages and API, roster imports) call this before touching a
    person's e-mail: a staff member's is changed only on their own account page."""
    if "email" not in fields:
        return
    if holds_staff_role(person):
        with transaction.atomic():
            audit_everywhere(actor, "person.identity_refused", person, details={"field": "email"})
        raise PermissionDenied(
            _(
                "%(name)s works at a school: only they can change their e-mail address, on "
                "their own page."
            )
            % {"name": person}
        )
    require_identity_authority(actor, person, "email")


# --- Passwords and PINs -----------------------------------------------------------------------


def _revoke_tokens(person: User) -> int:
    return ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def set_password(actor: Actor, person: User, password: str) -> None:
    """Someone who may manage the person everywhere (or the person) sets a new password."""
    require_identity_authority(actor, person, "password")
    _set_password(actor, person, password, action="person.set_password")


@transaction.atomic
def _set_password(
    actor: Actor, person: User, password: str, *, action: str, revoke: bool = False
) -> None:
    validate_password(password, person)
    person.set_password(password)
    person.save(update_fields=["password"])
    details: dict[str, Any] = {}
    if revoke:
        details["tokens_revoked"] = _revoke_tokens(person)
    audit_everywhere(actor, action, person, details=details)
    _mail(
        person.email,
        _("Your Reol password was changed"),
        _(
            "The password of your Reol account “%(username)s” was just changed, and every "
            "other session of yours has ended. If this was not you, tell your library or your "
            "school's administrator at once."
        )
        % {"username": person.username},
    )


def change_own_password(person: User, password: str) -> None:
    """The person, signed in and having typed the old password (the form checks it)."""
    _set_password(person, person, password, action="person.set_password")


def reset_password(person: User, password: str) -> None:
    """A password set with a mailed reset link: every other session ends (the session hash
    follows the password) and every API token of the person is revoked."""
    _set_password(person, person, password, action="password_reset.done", revoke=True)


def set_pin(actor: Actor, person: User, pin: str) -> None:
    """A card PIN signs the person in like a password does, so the same authority applies."""
    require_identity_authority(actor, person, "pin")
    _set_pin(actor, person, pin)


@transaction.atomic
def _set_pin(actor: Actor, person: User, pin: str) -> None:
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise ValidationError({"pin": _("A PIN is 4 to 8 digits.")})
    person.pin_hash = make_password(pin)
    person.save(update_fields=["pin_hash"])
    audit_everywhere(actor, "person.set_pin", person)


@transaction.atomic
def end_other_sessions(person: User) -> None:
    """Sign the person out everywhere but here (the caller keeps its own session with
    ``update_session_auth_hash``). Their API tokens stay: they are revoked one by one."""
    User.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
    audit_everywhere(person, "person.sessions_ended", person)


# --- Second factor ----------------------------------------------------------------------------


def reset_second_factor(actor: Actor, person: User) -> None:
    """Take away a person's authenticator app and recovery codes (a lost phone), so they
    enrol again at their next sign-in. Only an administrator of every school the person
    belongs to; every session of the person ends; audited there and the person told."""
    if not may_reset_second_factor(actor, person):
        with transaction.atomic():
            audit_everywhere(actor, "person.identity_refused", person, details={"field": "mfa"})
        raise PermissionDenied(
            _(
                "Only an administrator of every school where %(name)s works may reset their "
                "two-step sign-in."
            )
            % {"name": person}
        )
    _reset_second_factor(actor, person)


@transaction.atomic
def _reset_second_factor(actor: Actor, person: User) -> None:
    had = TotpDevice.objects.filter(user=person).delete()[0]
    RecoveryCode.objects.filter(user=person).delete()
    User.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
    SignInSession.objects.filter(user=person).delete()
    audit_everywhere(actor, "mfa.reset", person, details={"had_app": bool(had)})
    mail_person(
        person,
        _("Your two-step sign-in was reset"),
        _(
            "%(actor)s reset the two-step sign-in of your Reol account “%(username)s”, and "
            "you are signed out everywhere. Set up your authenticator app again at your next "
            "sign-in. If you did not ask for this, tell your school's administrator at once."
        )
        % {"actor": actor, "username": person.username},
    )


# --- E-mail -----------------------------------------------------------------------------------


def _mail(to: str, subject: str, body: str) -> None:
    if to:
        transaction.on_commit(
            lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)
        )


def mail_person(person: User, subject: str, body: str) -> None:
    """Tell the person by e-mail once the transaction commits (nothing when they have none)."""
    _mail(person.email or "", subject, body)


def request_email_change(actor: Actor, person: User, new_email: str, *, site: str) -> str:
    """Send a confirmation link to ``new_email`` and tell the old address. Nothing changes
    until the link is opened (``confirm_email_change``). Returns the link's token."""
    require_identity_authority(actor, person, "email")
    new_email = (new_email or "").strip()
    try:
        validate_email(new_email)
    except ValidationError:
        raise ValidationError({"email": _("This is not an e-mail address.")}) from None
    if new_email.casefold() == (person.email or "").casefold():
        raise ValidationError({"email": _("This is already the e-mail address on file.")})
    token = signing.dumps(
        {"u": person.pk, "new": new_email, "old": person.email or ""}, salt=EMAIL_CHANGE_SALT
    )
    link = site.rstrip("/") + reverse("email-confirm", args=[token])
    with transaction.atomic():
        audit_everywhere(actor, "person.email_change_asked", person, details={"new": new_email})
        _mail(
            new_email,
            _("Confirm your new e-mail address for Reol"),
            _(
                "Someone asked to use this address for the Reol account “%(username)s”. "
                "Open this link within three days to confirm it:\n\n%(link)s\n\n"
                "If this was not you, ignore this mail: nothing changes."
            )
            % {"username": person.username, "link": link},
        )
        _mail(
            person.email,
            _("Your Reol e-mail address is about to change"),
            _(
                "Someone asked to change the e-mail address of your Reol account “%(username)s” "
                "to %(new)s. It changes only when the link sent there is opened. If this was "
                "not you, tell your library or your school's administrator at once."
            )
            % {"username": person.username, "new": new_email},
        )
    return token


@transaction.atomic
def confirm_email_change(token: str) -> User:
    """Use the new address of a confirmation link; tell the old address."""
    try:
        value = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This link is too old. Ask for a new one.")) from None
    except signing.BadSignature:
        raise ValidationError(_("This link is not valid.")) from None
    person = User.objects.select_for_update().filter(pk=value.get("u")).first()
    if person is None or (person.email or "") != value.get("old", ""):
        raise ValidationError(_("This link was used already, or the address changed since."))
    old, new = person.email or "", value["new"]
    person.email = new
    person.save(update_fields=["email"])
    audit_everywhere(person, "person.email_changed", person, details={"old": old, "new": new})
    _mail(
        old,
        _("Your Reol e-mail address was changed"),
        _(
            "The e-mail address of your Reol account “%(username)s” is now %(new)s. If this "
            "was not you, tell your library or your school's administrator at once."
        )
        % {"username": person.username, "new": new},
    )
    return person


# --- Sign-in and reset audit ------------------------------------------------------------------


@transaction.atomic
def record_sign_in(person: User, *, second_factor: str = "") -> None:
    details = {"second_factor": second_factor} if second_factor else None
    audit_everywhere(person, "signin.success", person, details=details)


@transaction.atomic
def record_sign_in_failure(
    attempt: Attempt, *, delayed: bool = False, reason: str = "", second_factor: str = ""
) -> None:
    """A failed (or delayed) sign-in, at the schools of the account it was aimed at.
    ``reason`` names why a single sign-on was refused; ``second_factor`` how the second step
    failed ("wrong", "replayed")."""
    action = "signin.delayed" if delayed else "signin.failure"
    if second_factor and not delayed:
        action = "signin.second_factor_failure"
    name = attempt.identifier.strip()[:100]
    details = {"typed": name, **({"second_factor": second_factor} if second_factor else {})}
    if reason:
        details["reason"] = reason
    if attempt.account is None:
        audit.record(SYSTEM, action, None, details=details, actor_name=name)
    else:
        audit_everywhere(SYSTEM, action, attempt.account, details=details, actor_name=name)


def reset_allowed(person: User | None, ip_address: str | None) -> bool:
    """May another reset mail go out for this account from this address (within an hour)?"""
    since = timezone.now() - dt.timedelta(seconds=RESET_WINDOW_SECONDS)
    recent = ResetRequest.objects.filter(at__gte=since)
    if ip_address and (
        recent.filter(ip_address=ip_address).count() >= settings.REOL_RESET_MAILS_PER_ADDRESS
    ):
        return False
    if person is not None:
        return recent.filter(user=person).count() < settings.REOL_RESET_MAILS_PER_ACCOUNT
    return True


@transaction.atomic
def note_reset_request(people: list[User], ip_address: str | None, *, sent: bool) -> None:
    """Count a reset asked for (sent or held back) and audit it at the person's schools."""
    ResetRequest.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()
    action = "password_reset.asked" if sent else "password_reset.refused"
    if not people:
        ResetRequest.objects.create(user=None, ip_address=ip_address)
    for person in people:
        ResetRequest.objects.create(user=person, ip_address=ip_address)
        audit_everywhere(SYSTEM, action, person, actor_name="-")


__all__ = [
    "audit_everywhere",
    "change_own_password",
    "confirm_email_change",
    "end_other_sessions",
    "mail_person",
    "note_reset_request",
    "record_sign_in",
    "record_sign_in_failure",
    "refuse_if_staff",
    "request_email_change",
    "require_identity_authority",
    "reset_allowed",
    "reset_password",
    "reset_second_factor",
    "set_password",
    "set_pin",
]
