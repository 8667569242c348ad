"""The form renderer of every form (settings.FORM_RENDERER): required fields say so.

A required field carries ``required`` (the browser's own check) and ``aria-required="true"``
(what a screen reader announces even where the browser's check is off); the stylesheet marks its
label with an asterisk, and ``core/_fields.html`` says once what the asterisk means.
"""

from __future__ import annotations

from typing import Any

from django.forms import ChoiceField, ModelChoiceField
from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _

# The choice of nothing in a select, the one way everywhere (Django's default is "---------").
NO_CHOICE = _("– none –")
DJANGO_BLANK = "---------"


class AccessibleBoundField(BoundField):
    def __init__(self, form: Any, field: Any, name: str) -> None:
        # The form's own copy of the field: a select's blank choice reads ``NO_CHOICE`` unless
        # the form names one of its own ("— choose —", "The whole school").
        if isinstance(field, ModelChoiceField) and field.empty_label == DJANGO_BLANK:
            field.empty_label = NO_CHOICE
        elif isinstance(field, ChoiceField) and not isinstance(field, ModelChoiceField):
            choices: list[Any] = list(field.choices)  # type: ignore[arg-type]
            if any(value == "" and label == DJANGO_BLANK for value, label in choices):
                field.choices = [
                    (value, NO_CHOICE if value == "" and label == DJANGO_BLANK else label)
                    for value, label in choices
                ]
        super().__init__(form, field, name)

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if attrs.get("required"):
            attrs.setdefault("aria-required", "true")
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = AccessibleBoundField
