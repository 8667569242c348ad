"""Per-request context: the active school for the staff shell, and the audit origin."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import audit, denials, mfa, sessions, signin
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

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        """A page refused the request (403): audit it (ASVS 7.2.2); Django answers as before."""
        if isinstance(exception, PermissionDenied):
            denials.record(request, reason=str(exception))


# Where a person who must set up two-step sign-in may go before they have: the set-up page,
# signing out, and what those pages load.
_OPEN_WHILE_ENROLLING = ("/static/", "/i18n/", "/jsi18n/", "/favicon")


class SecondFactorGate:
    """Keep a signed-in session honest (after ``AuthenticationMiddleware``):

    * a session ended elsewhere ("sign out this session") is signed out here at its next
      request (``sessions.touch``, which also keeps "last seen" within a minute);
    * someone whose role requires two-step sign-in (ASVS 4.3.1) and who has not set it up
      reaches only the set-up page (the API answers 403) until they have. The answer is
      remembered in the session, so a settled session costs no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return self.get_response(request)
        if not sessions.touch(request, user):
            logout(request)
            messages.info(request, _("This session was signed out from another one."))
            return redirect("login")
        if request.session.get(signin.STATE) is None and settings.REOL_MFA_REQUIRED:
            if mfa.required_for(user) and not mfa.enrolled(user):
                if not self._open(request.path):
                    return self._refuse(request)
            else:
                request.session[signin.STATE] = "checked"
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        allowed = (reverse("mfa-setup"), reverse("logout"))
        return path in allowed or path.startswith(_OPEN_WHILE_ENROLLING)

    @staticmethod
    def _refuse(request: HttpRequest) -> HttpResponse:
        message = _("Set up two-step sign-in first: your role requires it.")
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "second_factor_required", "message": message}, status=403)
        return redirect("mfa-setup")
