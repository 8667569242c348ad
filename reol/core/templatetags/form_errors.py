"""``{% error_summary %}``: after a form comes back with errors, a summary at the top of the page.

base.html puts it at the top of ``<main>``; reol.js moves the focus to it, so a keyboard or
screen-reader user hears at once what went wrong, and each line links to its field (the field
shows its own error too, and keeps what was typed). It finds the forms in the page's context
itself, so no view has to hand them over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""
    field_id: str = ""


def _forms_in(context: template.Context) -> list[forms.BaseForm]:
    found: list[forms.BaseForm] = []
    for value in context.flatten().values():
        candidates = value if isinstance(value, list | tuple) else [value]
        for candidate in candidates:
            if isinstance(candidate, forms.BaseForm) and candidate not in found:
                found.append(candidate)
    return found


def problems(context: template.Context) -> list[Problem]:
    """Each error of each bound form in the context, in the order of the fields."""
    listed: list[Problem] = []
    for form in _forms_in(context):
        if not form.is_bound or not form.errors:
            continue
        listed.extend(Problem(str(m)) for m in form.non_field_errors())
        for name, field in form.fields.items():
            bound = form[name]
            for message in bound.errors:
                field_id = "" if field.widget.is_hidden else bound.id_for_label
                listed.append(Problem(str(message), str(bound.label or ""), field_id))
    return listed


@register.inclusion_tag("core/_error_summary.html", takes_context=True)
def error_summary(context: template.Context) -> dict[str, Any]:
    return {"problems": problems(context)}


@register.filter
def has_required(form: Any) -> bool:
    """True when a form shows a required field (its labels then carry the asterisk): as Django
    marks one ``required``, so a choice that cannot be left empty (a select with no blank
    option, "My language") is not one."""
    if not isinstance(form, forms.BaseForm) or not form.use_required_attribute:
        return False
    return any(
        form[name].field.required
        and not form[name].field.widget.is_hidden
        and form[name].field.widget.use_required_attribute(form[name].initial)
        for name in form.fields
    )
