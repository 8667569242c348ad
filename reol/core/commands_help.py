"""``reol help``: Reol's own commands first, each with a line on what it is for, then
Django's (migrate, runserver, …) apart, by name only."""

from __future__ import annotations

import re
import textwrap
from typing import TextIO

from django.core.management import get_commands, load_command_class
from django.utils.translation import gettext as _

# A sentence ends at a full stop before a capital or the end ("… én gang pr. måned." is one).
_FIRST_SENTENCE = re.compile(r"^(.+?\.)(\s+(?=[A-ZÆØÅ`(])|\s*$)", re.S)


def one_line(text: str) -> str:
    """The first sentence of a command's help ("Import MARC21 records … into a school."),
    without the usage examples after a colon ("Manage schools: `reol school add …`")."""
    text = " ".join(str(text).split())
    found = _FIRST_SENTENCE.match(text)
    sentence = found.group(1) if found else text
    return sentence.split(": `")[0].rstrip(".") + "." if ": `" in sentence else sentence or "–"


def print_help(out: TextIO) -> None:
    commands = get_commands()
    ours = sorted(name for name, app in commands.items() if app.startswith("reol."))
    theirs = sorted(name for name, app in commands.items() if not app.startswith("reol."))
    width = max(len(name) for name in ours) + 2
    out.write(_("Reol's commands (reol COMMAND --help tells more):") + "\n")
    for name in ours:
        command = load_command_class(commands[name], name)
        out.write(f"  {name:<{width}}{one_line(_(str(command.help)))}\n")
    out.write("\n" + _("Django's commands, for operators and developers:") + "\n")
    out.write(
        textwrap.fill(", ".join(theirs), width=96, initial_indent="  ", subsequent_indent="  ")
    )
    out.write("\n")
