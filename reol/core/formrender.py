"""The form renderer of every form (settings.FORM_RENDERER): required fields say so.

A required field carries ``required`` (the browser's own check) and ``aria-required="true"``
(what a screen reader announces even where the browser's check is off); the stylesheet marks its
label with an asterisk, and ``core/_fields.html`` says once what the asterisk means.
"""

from __future__ import annotations

from typing import Any

from django.forms.boundfield import BoundField
from django.forms.renderers import DjangoTemplates


class AccessibleBoundField(BoundField):
    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        if attrs.get("required"):
            attrs.setdefault("aria-required", "true")
        return attrs


class FormRenderer(DjangoTemplates):
    bound_field_class = AccessibleBoundField
