"""The demo's loans: a few copies out at each demo school, three or four of them overdue, so the
desk, the overdue notices page and the letters PDF have something to show.

Loans are made through ``loan_actions.checkout`` with a ``today`` in the past (their due dates then
come from the loan rules and the school's calendar, as for any loan). Idempotent: a school that
has any loan (made by the demo or by someone trying it) is left as it is.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from reol.catalog.models import CirculationType, Item, ItemStatus
from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM
from reol.patrons.models import Patron, PatronCategory

from .actions import loans as loan_actions
from .errors import CirculationError
from .models import Loan

OVERDUE_LOANS = 4  # lent 60 days ago: past any default loan period
CURRENT_LOANS = 3  # lent 3 days ago


def _copies(school: School, count: int) -> list[Item]:
    """Available ordinary copies, one per title, leaving out titles with many copies here (the
    class set stays whole for bookings)."""
    chosen: list[Item] = []
    seen: set[int] = set()
    items = (
        Item.objects.filter(
            school=school,
            status=ItemStatus.AVAILABLE,
            circulation_type=CirculationType.NORMAL,
        )
        .select_related("record")
        .order_by("barcode")
    )
    for item in items[: count * 20]:
        if item.record_id in seen:
            continue
        if Item.objects.filter(record_id=item.record_id, school=school).count() > 3:
            seen.add(item.record_id)
            continue
        seen.add(item.record_id)
        chosen.append(item)
        if len(chosen) == count:
            break
    return chosen


def _load_school(school: School, today: dt.date) -> int:
    if Loan.objects.filter(school=school).exists():
        return 0
    students = list(
        Patron.objects.filter(school=school, category=PatronCategory.STUDENT, active=True)
        .exclude(user__card_barcode=None)
        .select_related("user")
        .order_by("user__username")[: OVERDUE_LOANS + CURRENT_LOANS]
    )
    copies = _copies(school, len(students))
    made = 0
    for n, (student, copy) in enumerate(zip(students, copies, strict=False)):
        lent = today - dt.timedelta(days=60 if n < OVERDUE_LOANS else 3)
        try:
            loan_actions.checkout(SYSTEM, school, student.user, copy, today=lent)
        except (CirculationError, ValidationError):
            continue  # a demo that someone changed: lend what can be lent
        made += 1
    return made


def load_demo_loans(municipality: Municipality, today: dt.date | None = None) -> int:
    """Loans at each school of ``municipality`` that has none; returns the loans made."""
    today = today or timezone.localdate()
    return sum(
        _load_school(school, today)
        for school in School.objects.filter(municipality=municipality).order_by("code")
    )
