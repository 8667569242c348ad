"""Password rules beyond Django's own (ASVS 4.0 V2.1): staff length, and a larger breach list.

``AUTH_PASSWORD_VALIDATORS`` in settings names these beside Django's validators, so every
place a password is set (people page, change-own-password page, reset, API, command line)
checks the same rules through ``validate_password``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import User
from .permissions import holds_staff_role

PASSWORD_LIST = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


def mark_staff(user: User, staff: bool = True) -> None:
    """Tell the length rule that ``user`` (not saved yet, so without roles) will be staff."""
    user._reol_staff = staff  # type: ignore[attr-defined]


def is_staff_password_holder(user: Any) -> bool:
    if user is None:
        return False
    marked = getattr(user, "_reol_staff", None)
    if marked is not None:
        return bool(marked)
    return isinstance(user, User) and user.pk is not None and holds_staff_role(user)


class RoleLengthValidator:
    """At least ``min_length`` characters, and ``staff_min_length`` for anyone with a staff
    role anywhere (librarian, teacher, administrator, consultant) or a superuser."""

    def __init__(self, min_length: int = 8, staff_min_length: int = 12) -> None:
        self.min_length = min_length
        self.staff_min_length = staff_min_length

    def _needed(self, user: Any) -> int:
        return self.staff_min_length if is_staff_password_holder(user) else self.min_length

    def validate(self, password: str, user: Any = None) -> None:
        needed = self._needed(user)
        if len(password) < needed:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d "
                    "character.",
                    "This password is too short. It must contain at least %(min_length)d "
                    "characters.",
                    needed,
                )
                % {"min_length": needed},
                code="password_too_short",
                params={"min_length": needed},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password must contain at least %(min_length)d characters; "
            "%(staff_min_length)d for staff."
        ) % {"min_length": self.min_length, "staff_min_length": self.staff_min_length}


class ReolCommonPasswordValidator(CommonPasswordValidator):
    """Refuse the passwords of Django's list and of Reol's (built by
    ``scripts/build-password-list`` from zxcvbn's breach list and local words): one validator,
    so the password forms state the rule once."""

    def __init__(self, password_list_path: Path | str = PASSWORD_LIST) -> None:
        super().__init__()  # Django's own list
        self.passwords = self.passwords | CommonPasswordValidator(password_list_path).passwords

    def get_error_message(self) -> str:
        return _("This password is too common.")
