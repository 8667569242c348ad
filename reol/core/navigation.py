"""The staff shell's navigation. Each app registers its entries in its AppConfig.ready().

An entry shows only to people with its permission at the active school, so the menu grows as
modules land without the base template knowing about them.
"""

from __future__ import annotations

from dataclasses import dataclass

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
