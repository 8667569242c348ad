"""Interlibrary loans between the municipality's own schools, through the same flow.

The borrowing school's request names a sibling school (a target with ``lending_school``);
sending it puts it among the requests asked of that school (no message leaves Reol). The
lending school's librarian sends one of its copies in transit (circulation's
``send_to_school``: the copy is away from its shelf) with the date it must be back, or says it
cannot; the borrowing school receives it as any interlibrary loan (a temporary copy with the
lender's date, lent and taken back at its desk) and sends it back; checkin at the lending
school then puts the copy back on its shelf (circulation's usual route for a copy in transit).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.circulation.actions.copies import send_to_school
from reol.core.permissions import Actor, Perm, require, scope

from . import ill
from .models import IllRequest, RequestMethod
from .states import IllState

S = IllState
ASKED_OF_US = (S.SENT, S.ACCEPTED)


def asked_of(actor: Actor) -> QuerySet[IllRequest]:
    """Requests of sibling schools to the schools where ``actor`` handles loans (scoped on the
    lending school: the borrower's school is another one)."""
    lenders = scope(
        IllRequest.objects.filter(target__request_method=RequestMethod.SIBLING),
        actor,
        Perm.EXTERNAL_MANAGE,
        school_field="target__lending_school",
    )
    return lenders.select_related("school", "target", "supplier_item")


def _asked(actor: Actor, loan: IllRequest) -> IllRequest:
    found = asked_of(actor).filter(pk=loan.pk).first()
    if found is None or found.target is None or found.target.lending_school is None:
        raise ValidationError(_("That request was not made to your school."))
    require(actor, Perm.EXTERNAL_MANAGE, found.target.lending_school)
    return found


@transaction.atomic
def supply(actor: Actor, loan: IllRequest, *, barcode: str, due: dt.date) -> IllRequest:
    """The lending school sends its copy ``barcode`` in transit, to be back by ``due``."""
    found = _asked(actor, loan)
    assert found.target is not None and found.target.lending_school is not None
    if due <= timezone.localdate():
        raise ValidationError({"due": _("The date it must be back has to be in the future.")})
    locked = ill.lock_request(found)
    if locked.state not in ASKED_OF_US:
        ill.check_step(locked, S.SHIPPED)  # refuses with the table's words
    lender = found.target.lending_school
    copy = send_to_school(actor, lender, barcode, to_school=found.school, reason=f"ill:{found.pk}")
    if copy.record.municipality_id != found.school.municipality_id:  # pragma: no cover
        raise ValidationError(_("That copy belongs to another municipality."))
    if locked.state == S.SENT:
        locked = ill.move(actor, locked, S.ACCEPTED)
    return ill.move(actor, locked, S.SHIPPED, lender_due=due, supplier_item=copy)


@transaction.atomic
def cannot_supply(actor: Actor, loan: IllRequest, *, note: str = "") -> IllRequest:
    _asked(actor, loan)
    return ill.move(actor, ill.lock_request(loan), S.REFUSED, lender_note=note.strip()[:500])
