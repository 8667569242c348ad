from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from . import navigation
from .middleware import schools_of
from .permissions import has_perm


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the base layout needs: the active school, the switcher, and the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    school = getattr(request, "school", None)
    nav = []
    if school:
        shown = [e for e in navigation.entries() if has_perm(user, e.perm, school)]
        nav = navigation.links(shown, request.path)
    return {
        "active_school": school,
        "my_schools": schools_of(user),
        "nav_entries": nav,
    }
