"""What the patrons app asks about a person's borrowing, through a registry.

Circulation sits above patrons on the ladder (it reads patrons, groups and blocks), so patrons
never imports it. Circulation registers its ``Borrowing`` in its ``AppConfig.ready()``; the
patron pages, the privacy services (export, erasure, anonymising) and the rollover ask
``borrowing()`` for loans and for the loans' side of privacy, and never write a loan, a hold or
a copy's status themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from reol.core.models import School, User
    from reol.core.permissions import Actor

    from .models import Group, Patron


class Borrowing(Protocol):
    """Circulation's answers, by name. Loans are circulation's ``Loan`` rows (read-only here)."""

    state_labels: dict[str, Any]  # loan and hold state codes → labels (for the export page)

    def open_loans(self, user: User, school: School) -> QuerySet[Any]: ...

    def kept_history(self, user: User, school: School) -> QuerySet[Any]: ...

    def open_loans_of_group(self, group: Group) -> QuerySet[Any]: ...

    def forget_returned_loans(self, user: User, school: School) -> int: ...

    def anonymise_loans(self, actor: Actor, *, school: School | None = None) -> int: ...

    def write_off(self, actor: Actor, loans: list[Any], patron: Patron, *, reason: str) -> int: ...

    def cancel_holds(self, actor: Actor, user: User, school: School) -> int: ...

    def export(self, user: User, schools: QuerySet[School]) -> dict[str, list[dict[str, Any]]]: ...


_registered: list[Borrowing] = []


def register_borrowing(provider: Borrowing) -> None:
    _registered[:] = [provider]


def borrowing() -> Borrowing:
    if not _registered:  # circulation is always installed; this is a wiring mistake
        raise RuntimeError("No borrowing provider registered (is reol.circulation installed?)")
    return _registered[0]
