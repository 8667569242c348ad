"""The ``reol`` command: everything ``manage.py`` does, plus Reol's own commands.

Reol's commands speak the language of ``REOL_LANGUAGE``, else of the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``) when Reol has it, else Danish. ``reol help`` lists Reol's own
commands first, each with what it is for, apart from Django's.
"""

import os
import sys

LANGUAGES = {"da": "da", "nb": "nb", "no": "nb", "nn": "nb", "en": "en"}


def locale_language(environ: "os._Environ[str] | dict[str, str]") -> str | None:
    """The language of the locale, as Reol names it ("nb_NO.UTF-8": "nb"); None if none."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:  # the first one set decides, as for gettext
            code = value.split(".")[0].split("_")[0].split("-")[0].lower()
            return LANGUAGES.get(code)
    return None


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reol.settings")
    if not os.environ.get("REOL_LANGUAGE"):
        language = locale_language(os.environ)
        if language:
            os.environ["REOL_LANGUAGE"] = language
    if sys.argv[1:] in (["help"], ["--help"], ["-h"]):
        import django

        django.setup()
        from reol.core.commands_help import print_help

        print_help(sys.stdout)
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
