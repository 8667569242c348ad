"""Form fields every app's forms share: ``OneLineField`` for every one-line text input.

A one-line input (a title, a name, a code) is made one line at the door: a line break or tab
pasted into it becomes a space (people paste names from spreadsheets), and a control character
that has no business in text (NUL, ESC, …) is refused with a message. The API's schemas do the
same through ``reol.core.schemas.OneLine``; see ``reol.core.text.one_line``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import LINE_BREAKS, has_controls

CONTROLS_MESSAGE = _("Remove the control characters (such as NUL or ESC) from this text.")


def refuse_controls(value: str) -> None:
    """A validator: no control characters other than line breaks and tabs."""
    if isinstance(value, str) and has_controls(value):
        raise ValidationError(CONTROLS_MESSAGE, code="control_characters")


class OneLineField(forms.CharField):
    """A ``CharField`` whose value is one line (see the module's docstring)."""

    default_validators = [refuse_controls]

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = LINE_BREAKS.sub(" ", value)
        return super().to_python(value)


class ManyLinesField(forms.CharField):
    """A ``CharField`` of many lines (a textarea): line breaks are kept, other control
    characters are refused."""

    default_validators = [refuse_controls]
