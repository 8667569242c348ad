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

from .models import AuditEvent, Municipality, School, User
from .permissions import Actor


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
) -> AuditEvent:
    """Write one audit event. Must run inside the service's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the service's transaction")
    if school is not None and municipality is None:
        municipality = school.municipality
    where = _origin.get()
    person = actor if isinstance(actor, User) else None
    return AuditEvent.objects.create(
        actor=person,
        actor_name=person.username if person else str(actor),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        school=school,
        municipality=municipality,
        ip_address=where.ip_address,
        via=where.via,
        details=details or {},
    )
