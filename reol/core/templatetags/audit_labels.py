"""``{{ event.action|action_label }}`` and ``{{ event.via|via_label }}`` for the audit log."""

from __future__ import annotations

from django import template

from reol.core import audit

register = template.Library()


@register.filter
def action_label(code: str) -> str:
    return audit.action_label(code)


@register.filter
def via_label(code: str) -> str:
    return audit.via_label(code)
