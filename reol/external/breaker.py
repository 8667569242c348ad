"""A circuit breaker per external target, its state in the database (every worker shares it).

Closed: the target is asked. After ``THRESHOLD`` failures in a row it opens: the target is not
asked (the page says it is resting) until ``COOL_DOWN`` has passed; then it is half-open: one
search, and only one, is let through (the worker that wins a conditional UPDATE re-arms the
timer, so the others still see it open). A success closes it; a failure keeps it open for
another cool-down.

Each change is one UPDATE statement (atomic on its own); nothing here is audited, since it is
the system's view of a partner's health, not anyone's act.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, Value, When
from django.utils import timezone

from .models import ExternalTarget

THRESHOLD = 3
COOL_DOWN = dt.timedelta(seconds=60)


class Breaker:
    CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


def state(target: ExternalTarget, now: dt.datetime | None = None) -> str:
    if target.opened_at is None:
        return Breaker.CLOSED
    now = now or timezone.now()
    return Breaker.HALF_OPEN if now - target.opened_at >= COOL_DOWN else Breaker.OPEN


def may_ask(target: ExternalTarget, now: dt.datetime | None = None) -> bool:
    """Whether this search may ask the target (claims the half-open trial when it is due)."""
    now = now or timezone.now()
    current = state(target, now)
    if current == Breaker.CLOSED:
        return True
    if current == Breaker.OPEN:
        return False
    claimed = ExternalTarget.objects.filter(pk=target.pk, opened_at=target.opened_at).update(
        opened_at=now
    )
    if claimed:
        target.opened_at = now
    return bool(claimed)


def succeeded(target: ExternalTarget) -> None:
    if target.failures or target.opened_at is not None:
        ExternalTarget.objects.filter(pk=target.pk).update(failures=0, opened_at=None)
        target.failures, target.opened_at = 0, None


def failed(target: ExternalTarget, now: dt.datetime | None = None) -> None:
    """One more failure in a row; the breaker opens (again) at the threshold."""
    now = now or timezone.now()
    ExternalTarget.objects.filter(pk=target.pk).update(
        failures=F("failures") + 1,
        opened_at=Case(When(failures__gte=THRESHOLD - 1, then=Value(now)), default=F("opened_at")),
    )
    target.refresh_from_db(fields=["failures", "opened_at"])
