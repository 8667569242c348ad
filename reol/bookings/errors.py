"""``BookingConflict``: a booking that cannot be honoured, who holds what was asked for, and
what else is free (other rooms or equipment, how many copies, other weeks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Booking, Resource


@dataclass
class Alternative:
    """Something the person could book instead.

    ``kind``: ``resource`` (another room or equipment, same days), ``copies`` (fewer copies,
    same days: ``quantity`` are free) or ``week`` (the same thing ``starts``–``ends``).
    """

    kind: str
    label: str
    starts: dt.date
    ends: dt.date
    quantity: int = 1
    resource: Resource | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "quantity": self.quantity,
            "resource": self.resource.pk if self.resource is not None else None,
        }


@dataclass(eq=False)
class BookingConflict(Exception):
    """Raised by ``services.book`` when a line cannot be honoured.

    ``message`` is translated when raised; ``holder`` says who holds it (a sentence);
    ``holders`` are the bookings in the way; ``line`` is the position of the request.
    """

    message: str
    holder: str = ""
    alternatives: list[Alternative] = field(default_factory=list)
    holders: list[Booking] = field(default_factory=list)
    line: int = 0
    code: str = "conflict"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "holder": self.holder,
            "line": self.line,
            "alternatives": [a.as_dict() for a in self.alternatives],
        }


class BookingError(Exception):
    """A refusal that is not about availability: the booking's state or day says no."""

    def __init__(self, code: str, message: str, *, status: int = 409) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}
