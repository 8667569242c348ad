"""An interlibrary loan's life as a table of allowed transitions (rule 3 of the house).

requested → approved → sent → accepted → shipped → received → lent → returned → sent back.
The lender may refuse a request it was sent; a receipt also stands for acceptance and
shipping (the parcel often comes before the lender's answer); a request not yet shipped may
be cancelled. A returned copy may be lent again before it goes back.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IllState(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    SENT = "sent", _("sent to the lender")
    ACCEPTED = "accepted", _("accepted by the lender")
    REFUSED = "refused", _("refused by the lender")
    SHIPPED = "shipped", _("shipped by the lender")
    RECEIVED = "received", _("received")
    LENT = "lent", _("lent")
    RETURNED = "returned", _("returned by the borrower")
    SENT_BACK = "sent_back", _("sent back")
    CANCELLED = "cancelled", _("cancelled")


S = IllState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.CANCELLED}),
    S.APPROVED: frozenset({S.SENT, S.CANCELLED}),
    S.SENT: frozenset({S.ACCEPTED, S.REFUSED, S.RECEIVED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.SHIPPED, S.RECEIVED, S.REFUSED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.RECEIVED}),
    S.RECEIVED: frozenset({S.LENT, S.SENT_BACK}),
    S.LENT: frozenset({S.RETURNED}),
    S.RETURNED: frozenset({S.LENT, S.SENT_BACK}),
    S.REFUSED: frozenset(),
    S.SENT_BACK: frozenset(),
    S.CANCELLED: frozenset(),
}

# While the lender's copy is here, a temporary copy stands for it in the catalogue.
COPY_HERE = frozenset({S.RECEIVED, S.LENT, S.RETURNED})
# States that need the librarian (shown first on the list).
OPEN = frozenset(set(IllState) - {S.REFUSED, S.SENT_BACK, S.CANCELLED})


class IllegalIllTransition(Exception):
    pass


def can_change(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def require_change(current: str, new: str) -> None:
    if not can_change(current, new):
        raise IllegalIllTransition(f"{current} → {new}")
