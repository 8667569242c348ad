"""Panels one app adds to another app's page, without the page's app importing it.

The catalogue's record page is on rung 2; who has a copy on loan and who waits for the title
is circulation's (rung 4). Circulation registers a panel for the place ``"catalog.record"`` in
its ``AppConfig.ready()``; the record view asks ``render_panels`` for the HTML of every panel
registered there, each of which decides itself what the person may see (or returns "").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

# A panel: (request, the page's object, the active school) -> HTML, "" when it has nothing.
Panel = Callable[[HttpRequest, Any, Any], str]

_panels: dict[str, list[Panel]] = {}


def register_panel(place: str, panel: Panel) -> None:
    found = _panels.setdefault(place, [])
    if panel not in found:
        found.append(panel)


def render_panels(place: str, request: HttpRequest, obj: Any, school: Any) -> list[SafeString]:
    """The HTML of the panels at ``place`` that have something to show, in registration order."""
    shown = (panel(request, obj, school) for panel in _panels.get(place, []))
    return [SafeString(html) for html in shown if html]
