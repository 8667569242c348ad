"""A second factor at sign-in (ASVS 4.3.1): an authenticator app (TOTP, RFC 6238) and
one-time recovery codes.

* **Who**: anyone may turn it on, on *My page → Two-step sign-in*; whoever holds a role in
  ``REOL_MFA_REQUIRED_ROLES`` (administrators) or is a superuser must have it: right after
  sign-in they are sent to enrolment and can do nothing else (``middleware.SecondFactorGate``).
* **Codes**: pyotp computes them (SHA-1, 6 digits, 30 s steps); a code of the step before or
  after is accepted for clock drift, and a code of a step already used is refused (replay),
  by a conditional UPDATE so two racing requests cannot both pass with one code.
* **Recovery codes**: ten, each usable once, shown once, stored as an HMAC keyed with
  ``SECRET_KEY``; new ones replace all old ones.
* **Resetting another person's**: only ``accounts.reset_second_factor``, by an administrator
  of every school the person belongs to.
* **Out of scope**: API bearer tokens (service credentials created by the operator on the
  command line, ASVS 2.10) and the PIN a kiosk (SIP2) checks to lend a book: neither opens
  the pages. Sign-in through a municipality's identity provider (OIDC/SAML) leaves the second
  factor to that provider.
"""

from __future__ import annotations

import hmac
import secrets

import pyotp
import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .accounts import audit_everywhere, end_other_sessions, mail_person
from .models import Membership, RecoveryCode, TotpDevice, User

RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper without doubt
_DIGEST_SALT = "reol.core.mfa.recovery"


# --- Who ---------------------------------------------------------------------------------


def required_for(user: User) -> bool:
    """Must this person have a second factor (an administrator anywhere, or a superuser)?"""
    if not getattr(settings, "REOL_MFA_REQUIRED", True):
        return False
    if user.is_superuser:
        return True
    roles = getattr(settings, "REOL_MFA_REQUIRED_ROLES", ["administrator"])
    return Membership.objects.filter(user=user, role__in=roles).exists()


def enrolled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user).exists()


# --- Secrets and codes -------------------------------------------------------------------


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def provisioning_uri(user: User, secret: str) -> str:
    issuer = getattr(settings, "REOL_MFA_ISSUER", "Reol")
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> str:
    """The enrolment QR code as inline SVG (no image request, nothing for the CSP to block)."""
    code = segno.make(uri, error="m")
    svg: str = code.svg_inline(scale=4, border=4, title=title, svgclass="qr", dark="#000")
    return svg.replace("<svg ", '<svg role="img" ', 1)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(code.split())


def _matching_step(secret: str, code: str, after: int) -> tuple[int | None, bool]:
    """(the 30-second step whose code this is, or None; and whether it was an old step)."""
    code = _digits(code)
    if not (code.isdigit() and len(code) == 6):
        return None, False
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return (step, False) if step > after else (None, True)
    return None, False


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def code_digest(code: str) -> str:
    return salted_hmac(_DIGEST_SALT, _normalise(code), algorithm="sha256").hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _i in range(12))  # about 59 bits
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, digest=code_digest(code)) for code in codes]
    )
    return codes


def unused_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# --- Services ----------------------------------------------------------------------------


def _tell(person: User, subject: str, body: str) -> None:
    """Mail the person; ``body`` is a whole sentence with ``%(username)s``."""
    warning = _("If this was not you, tell your library or your school's administrator at once.")
    mail_person(person, subject, f"{body % {'username': person.username}} {warning}")


@transaction.atomic
def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn the second factor on with the app's first code; returns the recovery codes (shown
    once). Every other session of the person ends: they signed in with one factor."""
    if TotpDevice.objects.filter(user=user).exists():
        raise ValidationError(_("Two-step sign-in is already on."))
    step, _old = _matching_step(secret, code, 0)
    if step is None:
        raise ValidationError(
            {"code": _("That code is not right. Check the time on your phone and try again.")}
        )
    TotpDevice.objects.create(user=user, secret=secret, last_used_step=step)
    codes = _new_recovery_codes(user)
    end_other_sessions(user)
    audit_everywhere(user, "mfa.enrolled", user)
    _tell(
        user,
        _("Two-step sign-in is on"),
        _("Two-step sign-in was turned on for your Reol account “%(username)s”."),
    )
    return codes


@transaction.atomic
def renew_recovery_codes(user: User) -> list[str]:
    if not TotpDevice.objects.filter(user=user).exists():
        raise ValidationError(_("Two-step sign-in is not on."))
    codes = _new_recovery_codes(user)
    audit_everywhere(user, "mfa.codes_renewed", user)
    _tell(
        user,
        _("New recovery codes"),
        _(
            "New recovery codes were made for your Reol account “%(username)s”; the old ones "
            "no longer work."
        ),
    )
    return codes


@transaction.atomic
def turn_off(user: User) -> None:
    """The person turns their own second factor off; not when their role requires it."""
    if required_for(user):
        raise PermissionDenied(_("Your role requires two-step sign-in; it cannot be turned off."))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    audit_everywhere(user, "mfa.turned_off", user)
    _tell(
        user,
        _("Two-step sign-in is off"),
        _("Two-step sign-in was turned off for your Reol account “%(username)s”."),
    )


def verify(user: User, code: str) -> str:
    """Check a code at sign-in: "totp", "recovery" (a recovery code, now used up),
    "replayed" (a right code of a step already used) or "" (wrong)."""
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        return ""
    if _digits(code).isdigit():
        step, old = _matching_step(device.secret, code, device.last_used_step)
        if step is None:
            return "replayed" if old else ""
        won = TotpDevice.objects.filter(pk=device.pk, last_used_step__lt=step).update(
            last_used_step=step, last_used_at=timezone.now()
        )
        return "totp" if won else "replayed"
    used = RecoveryCode.objects.filter(
        user=user, digest=code_digest(code), used_at__isnull=True
    ).update(used_at=timezone.now())
    return "recovery" if used else ""
