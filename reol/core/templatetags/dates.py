"""``{{ starts|days:ends }}``: a span of days written the one way (``core.formats.days``)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from reol.core.formats import days as written_days

register = template.Library()


def _day(value: dt.date | None) -> dt.date | None:
    if isinstance(value, dt.datetime):  # a moment (a loan's return): its day where we are
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@register.filter
def days(starts: dt.date | None, ends: dt.date | None) -> str:
    first = _day(starts)
    return "" if first is None else written_days(first, _day(ends))
