"""What the desk asks after a check-in, for the apps built on circulation: a registry, so the
desk never imports them (technology sits above circulation on the ladder).

An app registers a *check-in follow-up* in its ``AppConfig.ready()``::

    from reol.circulation.followups import register_checkin_followup
    register_checkin_followup(accessories_question)

A follow-up is called with the finished check-in (``actions.loans.CheckinResult``, after its
transaction) and answers the desk's links to offer — (label, address) pairs, e.g. "Which
accessories came back?" — or an empty list. It only reads: what it asks is recorded by its own
page through its own service. It must be cheap for an ordinary book (no query unless the copy
is its kind).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .actions.loans import CheckinResult

CheckinFollowUp = Callable[["CheckinResult"], list[tuple[str, str]]]

_followups: list[CheckinFollowUp] = []


def register_checkin_followup(followup: CheckinFollowUp) -> None:
    if followup not in _followups:
        _followups.append(followup)


def checkin_followups(result: CheckinResult) -> list[tuple[str, str]]:
    """Every registered follow-up's links for this check-in, in registration order."""
    links: list[tuple[str, str]] = []
    for followup in _followups:
        links += followup(result)
    return links
