"""A scan whose answer is lost never happens twice: requests with an idempotency key.

The desk's page sends every scan with a key of its own (``Idempotency-Key``, a random string
made when the code was scanned) and sends it again with the same key when no answer came back;
the API's checkout, check-in and renew accept the same header. ``once`` runs the action and
records its answer under the key in the same transaction; when the key comes again, the
recorded answer is replayed and nothing is done. Two requests with one key racing: the unique
constraint (``RequestAnswer``: one row per person and key) lets one record its answer; the
other's transaction is rolled back and it replays the winner's answer. Keys are per person, so
nobody can read another's answers by guessing a key, and they are kept for ``KEEP`` (pruned
at most every ``PRUNE_EVERY`` by the process that records one).

A key sent again with another request (another copy, another patron) is refused: it is a fault
in the client, and guessing which of the two was meant could lend the wrong book.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from reol.core.models import User

from .errors import CirculationError
from .models import RequestAnswer

HEADER = "Idempotency-Key"
MAX_KEY = 100
KEEP = dt.timedelta(hours=24)
PRUNE_EVERY = dt.timedelta(minutes=10)

_last_pruned: list[dt.datetime] = []  # per process: when this process last pruned


@dataclass(frozen=True)
class Outcome:
    status: int
    answer: Any  # JSON: what the action answered (or its recorded copy)
    replayed: bool = False


def key_of(request: HttpRequest) -> str:
    """The request's idempotency key ("" when it has none); a malformed one is refused."""
    key = request.headers.get(HEADER, "").strip()
    if len(key) > MAX_KEY or not all(" " < c < "\x7f" for c in key):
        raise CirculationError(
            "bad_idempotency_key",
            _("The Idempotency-Key must be 1 to %(n)s visible ASCII characters.") % {"n": MAX_KEY},
            status=422,
        )
    return key


def fingerprint(*parts: Any) -> str:
    """A digest of what a request asked, to tell a retry from another request with one key."""
    text = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


class _Taken(Exception):
    """Another request with the same key recorded its answer first."""


def once(actor: User, key: str, asked: str, act: Callable[[], Outcome]) -> Outcome:
    """Run ``act`` (which answers rather than raises) once for ``actor``'s ``key``.

    ``asked`` is the request's ``fingerprint``. Without a key, ``act`` simply runs. With one,
    the action and the record of its answer are one transaction; a key already answered
    replays that answer.
    """
    if not key:
        return act()
    try:
        with transaction.atomic():
            found = _recorded(actor, key, asked)
            if found is not None:
                return found
            outcome = act()
            try:
                RequestAnswer.objects.create(
                    actor=actor,
                    key=key,
                    fingerprint=asked,
                    status=outcome.status,
                    answer=_json(outcome.answer),
                )
            except IntegrityError as error:
                raise _Taken from error  # leaves the block: the action is rolled back
            _prune()
            return outcome
    except _Taken:
        found = _recorded(actor, key, asked)
        if found is None:  # the winner's row has gone (pruned): nothing to replay
            raise
        return found


def _recorded(actor: User, key: str, asked: str) -> Outcome | None:
    row = (
        RequestAnswer.objects.filter(actor=actor, key=key)
        .values_list("fingerprint", "status", "answer")
        .first()
    )
    if row is None:
        return None
    if row[0] != asked:
        raise CirculationError(
            "idempotency_key_reused",
            _("This Idempotency-Key was already used for another request."),
            status=422,
        )
    return Outcome(row[1], row[2], replayed=True)


def _json(answer: Any) -> Any:
    """The answer as JSON values (dates as ISO strings), as it is stored and replayed."""
    return json.loads(json.dumps(answer, cls=DjangoJSONEncoder))


def _prune(now: dt.datetime | None = None) -> int:
    """Forget answers older than ``KEEP``, at most once every ``PRUNE_EVERY`` per process."""
    now = now or timezone.now()
    if _last_pruned and now - _last_pruned[0] < PRUNE_EVERY:
        return 0
    _last_pruned[:] = [now]
    deleted, _rows = RequestAnswer.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted
