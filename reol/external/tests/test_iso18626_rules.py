"""The endpoint refuses what ISO 18626 does not allow, with the standard's ErrorData, and a
partner posting too fast is told to wait.

Each case starts from a well-formed message (written by ``iso18626``, as a partner's system
would) and breaks one thing: an element removed or emptied, a value outside the standard's
lists, a date that is not one, the message cut short. The answer names the error type and the
element; the request the message is about does not move.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from reol.core.permissions import SYSTEM
from reol.external import exchange, ill, iso18626, throttle
from reol.external.models import ExternalTarget, IllRequest, PartnerRequest
from reol.external.services import save_target
from reol.external.states import IllState

TOKEN = "county-token"
ENDPOINT = "/external/iso18626/"


@pytest.fixture
def county(world):  # type: ignore[no-untyped-def]
    target = save_target(
        SYSTEM, world.school_a, name="Amtsbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-751000",
    )  # fmt: skip
    target.partner_token_hash = exchange.digest(TOKEN)
    target.save()
    asked = ill.request_loan(world.teacher_a, world.school_a, target=target, title="Fjeldets dyr")
    asked = ill.mark_sent(world.librarian_a, ill.approve(world.librarian_a, asked))
    return target, asked


def _supplying(asked: IllRequest) -> str:
    header = iso18626.Header(
        supplying="DK-751000", requesting="nord", request_id=f"nord-{asked.pk}"
    )
    due = timezone.localdate() + dt.timedelta(days=20)
    body = iso18626.supplying_message(header, status="ExpectToSupply", due=due, note="Med bilen")
    return body.decode()


def _requesting() -> str:
    header = iso18626.Header(supplying="nord", requesting="DK-751000", request_id="AMT-1")
    return iso18626.requesting_message(header, action="ShippedReturn").decode()


def _request() -> str:
    header = iso18626.Header(supplying="nord", requesting="DK-751000", request_id="AMT-2")
    return iso18626.request(header, title="Fjeldets dyr").decode()


def _without(xml: str, name: str) -> str:
    return re.sub(rf"<{name}>.*?</{name}>", "", xml, count=1, flags=re.S)


def _with(xml: str, name: str, value: str) -> str:
    return re.sub(rf"<{name}>.*?</{name}>", f"<{name}>{value}</{name}>", xml, count=1, flags=re.S)


# (case, message kind, break it, HTTP status, error type, error value)
CASES = [
    ("no timestamp", "s", lambda x: _without(x, "timestamp"), 200,
     "BadlyFormedMessage", "missing header/timestamp"),
    ("no agency id type", "s", lambda x: _without(x, "agencyIdType"), 200,
     "BadlyFormedMessage", "missing header/supplyingAgencyId/agencyIdType"),
    ("empty request id", "s", lambda x: _with(x, "requestingAgencyRequestId", " "), 200,
     "BadlyFormedMessage", "missing header/requestingAgencyRequestId"),
    ("no header", "s", lambda x: _without(x, "header"), 200,
     "BadlyFormedMessage", "missing header"),
    ("no statusInfo", "s", lambda x: _without(x, "statusInfo"), 200,
     "BadlyFormedMessage", "missing statusInfo/status"),
    ("no lastChange", "s", lambda x: _without(x, "lastChange"), 200,
     "BadlyFormedMessage", "missing statusInfo/lastChange"),
    ("no reason", "s", lambda x: _without(x, "messageInfo"), 200,
     "BadlyFormedMessage", "missing messageInfo/reasonForMessage"),
    ("unknown reason", "s", lambda x: _with(x, "reasonForMessage", "BecauseISaySo"), 200,
     "UnsupportedReasonForMessageType", "messageInfo/reasonForMessage BecauseISaySo"),
    ("unknown status", "s", lambda x: _with(x, "status", "Lent"), 200,
     "UnrecognisedDataValue", "status Lent"),
    ("due date not a date", "s", lambda x: _with(x, "dueDate", "next week"), 200,
     "UnrecognisedDataValue", "statusInfo/dueDate next week"),
    ("timestamp not a time", "s", lambda x: _with(x, "timestamp", "yesterday"), 200,
     "UnrecognisedDataValue", "header/timestamp yesterday"),
    ("answer neither Y nor N", "s",
     lambda x: x.replace("</note>", "</note><answerYesNo>Maybe</answerYesNo>"),
     200, "UnrecognisedDataValue", "messageInfo/answerYesNo Maybe"),
    ("unknown action", "r", lambda x: _with(x, "action", "Burn"), 200,
     "UnsupportedActionType", "Burn"),
    ("no action", "r", lambda x: _without(x, "action"), 200,
     "BadlyFormedMessage", "missing action"),
    ("request without bibliographicInfo", "q", lambda x: _without(x, "bibliographicInfo"), 200,
     "BadlyFormedMessage", "missing bibliographicInfo"),
    ("unknown service type", "q", lambda x: _with(x, "serviceType", "Steal"), 200,
     "UnrecognisedDataValue", "serviceInfo/serviceType Steal"),
    ("unknown message", "s",
     lambda x: x.replace("supplyingAgencyMessage>", "borrowEverythingMessage>"), 400,
     "UnsupportedActionType", "borrowEverythingMessage"),
    ("cut short", "s", lambda x: x[: len(x) // 2], 400, "BadlyFormedMessage", ""),
    ("empty", "s", lambda x: "", 400, "BadlyFormedMessage", ""),
    ("two messages in one", "s",
     lambda x: x.replace("</ISO18626Message>", "<request/></ISO18626Message>"), 400,
     "BadlyFormedMessage", "not one ISO18626Message"),
    ("another root", "s", lambda x: x.replace("ISO18626Message", "Message"), 400,
     "BadlyFormedMessage", "not one ISO18626Message"),
    ("binary", "s", lambda x: "\x00\x01\x02<<>>", 400, "BadlyFormedMessage", ""),
]  # fmt: skip


def _post(client, body: str, token: str = TOKEN):  # type: ignore[no-untyped-def]
    return client.post(
        ENDPOINT, data=body.encode("utf-8", "surrogateescape"),
        content_type="application/xml", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "breaks", "status", "error_type", "value"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_broken_message_gets_the_standards_error(  # type: ignore[no-untyped-def]
    client, world, county, kind, breaks, status, error_type, value
):
    _target, asked = county
    good = {"s": _supplying(asked), "r": _requesting(), "q": _request()}[kind]
    assert iso18626.parse(good.encode())  # the unbroken message is well formed
    response = _post(client, breaks(good))
    assert response.status_code == status
    answer = iso18626.parse(response.content)
    assert answer.kind.endswith("Confirmation") and not answer.ok
    error, _colon, error_value = answer.error.partition(": ")
    assert error == error_type
    if value:
        assert error_value == value
    if status == 200:  # read far enough to answer in kind
        expected = {"s": "supplyingAgencyMessage", "r": "requestingAgencyMessage", "q": "request"}
        assert answer.kind == iso18626.CONFIRMATIONS[expected[kind]]
    asked.refresh_from_db()
    assert asked.state == IllState.SENT
    assert not PartnerRequest.objects.exists()


@pytest.mark.django_db
def test_the_unbroken_messages_are_accepted(client, world, county):  # type: ignore[no-untyped-def]
    _target, asked = county
    assert iso18626.parse(_post(client, _supplying(asked)).content).ok
    assert iso18626.parse(_post(client, _request()).content).ok
    asked.refresh_from_db()
    assert asked.state == IllState.ACCEPTED


@pytest.mark.django_db
def test_a_partner_over_its_rate_waits_and_others_do_not(client, world, county, settings):  # type: ignore[no-untyped-def]
    settings.REOL_ISO18626_PER_MINUTE = 3
    other = save_target(
        SYSTEM, world.school_a, name="Centralbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-999",
    )  # fmt: skip
    other.partner_token_hash = exchange.digest("other-token")
    other.save()
    for _try in range(3):  # a run that straddles a minute's edge is run again
        ExternalTarget.objects.update(calls_minute=None, calls=0)
        started = timezone.now().replace(second=0, microsecond=0)
        answers = [_post(client, _requesting()) for _n in range(4)]
        theirs = _post(client, _requesting(), token="other-token")
        if timezone.now().replace(second=0, microsecond=0) == started:
            break
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3]["Retry-After"] == "60"
    refused = iso18626.parse(answers[3].content)
    assert not refused.ok and "rate limit: at most 3 messages a minute" in refused.error
    assert theirs.status_code == 200  # another partner has its own count


@pytest.mark.django_db
def test_the_count_starts_again_each_minute(world, county, settings):  # type: ignore[no-untyped-def]
    settings.REOL_ISO18626_PER_MINUTE = 2
    target, _asked = county
    minute = timezone.now().replace(second=0, microsecond=0)
    assert [throttle.admit(target, minute + dt.timedelta(seconds=s)) for s in (1, 2, 50)] == [
        0, 0, 10,
    ]  # fmt: skip
    assert throttle.admit(target, minute + dt.timedelta(seconds=61)) == 0
    assert throttle.admit(target, minute + dt.timedelta(seconds=62)) == 0
    assert throttle.admit(target, minute + dt.timedelta(seconds=63)) == 57
