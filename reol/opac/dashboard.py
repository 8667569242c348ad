"""The staff dashboard's live figures for the catalogue and the desk, registered with
``core.navigation.register_figures`` (core cannot import the apps above it).

These are reads of the catalogue's and circulation's data and belong in ``catalog.selectors``
and ``circulation.selectors`` (registered from those apps' ``ready()``); they live here, in a
front door that may read both, until those apps take them over. Each is one ``COUNT`` query
over the active school's rows.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reol.catalog.models import Item, ItemStatus, Record
from reol.circulation import selectors as circulation_selectors
from reol.circulation.models import Loan
from reol.core.models import School
from reol.core.navigation import Figure
from reol.core.permissions import Perm


def loans_out(school: School) -> int:
    """Copies lent from ``school`` and not yet back."""
    return Loan.objects.open().of_school(school).count()


def loans_overdue(school: School) -> int:
    """Of those, the ones past their due date."""
    return Loan.objects.of_school(school).overdue(timezone.localdate()).count()


def holds_ready(school: School) -> int:
    """Holds waiting on ``school``'s hold shelf to be collected."""
    return circulation_selectors.hold_shelf(school).count()


def records(school: School) -> int:
    """Titles in the catalogue ``school`` shares with its municipality (merged ones aside)."""
    return Record.objects.filter(
        municipality_id=school.municipality_id, merged_into__isnull=True
    ).count()


def copies(school: School) -> int:
    """Copies ``school`` owns (withdrawn and lost ones aside)."""
    return (
        Item.objects.filter(school=school)
        .exclude(status__in=(ItemStatus.WITHDRAWN, ItemStatus.LOST))
        .count()
    )


FIGURES = (
    Figure("loans_out", _("loans out"), Perm.CIRCULATION_DESK, loans_out, "circulation-desk", 10),
    Figure("loans_overdue", _("overdue"), Perm.CIRCULATION_DESK, loans_overdue, "", 11),
    Figure(
        "holds_ready",
        _("holds ready to collect"),
        Perm.CIRCULATION_DESK,
        holds_ready,
        "circulation-hold-shelf",
        12,
    ),
    Figure(
        "records", _("titles in the catalogue"), Perm.SCHOOL_VIEW, records, "catalog-records", 20
    ),
    Figure("copies", _("copies at this school"), Perm.SCHOOL_VIEW, copies, "", 21),
)
