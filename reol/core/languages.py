"""The languages Reol speaks, named the same way everywhere: in their own language, capitalised."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext


def language_name(code: str) -> str:
    """The language's own name for itself ("Dansk", "Norsk (bokmål)", "English")."""
    try:
        return str(capfirst(get_language_info(code)["name_local"]))
    except KeyError:
        return code


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code, _name in settings.LANGUAGES]


def filled_lazily(text: str, **values: Any) -> str:
    """``gettext(text) % values``, translated and filled when shown, in the reader's language.

    ``gettext_lazy(text) % values`` at import time is translated then, once, in whatever
    language was active (a report list showed its descriptions in Danish to an English
    reader). Mark ``text`` with ``gettext_noop`` so makemessages finds it; the values may be
    lazy too."""
    return lazy(lambda: gettext(text) % {k: str(v) for k, v in values.items()}, str)()
