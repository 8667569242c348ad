"""Reads of circulation's loans that the patrons pages need (kept apart from ``selectors``,
which circulation imports, so that the two apps never import each other in a circle)."""

from __future__ import annotations

from django.db.models import QuerySet

from reol.circulation.models import Loan
from reol.core.models import School, User

from .models import Group, GroupMember


def open_loans(user: User, school: School) -> QuerySet[Loan]:
    return (
        Loan.objects.filter(patron=user, school=school, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("due_date", "id")
    )


def kept_history(user: User, school: School) -> QuerySet[Loan]:
    """The person's returned loans that still name them (the school and they keep history)."""
    return (
        Loan.objects.filter(patron=user, school=school, returned_at__isnull=False)
        .select_related("item__record")
        .order_by("-returned_at", "-id")
    )


def open_loans_of_group(group: Group) -> QuerySet[Loan]:
    """Loans out to the group's students at its school, by student then due date."""
    students = GroupMember.objects.filter(group=group, role=GroupMember.Role.STUDENT).values(
        "patron__user"
    )
    return (
        Loan.objects.filter(school=group.school, patron__in=students, returned_at__isnull=True)
        .select_related("item__record", "patron")
        .order_by("patron__last_name", "patron__first_name", "due_date", "id")
    )
