"""How many messages a partner may post to our ISO 18626 endpoint: at most
``REOL_ISO18626_PER_MINUTE`` (default 120) in a calendar minute, counted per partner in the
database, so every web worker shares the count (as the sign-in throttle and the circuit breaker
do). The sign-in throttle itself does not fit: it counts failures of a person from an address
and slows them down; a partner is one known system, and every message counts.

Each call is one or two conditional UPDATE statements, atomic on their own: a new minute starts
the count at 1; within the minute the count grows only while under the limit. No row lock is
held, and nothing is audited (it is the system's bookkeeping, not anyone's act).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .models import ExternalTarget


def per_minute() -> int:
    return int(getattr(settings, "REOL_ISO18626_PER_MINUTE", 120))


def admit(partner: ExternalTarget, now: dt.datetime | None = None) -> int:
    """0 when the partner's message may be read; else the seconds until the next minute."""
    now = now or timezone.now()
    minute = now.replace(second=0, microsecond=0)
    rows = ExternalTarget.objects.filter(pk=partner.pk)
    if rows.filter(Q(calls_minute__isnull=True) | Q(calls_minute__lt=minute)).update(
        calls_minute=minute, calls=1
    ):
        return 0
    if rows.filter(calls_minute=minute, calls__lt=per_minute()).update(calls=F("calls") + 1):
        return 0
    return max(1, 60 - now.second)
