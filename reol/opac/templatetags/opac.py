"""Small pieces of the public pages: material-type icons, age badges and whole titles."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reol.catalog import search
from reol.catalog.models import MaterialType
from reol.catalog.relators import RELATOR_TERMS, role_label
from reol.catalog.search import labels

register = template.Library()

ICONS = {value for value in MaterialType.values}


@register.simple_tag
def type_icon(material_type: str) -> SafeString:
    """The material type's picture (decorative: its name is always written beside it)."""
    name = material_type if material_type in ICONS else "other"
    return format_html(
        '<svg class="type-icon" aria-hidden="true" focusable="false" width="28" height="28">'
        '<use href="{}#{}"></use></svg>',
        static("opac/icons.svg"),
        f"mt-{name}",
    )


@register.filter
def type_label(material_type: str) -> str:
    try:
        return str(MaterialType(material_type).label).capitalize()
    except ValueError:
        return str(MaterialType.OTHER.label).capitalize()


@register.simple_tag
def age_text(age_min: int | None, age_max: int | None) -> str:
    """ "6–9 years" for the age badge; empty when the record says nothing about age.

    An open range reads as words, never as a dangling dash: 0–5 is "up to 5 years" and 18 with
    no upper age is "18 years and up".
    """
    if age_min == 0:
        age_min = None
    if age_min is not None and age_max is not None:
        if age_min == age_max:
            return _("%(age)s years") % {"age": age_min}
        return _("%(low)s–%(high)s years") % {"low": age_min, "high": age_max}
    if age_min is not None:
        return _("%(low)s years and up") % {"low": age_min}
    if age_max is not None:
        return _("up to %(high)s years") % {"high": age_max}
    return ""


@register.simple_tag
def full_title(title: str, subtitle: str = "") -> str:
    """The title and subtitle as a record writes them: "Title : Subtitle" (ISBD's colon)."""
    return labels.full_title(title, subtitle)


@register.filter
def subject(value: str) -> str:
    """A subject with its subdivisions as a reader writes them ("vulkaner – for børn")."""
    return labels.subject_label(value)


@register.simple_tag
def series_text(series: str) -> str:
    """A series as a child reads it: "Series: Harry Potter, number 1", not the catalogue's
    "Harry Potter ; 1" (ISBD's " ; " before the number)."""
    name, number = search.series_parts(series)
    if number:
        return _("Series: %(s)s, number %(n)s") % {"s": name, "n": number}
    return _("Series: %(s)s") % {"s": name}


@register.filter
def with_role(contributor: dict[str, Any]) -> str:
    """A contributor's name, with the role in the reader's language unless it is the author's:
    "Jim Kay (illustrator)", "J.K. Rowling"."""
    name = str(contributor.get("name") or "")
    role = role_label(contributor)
    if not role or role == str(RELATOR_TERMS["aut"]):
        return name
    return f"{name} ({role})"


@register.filter
def get_item(mapping: dict[object, object] | None, key: object) -> object:
    return mapping.get(key) if mapping else None
