"""Types the apps' API schemas share: ``OneLine`` for every one-line text field.

``title: OneLine = Field("", max_length=200)`` makes the value one line (line breaks and tabs
become a space) and refuses other control characters with a 422, as ``fields.OneLineField``
does on the pages. ``ManyLines`` keeps the line breaks and refuses the other controls.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from .text import LINE_BREAKS, has_controls

CONTROLS_ERROR = "control characters (such as NUL or ESC) are not allowed"


def _no_controls(value: str) -> str:
    if has_controls(value):
        raise ValueError(CONTROLS_ERROR)
    return value


def _one_line(value: str) -> str:
    return _no_controls(LINE_BREAKS.sub(" ", value).strip())


OneLine = Annotated[str, AfterValidator(_one_line)]
ManyLines = Annotated[str, AfterValidator(_no_controls)]
