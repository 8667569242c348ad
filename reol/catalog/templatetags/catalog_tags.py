"""Template filters of the catalogue's pages."""

from __future__ import annotations

from typing import Any

from django import template

from reol.catalog.relators import role_label

register = template.Library()


@register.filter
def contributor_role(contributor: dict[str, Any]) -> str:
    """The contributor's role in the reader's language ("author", "forfatter")."""
    return role_label(contributor)
