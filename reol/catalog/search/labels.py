"""What people read for search's facets: a title per facet and a label per value, translated.

Facet values are codes (``book``, ``dan``, ``9-12``, ``2010-2019``, a school's code, ``*`` for
"any school"); everything shown for them comes from here, in the active language, so the API and
the public catalogue say the same thing. Only school names come from the database, through
``selectors.school_names`` (cached per process).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .types import AGE_BUCKETS, LIX_BUCKETS, YEAR_BUCKETS

ANY_SCHOOL = "*"  # the "available" facet's value for "on the shelf at some school"

FACET_TITLES: dict[str, Promise] = {
    "material_type": gettext_lazy("Material type"),
    "age": gettext_lazy("Age"),
    "reading_level": gettext_lazy("Reading level"),
    "language": gettext_lazy("Language"),
    "school": gettext_lazy("School"),
    "available": gettext_lazy("Available now"),
    "year": gettext_lazy("Year"),
    "subject": gettext_lazy("Subject"),
}

FACETS_WITH_TITLES = tuple(FACET_TITLES)

# MARC language codes (MARC 21 / ISO 639-2, bibliographic and terminology forms) of the
# languages a Nordic school library holds; any other code is shown as it is.
LANGUAGE_NAMES: dict[str, Promise] = {
    "dan": gettext_lazy("Danish"),
    "nor": gettext_lazy("Norwegian"),
    "nob": gettext_lazy("Norwegian Bokmål"),
    "nno": gettext_lazy("Norwegian Nynorsk"),
    "swe": gettext_lazy("Swedish"),
    "isl": gettext_lazy("Icelandic"),
    "ice": gettext_lazy("Icelandic"),
    "fao": gettext_lazy("Faroese"),
    "fin": gettext_lazy("Finnish"),
    "kal": gettext_lazy("Greenlandic"),
    "sme": gettext_lazy("Northern Sami"),
    "eng": gettext_lazy("English"),
    "deu": gettext_lazy("German"),
    "ger": gettext_lazy("German"),
    "fra": gettext_lazy("French"),
    "fre": gettext_lazy("French"),
    "spa": gettext_lazy("Spanish"),
    "ita": gettext_lazy("Italian"),
    "pol": gettext_lazy("Polish"),
    "ukr": gettext_lazy("Ukrainian"),
    "ara": gettext_lazy("Arabic"),
    "tur": gettext_lazy("Turkish"),
    "som": gettext_lazy("Somali"),
    "per": gettext_lazy("Persian"),
    "fas": gettext_lazy("Persian"),
    "urd": gettext_lazy("Urdu"),
    "mul": gettext_lazy("several languages"),
}


def title(facet: str) -> str:
    """The heading of a facet, e.g. "Subject"."""
    found = FACET_TITLES.get(facet)
    return str(found) if found is not None else facet


def _material_type(value: str) -> str:
    from reol.catalog.models import MaterialType

    try:
        name = str(MaterialType(value).label)
    except ValueError:
        return value
    return name[:1].upper() + name[1:]


def _age(value: str) -> str:
    low, high = AGE_BUCKETS.get(value, (None, None))
    if low is None or high is None:
        return value
    if value.endswith("+"):
        return _("%(low)s years and up") % {"low": low}
    return _("%(low)s–%(high)s years") % {"low": low, "high": high}


def _reading_level(value: str) -> str:
    if value not in LIX_BUCKETS:
        return value
    return _("LIX %(band)s") % {"band": value.replace("-", "–")}


def _year(value: str) -> str:
    if value not in YEAR_BUCKETS:
        return value
    first, until = YEAR_BUCKETS[value]
    if value.startswith("-"):
        return _("before %(year)s") % {"year": until}
    if value.endswith("-"):
        return _("%(year)s and later") % {"year": first}
    return value.replace("-", "–")


def label(facet: str, value: str, schools: Mapping[str, str] | None = None) -> str:
    """A facet value as people read it, in the active language (``schools``: code → name)."""
    if facet == "material_type":
        return _material_type(value)
    if facet == "age":
        return _age(value)
    if facet == "reading_level":
        return _reading_level(value)
    if facet == "language":
        name = LANGUAGE_NAMES.get(value)
        return str(name) if name is not None else value
    if facet == "year":
        return _year(value)
    if facet in ("school", "available"):
        if facet == "available" and value == ANY_SCHOOL:
            return _("any school")
        return (schools or {}).get(value, value)
    return value  # subjects are the catalogue's own words
