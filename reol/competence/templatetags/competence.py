from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    """``mapping|get:key``: the value, or None."""
    return mapping.get(key) if isinstance(mapping, dict) else None
