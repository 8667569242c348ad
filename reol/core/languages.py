"""The languages Reol speaks, named the same way everywhere: in their own language, capitalised."""

from __future__ import annotations

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info


def language_name(code: str) -> str:
    """The language's own name for itself ("Dansk", "Norsk (bokmål)", "English")."""
    try:
        return str(capfirst(get_language_info(code)["name_local"]))
    except KeyError:
        return code


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code, _name in settings.LANGUAGES]
