"""Refused access, in the audit log (ASVS 7.2.2): every 403 of the pages and the API, and
every attempt to reach another school's object, with who, what (method and path, or the
object) and which school.

A loop of refused requests must not flood the log: each person (or, for no one signed in,
each address) gets at most ``REOL_DENIALS_LOGGED_PER_MINUTE`` such events a minute; the next
one in that minute is a single "more refusals not logged" event, and the rest are dropped.
The count is read from the audit log itself, so every worker shares it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from . import audit
from .auth import client_ip
from .models import AuditEvent, School, User
from .permissions import SYSTEM

M = TypeVar("M", bound=models.Model)

DENIED = "access.denied"
SUPPRESSED = "access.denied_suppressed"


def _limit() -> int:
    return int(getattr(settings, "REOL_DENIALS_LOGGED_PER_MINUTE", 10))


def record(
    request: HttpRequest,
    *,
    reason: str = "",
    school: School | None = None,
    target_school: School | None = None,
    obj: Any = None,
) -> bool:
    """Audit one refusal (durably, in its own transaction). False when rate-limited."""
    user = getattr(request, "user", None)
    actor = user if isinstance(user, User) and user.is_authenticated else None
    if school is None:
        active = getattr(request, "school", None)  # a lazy object: a real row for the FK
        school = School.objects.filter(pk=active.pk).first() if active else None
    ip = client_ip(request)
    since = timezone.now() - dt.timedelta(minutes=1)
    recent = AuditEvent.objects.filter(action__in=[DENIED, SUPPRESSED], at__gte=since)
    recent = recent.filter(actor=actor) if actor else recent.filter(actor=None, ip_address=ip)
    with transaction.atomic():
        count = recent.count()
        if count > _limit():
            return False
        action = DENIED if count < _limit() else SUPPRESSED
        details: dict[str, Any] = {
            "method": request.method or "",
            # The path inside the application: never a launch-scoped session's key, which a
            # launch inside a learning platform's frame carries in the address (/lti/s/<key>/).
            "path": request.path_info[:300],
            "reason": str(reason)[:300],
        }
        if target_school is not None:
            details["target_school"] = target_school.code
        audit.record(
            actor or SYSTEM,
            action,
            obj,
            school=school,
            details=details,
            actor_name=None if actor else "-",
        )
        if target_school is not None and school is not None and target_school.pk != school.pk:
            audit.record(
                actor or SYSTEM,
                action,
                obj,
                school=target_school,
                details=details,
                actor_name=None if actor else "-",
            )
    return action == DENIED


def _school_of(obj: Any) -> School | None:
    """The school an object belongs to: its ``school``, or a person's first school."""
    school = getattr(obj, "school", None)
    if isinstance(school, School):
        return school
    if isinstance(obj, User):
        return School.objects.filter(memberships__user=obj).order_by("pk").first()
    return None


def get_or_404(request: HttpRequest, scoped: QuerySet[M], **lookup: Any) -> M:
    """``scoped.get(**lookup)``, else 404, as ``get_object_or_404``; but when the object
    exists outside the scope (another school's), the attempt is audited first, at the
    requester's school and at the object's. The answer stays 404: existence is not revealed."""
    found = scoped.filter(**lookup).first()
    if found is not None:
        return found
    elsewhere = scoped.model._default_manager.filter(**lookup).first()
    if elsewhere is not None:
        record(
            request,
            reason="outside the requester's schools",
            target_school=_school_of(elsewhere),
            obj=elsewhere,
        )
    raise Http404
