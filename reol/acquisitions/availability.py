"""A title under reconsideration whose school's policy takes it off the shelf during the
committee's review cannot be lent there: the one rule (``off_shelf_review``) and its due-date
cap, registered with circulation (a rung below) in ``AcquisitionsConfig.ready``, so checkout
and renewal at the desk, the kiosk and the API all refuse with the same sentence."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.catalog.models import Item
from reol.circulation.limits import DueDateLimit
from reol.core.models import School

from .models import Reconsideration, ReconsiderationState

UNDER_REVIEW = "under_reconsideration"


_ANY_OFF_SHELF = (
    "SELECT 1 FROM {table} WHERE record_id = %s AND school_id = %s AND state = %s"
    " AND available_during_review = %s LIMIT 1"
)


def off_shelf_review(record_id: int, school_id: int) -> bool:
    """Whether a review keeps this title off the shelf at this school now: one under review
    whose policy (copied onto the request when it came) says "off the shelf". Written out in
    SQL: the desk asks at every checkout (nearly always "no"), and building the ORM's query
    cost more than running it."""
    sql = _ANY_OFF_SHELF.format(table=Reconsideration._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(sql, [record_id, school_id, ReconsiderationState.REVIEW.value, False])
        return cursor.fetchone() is not None


def review_cap(
    item: Item,
    school: School,
    proposed_due: dt.date,
    *,
    today: dt.date | None = None,
    record_locked: bool = False,
) -> DueDateLimit | None:
    """Circulation's due-date cap: a day before today (not lendable now) while the title is
    off the shelf for its review at the lending school; else no limit."""
    if not off_shelf_review(item.record_id, school.pk):
        return None
    today = today or timezone.localdate()
    return DueDateLimit(
        today - dt.timedelta(days=1),
        _(
            "“%(title)s” is off the shelf while the school reconsiders it: it cannot be lent "
            "until the committee has decided. Put the copy aside."
        )
        % {"title": item.record.title},
        UNDER_REVIEW,
    )
