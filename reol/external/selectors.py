"""Reads of the external app worth a name: the scoped lists of targets, requests, licences."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reol.core.models import School, User
from reol.core.permissions import Actor, Perm, scope

from .models import ExternalTarget, IllRequest, Licence
from .states import OPEN


def targets_of(school: School) -> QuerySet[ExternalTarget]:
    return ExternalTarget.objects.filter(
        Q(school=school) | Q(school__isnull=True, municipality_id=school.municipality_id)
    )


def requests_to_handle(actor: Actor) -> QuerySet[IllRequest]:
    """Every request at the schools where ``actor`` handles interlibrary loans."""
    found: QuerySet[IllRequest] = scope(IllRequest.objects.all(), actor, Perm.EXTERNAL_MANAGE)
    return found.select_related("school", "target", "item", "requester")


def open_requests(actor: Actor, school: School) -> QuerySet[IllRequest]:
    return requests_to_handle(actor).filter(school=school, state__in=sorted(OPEN))


def my_requests(user: User, school: School) -> QuerySet[IllRequest]:
    return IllRequest.objects.filter(requester=user, school=school).select_related("target")


def licences_of(actor: Actor, school: School) -> QuerySet[Licence]:
    found: QuerySet[Licence] = scope(Licence.objects.all(), actor, Perm.EXTERNAL_MANAGE)
    return found.filter(school=school).select_related("record", "group")
