"""The staff shell's navigation. Each app registers its entries in its AppConfig.ready().

An entry shows only to people with its permission at the active school, so the menu grows as
modules land without the base template knowing about them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from .permissions import Perm


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    perm: Perm
    order: int = 100


_entries: list[NavEntry] = []


def register(*entries: NavEntry) -> None:
    for entry in entries:
        if entry not in _entries:
            _entries.append(entry)
    _entries.sort(key=lambda e: e.order)


def entries() -> list[NavEntry]:
    return list(_entries)


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    href: str
    current: bool


def links(shown: list[NavEntry], path: str) -> list[NavLink]:
    """The entries as links; the one whose address is the longest start of ``path`` is current.

    So /staff/people/12/ marks "People", and /staff/catalogue/isbn/ marks "Add by ISBN" rather
    than "Catalogue". The site root never counts as a start (it would match every page).
    """
    hrefs = [reverse(entry.url_name) for entry in shown]
    starts = [h for h in hrefs if h != "/" and path.startswith(h)]
    current = max(starts, key=len) if starts else None
    return [
        NavLink(entry.label, href, href in (current, path))
        for entry, href in zip(shown, hrefs, strict=True)
    ]
