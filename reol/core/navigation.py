"""The staff shell's navigation and dashboard. Each app registers its entries in its
AppConfig.ready().

An entry shows only to people with its permission at the active school, so the menu grows as
modules land without the base template knowing about them. An entry marked ``everyone`` (the
public catalogue, "my loans") shows to every signed-in person with a school, whatever their
roles: students and teachers borrow too.

Apps also register *figures* for the dashboard: a live count of something at the active school
(loans out, holds ready …), each computed by a selector of the app that owns the data and shown
only to people with its permission.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise

from .permissions import Perm

if TYPE_CHECKING:
    from .models import School


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    perm: Perm
    order: int = 100
    everyone: bool = False  # shown to every signed-in person with a school, despite ``perm``
    description: str | Promise = ""  # a line under the entry on the dashboard


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
    everyone: bool = False
    description: str | Promise = ""
    url_name: str = ""


class Menu(list[NavLink]):
    """The menu's links. ``everyone_only`` is true when none of them needs a staff permission
    (a student's menu): pages with their own navigation (the public catalogue) leave it out."""

    @property
    def everyone_only(self) -> bool:
        return all(link.everyone for link in self)


def links(shown: Iterable[NavEntry], path: str) -> list[NavLink]:
    """The entries as links (a ``Menu``); the one whose address is the longest start of
    ``path`` is current.

    ``shown`` are the entries the person has the permission for; the ``everyone`` entries are
    added to them. So /staff/people/12/ marks "People", and /staff/catalogue/isbn/ marks "Add by
    ISBN" rather than "Catalogue". The site root never counts as a start (it would match every
    page).
    """
    chosen = list(dict.fromkeys([*shown, *(e for e in _entries if e.everyone)]))
    chosen.sort(key=lambda e: e.order)
    hrefs = [reverse(entry.url_name) for entry in chosen]
    starts = [h for h in hrefs if h != "/" and path.startswith(h)]
    current = max(starts, key=len) if starts else None
    return Menu(
        NavLink(
            entry.label,
            href,
            href in (current, path),
            entry.everyone,
            entry.description,
            entry.url_name,
        )
        for entry, href in zip(chosen, hrefs, strict=True)
    )


# --- The dashboard's figures ----------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """A live count for the dashboard: ``count(school)`` is a selector of the owning app."""

    key: str
    label: str | Promise
    perm: Perm
    count: Callable[[School], int]
    url_name: str = ""  # where to see the things counted, if there is a page
    order: int = 100


_figures: dict[str, Figure] = {}


def register_figures(*figures: Figure) -> None:
    for figure in figures:
        _figures[figure.key] = figure


def figures() -> list[Figure]:
    return sorted(_figures.values(), key=lambda f: (f.order, f.key))


# --- Where a person without a school lands -----------------------------------------------------
# A network coordinator or a county library's staff has no role at any school, so no dashboard.
# An app registers ``landing(user)``: the address of its page for them, or None.

_landings: list[Callable[[object], str | None]] = []


def register_landing(landing: Callable[[object], str | None]) -> None:
    if landing not in _landings:
        _landings.append(landing)


def landing_for(user: object) -> str | None:
    """The first registered page for a person without a school, if any app has one."""
    return next((url for url in (f(user) for f in _landings) if url), None)
