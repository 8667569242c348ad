"""Messages to a partner that is down are kept and sent again, in order, once accepted.

A real HTTP server on 127.0.0.1 plays the partner: it answers what the test scripts (503, a
hang past our time-out, an ISO 18626 confirmation OK or ERROR) and keeps every body it was
sent. A closed port plays a partner whose machine is off (connection refused). Time is given to
``outbox.deliver`` as an argument, never waited for.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.core.permissions import SYSTEM
from reol.external import iso18626, outbox
from reol.external.models import ExternalTarget, OutgoingMessage
from reol.external.services import save_target

OK = iso18626.confirmation("supplyingAgencyMessage", iso18626.Header(supplying="x"))
REFUSED = iso18626.confirmation(
    "supplyingAgencyMessage", iso18626.Header(), error_type="UnrecognisedDataValue",
    error_value="requestingAgencyRequestId AMT-1",
)  # fmt: skip


@dataclass
class Partner:
    url: str
    script: list[str] = field(default_factory=list)  # "503", "hang", "error"; then OK
    received: list[str] = field(default_factory=list)  # bodies accepted (OK answered)
    hits: int = 0
    release: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def partner() -> Iterator[Partner]:
    state = Partner(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.hits += 1
            step = state.script.pop(0) if state.script else "ok"
            if step == "hang":
                state.release.wait(30)
                return
            status, answer = {"503": (503, b"busy"), "error": (200, REFUSED)}.get(step, (200, OK))
            if step == "ok":
                state.received.append(body.decode())
            self.send_response(status)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/iso18626/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    state.release.set()
    server.shutdown()
    server.server_close()


def _target(world, url: str, timeout_ms: int = 10000) -> ExternalTarget:  # type: ignore[no-untyped-def]
    return save_target(
        SYSTEM, world.school_a, name="Amtsbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626", iso18626_url=url,
        lender_symbol="DK-751000", timeout_ms=timeout_ms,
    )  # fmt: skip


def _put(world, target: ExternalTarget, what: str, conversation: str = "AMT-1") -> OutgoingMessage:  # type: ignore[no-untyped-def]
    header = iso18626.Header(supplying="nord", requesting="DK-751000", request_id=conversation)
    body = iso18626.supplying_message(header, status=what)
    with transaction.atomic():
        return outbox.put(
            target, world.school_a, conversation, body, kind="supplyingAgencyMessage", what=what
        )


def _states(*messages: OutgoingMessage) -> list[tuple[str, int]]:
    for message in messages:
        message.refresh_from_db()
    return [(m.state, m.attempts) for m in messages]


@pytest.mark.django_db
def test_a_refused_connection_keeps_the_message_until_the_partner_is_up(world, partner):  # type: ignore[no-untyped-def]
    target = _target(world, "http://127.0.0.1:9/iso18626/")  # nothing listens there
    first, second = _put(world, target, "WillSupply"), _put(world, target, "Loaned")
    now = timezone.now()
    assert outbox.deliver(target.pk, "AMT-1", now=now) == 0
    assert _states(first, second) == [("pending", 1), ("pending", 0)]  # the second waits
    assert first.last_error and first.next_try_at == now + outbox.BACKOFF[0]
    target.iso18626_url = partner.url  # the partner's machine is back
    target.save()
    assert outbox.deliver(target.pk, "AMT-1", now=now + dt.timedelta(seconds=30)) == 0  # not yet
    assert partner.hits == 0
    assert outbox.deliver_due(now=now + outbox.BACKOFF[0]) == 2
    assert _states(first, second) == [("sent", 2), ("sent", 1)]
    assert ["WillSupply" in partner.received[0], "Loaned" in partner.received[1]] == [True, True]
    assert outbox.deliver_due(now=now + dt.timedelta(days=1)) == 0  # accepted: never again
    assert partner.hits == 2


@pytest.mark.django_db
def test_busy_and_hanging_partners_back_off_then_fail_and_the_staff_see_why(  # type: ignore[no-untyped-def]
    client, world, partner
):
    partner.script = ["503"] * 5
    target = _target(world, partner.url)
    message = _put(world, target, "Loaned")
    now = timezone.now()
    for attempt, wait in enumerate(outbox.BACKOFF, start=1):
        assert outbox.deliver(target.pk, "AMT-1", now=now) == 0
        message.refresh_from_db()
        assert (message.state, message.attempts) == ("pending", attempt)
        assert message.next_try_at == now + wait
        now += wait
    assert "HTTP 503" in message.last_error
    assert outbox.deliver(target.pk, "AMT-1", now=now) == 0
    assert _states(message) == [("failed", 5)]
    assert outbox.deliver_due(now=now + dt.timedelta(days=1)) == 0  # failed waits for a person
    assert partner.hits == 5 and partner.received == []

    client.login(username="bib-a", password=PASSWORD)
    page = client.get(reverse("external-lending")).content.decode()
    assert "HTTP 503" in page and "AMT-1" in page
    client.login(username="bib-b", password=PASSWORD)  # another school: not theirs to retry
    assert client.post(reverse("external-retry-message", args=[message.pk])).status_code == 404
    client.login(username="bib-a", password=PASSWORD)
    client.post(reverse("external-retry-message", args=[message.pk]))
    assert _states(message) == [("pending", 0)]
    assert outbox.deliver(target.pk, "AMT-1") == 1
    assert _states(message) == [("sent", 1)]
    assert len(partner.received) == 1


@pytest.mark.django_db
def test_a_partner_that_never_answers_times_out_and_is_asked_again(world, partner):  # type: ignore[no-untyped-def]
    partner.script = ["hang"]  # it answers nothing until the test ends
    target = _target(world, partner.url, timeout_ms=200)
    message = _put(world, target, "Loaned")
    now = timezone.now()
    assert outbox.deliver(target.pk, "AMT-1", now=now) == 0
    assert _states(message) == [("pending", 1)]
    assert "timed out" in message.last_error.lower()
    target.timeout_ms = 10000
    target.save()
    assert outbox.deliver(target.pk, "AMT-1", now=now + outbox.BACKOFF[0]) == 1
    assert _states(message) == [("sent", 2)]


@pytest.mark.django_db
def test_a_refusal_in_the_confirmation_fails_at_once_and_holds_back_the_rest(world, partner):  # type: ignore[no-untyped-def]
    partner.script = ["error"]
    target = _target(world, partner.url)
    refused, later = _put(world, target, "WillSupply"), _put(world, target, "Loaned")
    other = _put(world, target, "Unfilled", conversation="AMT-2")  # another request goes on
    assert outbox.deliver(target.pk, "AMT-1") == 0
    assert outbox.deliver(target.pk, "AMT-2") == 1
    assert _states(refused, later, other) == [("failed", 1), ("pending", 0), ("sent", 1)]
    assert refused.last_error.startswith("UnrecognisedDataValue")


@pytest.mark.django_db
def test_two_workers_never_send_one_message_twice(world, partner):  # type: ignore[no-untyped-def]
    target = _target(world, partner.url)
    message = _put(world, target, "Loaned")
    stale = OutgoingMessage.objects.get(pk=message.pk)
    now = timezone.now()
    assert outbox._claim(stale, now)  # the first worker claims it
    assert not outbox._claim(stale, now)  # the second, reading the same row, does not
    assert outbox.deliver(target.pk, "AMT-1", now=now) == 0  # claimed: left alone…
    assert outbox.deliver(target.pk, "AMT-1", now=now + outbox.LEASE) == 1  # …until its lease ends
    assert partner.hits == 1
