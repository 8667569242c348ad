"""Per-request context: the active school for the staff shell, and the audit origin."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import audit
from .auth import client_ip
from .models import School, User
from .permissions import Perm, has_perm_anywhere, require, schools_with

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


def school_for(request: HttpRequest, perm: Perm) -> School:
    """The school this request acts for (the active school, set by the middleware below),
    after checking ``perm`` there: the one helper every app's pages use. 403 when the person
    has no school, or lacks ``perm`` at it."""
    school: School | None = getattr(request, "school", None)
    # ``request.school`` is a lazy object: one wrapping None is not ``None`` but is falsy (a
    # person with no school at all, e.g. a network coordinator, gets the 403, not a crash).
    if not school:
        raise PermissionDenied(_("You have no role at any school."))
    require(request.user, perm, school)
    return school


class ActiveSchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = SimpleLazyObject(lambda: active_school(request))  # type: ignore[attr-defined]
        with audit.origin("web", client_ip(request)):
            return self.get_response(request)
