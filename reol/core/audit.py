"""The audit log: ``record(...)`` is called by service functions inside their transaction.

Where a request came from (address, and whether it came through the pages, the API or the
command line) is carried in a context variable set by the front door, so service signatures
stay about the library, not about HTTP.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import bulk
from .models import AuditEvent, Municipality, School, User
from .permissions import Actor
from .text import fold

# What the audit log shows for each action code. Other apps add theirs with
# ``register_actions(...)`` in their AppConfig.ready(); a code without a label shows as is.
_ACTION_LABELS: dict[str, str | Promise] = {
    "municipality.create": _("Municipality added"),
    "school.create": _("School added"),
    "school.update": _("School settings changed"),
    "location.create": _("Location added"),
    "person.create": _("Person added"),
    "person.view": _("Person's record viewed"),
    "person.set_password": _("Password changed"),
    "person.set_pin": _("PIN changed"),
    "person.set_language": _("Language changed"),
    "person.unlock": _("Sign-in unlocked"),
    "role.grant": _("Role given"),
    "role.revoke": _("Role taken away"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "signin.success": _("Signed in"),
    "signin.failure": _("Sign-in failed"),
    "signin.delayed": _("Sign-in delayed after failures"),
    "password_reset.asked": _("Password reset asked for"),
    "password_reset.refused": _("Password reset mail held back (too many)"),
    "password_reset.done": _("Password reset with a mailed link"),
    "person.email_change_asked": _("New e-mail address waiting for confirmation"),
    "person.email_changed": _("E-mail address changed"),
    "person.sessions_ended": _("Signed out everywhere else"),
    "person.identity_refused": _("Change of e-mail, username or password refused"),
    "person.session_ended": _("Signed out one session"),
    "signin.second_factor_failure": _("Sign-in failed at the second step"),
    "mfa.enrolled": _("Two-step sign-in turned on"),
    "mfa.codes_renewed": _("New recovery codes made"),
    "mfa.turned_off": _("Two-step sign-in turned off"),
    "mfa.reset": _("Two-step sign-in reset"),
    "access.denied": _("Access refused"),
    "access.denied_suppressed": _("More refusals in that minute not logged"),
    "calendar.opening_hours": _("Opening hours changed"),
    "calendar.closed_period.add": _("Closed period added"),
    "calendar.closed_period.remove": _("Closed period removed"),
    "calendar.school_year.add": _("School year added"),
}
_VIA_LABELS: dict[str, str | Promise] = {
    "web": _("web page"),
    "api": _("API"),
    "cli": _("command line"),
    "system": _("system"),
}


def register_actions(labels: dict[str, str | Promise]) -> None:
    """Give the audit log a (lazily translated) label for each of an app's action codes."""
    _ACTION_LABELS.update(labels)


def action_label(code: str) -> str:
    return str(_ACTION_LABELS.get(code, code))


def via_label(code: str) -> str:
    return str(_VIA_LABELS.get(code, code))


def action_choices() -> list[tuple[str, str]]:
    """The labelled action codes, sorted by label in the active language."""
    return sorted(
        ((code, str(label)) for code, label in _ACTION_LABELS.items()), key=lambda c: c[1]
    )


@dataclass(frozen=True)
class Origin:
    via: str = "system"
    ip_address: str | None = None


_DEFAULT_ORIGIN = Origin()
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "reol_origin",
    default=_DEFAULT_ORIGIN,
)


@contextmanager
def origin(via: str, ip_address: str | None = None) -> Iterator[None]:
    """Mark every audit event written inside the block as coming from ``via`` and ``ip``."""
    token = _origin.set(Origin(via=via, ip_address=ip_address))
    try:
        yield
    finally:
        _origin.reset(token)


def set_origin(via: str, ip_address: str | None = None) -> None:
    _origin.set(Origin(via=via, ip_address=ip_address))


def record(
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    *,
    school: School | None = None,
    municipality: Municipality | None = None,
    details: dict[str, Any] | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the service's transaction.

    ``actor_name`` names an actor who is nobody's account (someone failing to sign in).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    municipality_id: int | None
    if municipality is not None:
        municipality_id = municipality.pk
    else:  # the school's, by its key: no query for a school read without its municipality
        municipality_id = school.municipality_id if school is not None else None
    where = _origin.get()
    person = actor if isinstance(actor, User) else None
    shown = str(obj) if obj is not None else ""
    event = AuditEvent(
        actor=person,
        actor_name=actor_name or (person.username if person else str(actor)),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=shown[:200],
        object_key=fold(shown)[:200],
        school=school,
        municipality_id=municipality_id,
        ip_address=where.ip_address,
        via=where.via,
        details=details or {},
    )
    # ``bulk.insert``, not ``save()``: the same row, without the query compiler (every desk
    # scan writes one; the compiler cost more than the insert).
    bulk.insert([event])
    return event
