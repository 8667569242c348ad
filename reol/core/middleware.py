"""Per-request context: the active school for the staff shell, and the audit origin."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from . import audit
from .auth import client_ip
from .models import School, User
from .permissions import Perm, has_perm_anywhere, schools_with

SESSION_KEY = "reol_school"


def schools_of(user: object) -> list[School]:
    """The schools a person works at or belongs to, for the school switcher."""
    if not isinstance(user, User):
        return []
    perm = Perm.STAFF_SHELL if has_perm_anywhere(user, Perm.STAFF_SHELL) else None
    if perm is not None:
        return list(schools_with(user, perm).select_related("municipality"))
    return list(School.objects.filter(memberships__user=user).distinct())


def active_school(request: HttpRequest) -> School | None:
    schools = schools_of(request.user)
    chosen = request.session.get(SESSION_KEY)
    for school in schools:
        if school.pk == chosen:
            return school
    return schools[0] if schools else None


class ActiveSchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = SimpleLazyObject(lambda: active_school(request))  # type: ignore[attr-defined]
        with audit.origin("web", client_ip(request)):
            return self.get_response(request)
