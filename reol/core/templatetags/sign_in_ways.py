from __future__ import annotations

from django import template
from django.http import HttpRequest

from reol.core import signin

register = template.Library()


@register.simple_tag
def sign_in_ways(request: HttpRequest) -> list[signin.Way]:
    """The other ways in that apps registered (``core.signin.register_ways``)."""
    return signin.ways(request)
