"""Search beyond the school: every external target asked at once, each with its own time-out.

The local results never wait for this: the page asks for this part after it has shown them
(an htmx fragment). The targets are asked on a small shared thread pool; each answer is awaited
only until that target's own time-out, counted from the moment it was handed out, so a dead
target costs its time-out and a slow one never holds back a fast one. A target whose breaker
is open is not asked (the page says so). Hits whose ISBN the school already holds are left out.

The worker threads only speak HTTP: the targets are read, the breakers moved and the local
ISBNs looked up in the request's own thread.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from reol.catalog.models import RecordIsbn
from reol.catalog.selectors import GONE
from reol.core.models import School

from . import breaker, connectors
from .connectors import ExternalHit, Found, TargetSpec
from .models import ExternalTarget

POOL = ThreadPoolExecutor(max_workers=16, thread_name_prefix="reol-external")
MAX_TEXT = 200
SOCKET_GRACE = 1.0  # seconds


@dataclass
class TargetAnswer:
    target: ExternalTarget
    total: int = 0  # what the target reports, less the titles held here
    hits: list[ExternalHit] = field(default_factory=list)
    held_here: int = 0
    problem: str = ""  # why there is no answer ("" when it answered)
    resting: bool = False  # its breaker is open: not asked


def targets_for(school: School, *, student: bool) -> list[ExternalTarget]:
    """The targets a school searches (its own and its municipality's); students only see those
    marked for them."""
    found = ExternalTarget.objects.filter(
        Q(school=school) | Q(school__isnull=True, municipality_id=school.municipality_id),
        enabled=True,
    )
    if student:
        found = found.filter(students_see=True)
    return list(found)


def spec(target: ExternalTarget) -> TargetSpec:
    return TargetSpec(
        pk=target.pk,
        name=target.name,
        kind=target.kind,
        connector=target.connector,
        base_url=target.base_url,
        sru_version=target.sru_version,
        # The socket may wait a little longer than the page does: the page's own deadline
        # (``_await``) says "did not answer in time"; the socket's ends the thread after it.
        timeout=target.timeout_ms / 1000 + SOCKET_GRACE,
    )


def _ask_in(language: str, target: TargetSpec, text: str) -> Found:
    with translation.override(language):
        return connectors.ask(target, text)


def held_isbns(school: School, isbns: set[str]) -> set[str]:
    """Which of these ISBN-13s the school has a copy of."""
    if not isbns:
        return set()
    rows = (
        RecordIsbn.objects.filter(isbn13__in=sorted(isbns), record__items__school=school)
        .exclude(record__items__status__in=GONE)
        .values_list("isbn13", flat=True)
    )
    return set(rows)


def search_beyond(school: School, text: str, *, student: bool = False) -> list[TargetAnswer]:
    text = " ".join(text.split())[:MAX_TEXT]
    answers = [TargetAnswer(t) for t in targets_for(school, student=student)]
    if not text:
        return []
    language = translation.get_language() or "en"
    started: dict[int, tuple[float, Future[Found]]] = {}
    for answer in answers:
        if not breaker.may_ask(answer.target):
            answer.resting = True
            answer.problem = _("%(target)s is not answering; we will try again in a while.") % {
                "target": answer.target.name
            }
            continue
        future = POOL.submit(_ask_in, language, spec(answer.target), text)
        started[answer.target.pk] = (time.monotonic(), future)
    for answer in answers:
        if answer.target.pk in started:
            _await(answer, *started[answer.target.pk])
    _leave_out_held(school, answers)
    return answers


def _await(answer: TargetAnswer, since: float, future: Future[Found]) -> None:
    target = answer.target
    remaining = max(0.0, since + target.timeout_ms / 1000 - time.monotonic())
    try:
        found = future.result(timeout=remaining)
    except FutureTimeout:
        future.cancel()
        answer.problem = _("%(target)s did not answer in time.") % {"target": target.name}
        breaker.failed(target)
    except connectors.ConnectorError as error:
        answer.problem = str(error)
        breaker.failed(target)
    else:
        answer.total, answer.hits = found.total, found.hits
        breaker.succeeded(target)


def _leave_out_held(school: School, answers: list[TargetAnswer]) -> None:
    held = held_isbns(school, {i for a in answers for h in a.hits for i in h.isbns})
    for answer in answers:
        kept = [h for h in answer.hits if not held.intersection(h.isbns)]
        answer.held_here = len(answer.hits) - len(kept)
        answer.hits = kept
        answer.total = max(0, answer.total - answer.held_here)
