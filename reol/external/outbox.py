"""Messages to partners that survive the partner being down.

``put`` keeps a message (an ``OutgoingMessage``, pending) in the caller's transaction, beside
the change it tells of, and queues its delivery on the task queue once that commits. ``deliver``
sends one request's pending messages in the order they were written, each until the partner
accepts it; a partner that is down (no connection, a time-out, HTTP 5xx or 429) is asked again
after ``BACKOFF`` (1, 5, 15, 60 minutes), then the message is "failed" and the staff see the
partner's error (``retry`` puts it back in line). A refusal in the partner's confirmation
(ERROR) fails it at once: sending the same message again would not change the answer.

Exactly once accepted: a message is claimed by a conditional UPDATE (pending → sending) before
the HTTP call, so two workers never send it at once, and once accepted it is never sent again.
A worker that dies after claiming leaves it "sending" until ``LEASE`` has passed; then it is
sent again (the partner may see it twice: ISO 18626 receivers answer a repeat with OK, as
``exchange.receive`` does). Later messages of the same request wait behind an undelivered one.
No HTTP call is made inside a transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import default_task_backend, task

from reol.core import audit
from reol.core import tasks as queue
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import iso18626
from .models import ExternalTarget, OutgoingMessage
from .models import OutgoingState as O

BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(minutes=60),
)
LEASE = dt.timedelta(minutes=2)
UNDELIVERED = (O.PENDING, O.SENDING, O.FAILED)


def put(
    partner: ExternalTarget, school: School, conversation: str, body: bytes, *, kind: str,
    what: str,
) -> OutgoingMessage:  # fmt: skip
    """Keep a message for ``partner`` (call inside the transaction of the change it tells of)."""
    message = OutgoingMessage.objects.create(
        partner=partner, school=school, conversation=conversation[:64], kind=kind,
        what=what[:60], body=body.decode("utf-8"), next_try_at=timezone.now(),
    )  # fmt: skip
    queue.enqueue_on_commit(deliver_task, partner.pk, message.conversation)
    return message


def _head(partner_id: int, conversation: str) -> OutgoingMessage | None:
    """The first message of the request not yet accepted (the one the others wait behind)."""
    return (
        OutgoingMessage.objects.filter(
            partner_id=partner_id, conversation=conversation, state__in=UNDELIVERED
        )
        .select_related("partner")
        .order_by("pk")
        .first()
    )


def _claim(message: OutgoingMessage, now: dt.datetime) -> bool:
    """Pending (or sending, its lease run out) → sending, by this worker only."""
    if message.state == O.FAILED or message.next_try_at > now:
        return False
    return bool(
        OutgoingMessage.objects.filter(
            pk=message.pk, state=message.state, next_try_at=message.next_try_at
        ).update(state=O.SENDING, next_try_at=now + LEASE, attempts=F("attempts") + 1)
    )


def _send(message: OutgoingMessage) -> tuple[bool, bool, str]:
    """One HTTP call: (accepted, worth trying again, the partner's error)."""
    partner = message.partner
    try:
        answer = iso18626.post(
            partner.iso18626_url, partner.outgoing_token, message.body.encode("utf-8"),
            timeout_ms=partner.timeout_ms,
        )  # fmt: skip
    except iso18626.PartnerUnreachable as error:
        return False, error.transient, str(error)
    return answer.ok, False, "" if answer.ok else (answer.error or "ERROR")


def _settle(message: OutgoingMessage, now: dt.datetime, outcome: tuple[bool, bool, str]) -> str:
    accepted, again, error = outcome
    message.refresh_from_db(fields=["attempts"])
    if accepted:
        state, message.sent_at, error = O.SENT, timezone.now(), ""
    elif again and message.attempts <= len(BACKOFF):
        state = O.PENDING
        message.next_try_at = now + BACKOFF[message.attempts - 1]
    else:
        state = O.FAILED
    message.state, message.last_error = state, error[:300]
    message.save(update_fields=["state", "sent_at", "next_try_at", "last_error"])
    return state


def deliver(partner_id: int, conversation: str, *, now: dt.datetime | None = None) -> int:
    """Send the request's messages that are due, in order; the number the partner accepted."""
    now = now or timezone.now()
    accepted = 0
    while (message := _head(partner_id, conversation)) is not None and _claim(message, now):
        state = _settle(message, now, _send(message))
        if state != O.SENT:
            if state == O.PENDING:
                _again_later(partner_id, conversation, message.next_try_at)
            break
        accepted += 1
    return accepted


def _again_later(partner_id: int, conversation: str, when: dt.datetime) -> None:
    """Queue the next try for ``when`` (a backend that cannot wait leaves it to ``deliver_due``)."""
    if default_task_backend.supports_defer:
        deliver_task.using(run_after=when).enqueue(partner_id, conversation)


def deliver_due(*, now: dt.datetime | None = None) -> int:
    """Every request with a message due (a sweep behind the queued retries)."""
    now = now or timezone.now()
    due = (
        OutgoingMessage.objects.filter(state__in=(O.PENDING, O.SENDING), next_try_at__lte=now)
        .values_list("partner_id", "conversation")
        .distinct()
    )
    return sum(deliver(partner_id, conversation, now=now) for partner_id, conversation in due)


@task()
def deliver_task(partner_id: int, conversation: str) -> int:
    return deliver(partner_id, conversation)


def of_school(school: School) -> QuerySet[OutgoingMessage]:
    return OutgoingMessage.objects.filter(school=school).select_related("partner")


@transaction.atomic
def retry(actor: Actor, message: OutgoingMessage) -> OutgoingMessage:
    """The librarian puts a failed message back in line (the partner is up again)."""
    require(actor, Perm.EXTERNAL_MANAGE, message.school)
    locked = OutgoingMessage.objects.select_for_update().get(pk=message.pk)
    if locked.state != O.FAILED:
        raise ValidationError(_("Only a message that was not delivered can be sent again."))
    locked.state, locked.attempts, locked.next_try_at = O.PENDING, 0, timezone.now()
    locked.save(update_fields=["state", "attempts", "next_try_at"])
    audit.record(
        actor, "ill.message_retry", locked, school=locked.school,
        details={"partner": locked.partner.name, "what": locked.what},
    )  # fmt: skip
    queue.enqueue_on_commit(deliver_task, locked.partner_id, locked.conversation)
    return locked
