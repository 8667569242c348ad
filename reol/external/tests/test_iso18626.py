"""ISO 18626 exchanged with partners, not only downloaded.

The strongest test: two Reol installations talking over HTTP. Nordskolen (Solbjerg) borrows
from Hovedbiblioteket (Fjordby, another municipality: another installation for all either
knows), through the live test server's ``/external/iso18626/``: our request is POSTed, the
lender's librarian answers in its own Reol (will supply, lent until a date) and each answer
arrives here as a ``supplyingAgencyMessage`` that moves our request; we send it back
(``ShippedReturn``) and the lender closes it (``LoanCompleted``). Then messages shaped like
another system's (default namespace, a ``schemaLocation``, elements Reol does not use), and
the refusals: no or a wrong token, another partner's request, an oversized or hostile body.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import ItemStatus
from reol.core import services as core
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.external import exchange, ill, iso18626
from reol.external.models import IllRequest, OutgoingMessage, PartnerRequest
from reol.external.models import PartnerRequestState as P
from reol.external.services import save_target
from reol.external.states import IllState

from .conftest import VOLCANO_ISBN

S = IllState
TO_HOVED = "token-nord-shows-hoved"  # Nordskolen shows it to Hovedbiblioteket
TO_NORD = "token-hoved-shows-nord"
ENDPOINT = "/external/iso18626/"


def _peers(world, url: str):  # type: ignore[no-untyped-def]
    """Each side's partner row for the other (tokens crossed), and the lender's librarian."""
    fjordby = core.create_municipality(SYSTEM, code="fjordbib", name="Fjordby Bibliotekerne")
    hoved = core.create_school(SYSTEM, municipality=fjordby, code="hoved", name="Hovedbiblioteket")
    lender = core.create_person(
        SYSTEM,
        hoved,
        username="bib-hoved",
        role="librarian",
        password=PASSWORD,
        first_name="Hanne",
    )
    ours = save_target(
        SYSTEM, world.school_a, name="Hovedbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626", iso18626_url=url,
        lender_symbol="hoved", outgoing_token=TO_HOVED, timeout_ms=10000,
    )  # fmt: skip
    theirs = save_target(
        SYSTEM, hoved, name="Nordskolen (Solbjerg)", kind="school",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626", iso18626_url=url,
        lender_symbol="nord", outgoing_token=TO_NORD, timeout_ms=10000,
    )  # fmt: skip
    ours.partner_token_hash = exchange.digest(TO_NORD)
    ours.save()
    theirs.partner_token_hash = exchange.digest(TO_HOVED)
    theirs.save()
    return ours, theirs, lender


def _ask(world, target) -> IllRequest:  # type: ignore[no-untyped-def]
    asked = ill.request_loan(
        world.teacher_a, world.school_a, target=target, title="Vulkaner i Island",
        author="Lava, Lise", isbn=VOLCANO_ISBN, year=2021, note="til Ida i 7.b",
    )  # fmt: skip
    return ill.approve(world.librarian_a, asked)


def _fresh(loan: IllRequest) -> IllRequest:
    return IllRequest.objects.select_related("school", "target").get(pk=loan.pk)


@pytest.mark.django_db(transaction=True)
def test_two_reols_lend_to_each_other_over_http(world, live_server):  # type: ignore[no-untyped-def]
    ours, theirs, lender = _peers(world, live_server.url + ENDPOINT)
    asked = _ask(world, ours)

    asked = exchange.send(world.librarian_a, asked)
    assert asked.state == S.SENT
    (theirs_asked,) = PartnerRequest.objects.filter(partner=theirs)
    assert theirs_asked.their_id == f"nord-{asked.pk}"
    assert (theirs_asked.title, theirs_asked.isbn, theirs_asked.state) == (
        "Vulkaner i Island", VOLCANO_ISBN, P.NEW,
    )  # fmt: skip
    assert theirs_asked.school.code == "hoved"
    assert "Ida" not in theirs_asked.title + theirs_asked.author  # who asked never leaves

    exchange.answer_partner(lender, theirs_asked, P.WILL_SUPPLY, note="Kommer med næste bil")
    asked.refresh_from_db()
    assert asked.state == S.ACCEPTED
    assert asked.lender_note == "Kommer med næste bil"
    assert asked.lender_reference == f"hoved-p{theirs_asked.pk}"

    due = timezone.localdate() + dt.timedelta(days=28)
    (copy,) = catalog.add_items(
        SYSTEM, _hoved_record(theirs_asked), theirs_asked.school, barcodes=["HOV-1"]
    )
    exchange.answer_partner(lender, theirs_asked, P.LOANED, due=due, barcode="HOV-1")
    asked.refresh_from_db()
    assert (asked.state, asked.lender_due) == (S.SHIPPED, due)
    copy.refresh_from_db()
    assert copy.status == ItemStatus.ON_LOAN  # lent to Nordskolen, through circulation
    assert AuditEvent.objects.filter(action="ill.shipped", object_id=str(asked.pk)).exists()

    asked = ill.receive(world.librarian_a, asked, lender_due=asked.lender_due, barcode="ILL-H1")
    asked, problem = exchange.send_back(world.librarian_a, asked)
    assert (asked.state, problem) == (S.SENT_BACK, "")
    theirs_asked.refresh_from_db()
    assert theirs_asked.state == P.RETURNED
    copy.refresh_from_db()
    assert copy.status == ItemStatus.AVAILABLE  # checked in when Nordskolen said it shipped it
    assert not OutgoingMessage.objects.exclude(state="sent").exists()

    exchange.answer_partner(lender, theirs_asked, P.COMPLETED)  # LoanCompleted: nothing moves
    asked.refresh_from_db()
    assert asked.state == S.SENT_BACK


@pytest.mark.django_db(transaction=True)
def test_a_refusing_partner_fails_the_message_with_its_error(world, live_server):  # type: ignore[no-untyped-def]
    ours, _theirs, _lender = _peers(world, live_server.url + ENDPOINT)
    for change, refusal in (
        ({"outgoing_token": "not-the-token"}, "unknown partner"),
        ({"outgoing_token": TO_HOVED, "lender_symbol": "nobody"}, "UnrecognisedDataValue"),
    ):
        for name, value in change.items():
            setattr(ours, name, value)
        ours.save()
        asked = exchange.send(world.librarian_a, _ask(world, ours))
        assert asked.state == S.SENT  # ours is sent; the message waits for the staff
        message = OutgoingMessage.objects.get(conversation=f"nord-{asked.pk}")
        assert (message.state, message.attempts) == ("failed", 1)
        assert refusal in message.last_error
    assert not PartnerRequest.objects.exists()


def _hoved_record(asked: PartnerRequest):  # type: ignore[no-untyped-def]
    return catalog.create_record(
        SYSTEM, asked.school.municipality, catalog.new_marc(title=asked.title, isbn=asked.isbn)
    )


# --- Messages shaped like another system's, through the endpoint (no live server needed) -----

THEIR_TOKEN = "token-of-the-county-library"
SHAPE = """<?xml version="1.0" encoding="UTF-8"?>
<ISO18626Message xmlns="http://illtransactions.org/2013/iso18626"
    xmlns:ill="http://illtransactions.org/2013/iso18626"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ill:version="1.2"
    xsi:schemaLocation="http://illtransactions.org/2013/iso18626 http://illtransactions.org/schemas/ISO-18626-v1_2.xsd">
  <supplyingAgencyMessage>
    <header>
      <supplyingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>{lender}</agencyIdValue></supplyingAgencyId>
      <requestingAgencyId><agencyIdType>ISIL</agencyIdType><agencyIdValue>nord</agencyIdValue></requestingAgencyId>
      <multipleItemRequestId></multipleItemRequestId>
      <timestamp>2026-11-30T09:15:02.000Z</timestamp>
      <requestingAgencyRequestId>{request_id}</requestingAgencyRequestId>
      <supplyingAgencyRequestId>7d3f0c2e-55aa-4c1b-9d0e-2f1e8a6b0c11</supplyingAgencyRequestId>
    </header>
    <messageInfo><reasonForMessage>{reason}</reasonForMessage><note>#seq:{seq}#</note></messageInfo>
    <statusInfo>
      <status>{status}</status>
      <lastChange>2026-11-30T09:15:02.000Z</lastChange>
      {due}
    </statusInfo>
    <deliveryInfo><dateSent>2026-11-30T09:15:02.000Z</dateSent><itemId>39015012345678</itemId>
      <sentVia>Courier</sentVia><loanCondition>NoReproduction</loanCondition></deliveryInfo>
  </supplyingAgencyMessage>
</ISO18626Message>"""


@pytest.fixture
def county(world):  # type: ignore[no-untyped-def]
    target = save_target(
        SYSTEM, world.school_a, name="Amtsbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-751000",
    )  # fmt: skip
    target.partner_token_hash = exchange.digest(THEIR_TOKEN)
    target.save()
    asked = _ask(world, target)
    ill.mark_sent(world.librarian_a, asked)  # as if its request had been confirmed
    return target, asked


def _post(client, body: str, token: str = THEIR_TOKEN):  # type: ignore[no-untyped-def]
    return client.post(
        ENDPOINT, data=body.encode(), content_type="application/xml",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip


def _shaped(asked, status: str, reason: str = "StatusChange", due: str = "", **kw) -> str:  # type: ignore[no-untyped-def]
    values = {"lender": "DK-751000", "request_id": f"nord-{asked.pk}", "seq": 1}
    values.update(kw)
    due_xml = f"<dueDate>{due}</dueDate>" if due else ""
    return SHAPE.format(status=status, reason=reason, due=due_xml, **values)


def _answer(response) -> iso18626.Message:  # type: ignore[no-untyped-def]
    answer = iso18626.parse(response.content)
    assert answer.kind.endswith("Confirmation"), answer.kind
    return answer


@pytest.mark.django_db
def test_another_systems_messages_move_the_request(client, world, county):  # type: ignore[no-untyped-def]
    _target, asked = county
    answer = _answer(_post(client, _shaped(asked, "ExpectToSupply", "RequestResponse")))
    assert answer.ok and answer.kind == "supplyingAgencyMessageConfirmation"
    asked.refresh_from_db()
    assert asked.state == S.ACCEPTED
    assert asked.lender_reference == "7d3f0c2e-55aa-4c1b-9d0e-2f1e8a6b0c11"

    due = timezone.localdate() + dt.timedelta(days=30)
    body = _shaped(asked, "Loaned", due=f"{due.isoformat()}T23:59:00.000Z", seq=2)
    assert _answer(_post(client, body)).ok
    assert _answer(_post(client, body)).ok  # a repeat changes nothing and is not an error
    asked.refresh_from_db()
    assert (asked.state, asked.lender_due) == (S.SHIPPED, due)
    assert AuditEvent.objects.filter(action="ill.shipped", object_id=str(asked.pk)).count() == 1

    late = _answer(_post(client, _shaped(asked, "Unfilled", seq=3)))  # cannot refuse now
    assert not late.ok and late.error.startswith("UnrecognisedDataValue")
    asked.refresh_from_db()
    assert asked.state == S.SHIPPED


@pytest.mark.django_db
def test_the_endpoint_refuses_strangers_and_hostile_bodies(client, world, county):  # type: ignore[no-untyped-def]
    _target, asked = county
    good = _shaped(asked, "Unfilled")
    assert _post(client, good, token="").status_code == 401
    assert _post(client, good, token="guess").status_code == 401
    not_the_lender = _answer(_post(client, _shaped(asked, "Unfilled", lender="DK-999999")))
    assert not not_the_lender.ok
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><ISO18626Message>&b;</ISO18626Message>'
    )
    hostile = _post(client, bomb)
    assert hostile.status_code == 400
    assert _answer(hostile).error.startswith("BadlyFormedMessage")
    too_big = _post(client, good.replace("#seq:1#", "x" * iso18626.MAX_BYTES))
    assert too_big.status_code == 413
    assert client.get(ENDPOINT).status_code == 405
    asked.refresh_from_db()
    assert asked.state == S.SENT  # nothing of that moved it


@pytest.mark.django_db
def test_a_partner_cannot_touch_another_partners_or_municipalitys_requests(client, world, county):  # type: ignore[no-untyped-def]
    _target, asked = county
    # Sydskolen's own partner (same symbol, its own token) answers about Nordskolen's request.
    other = save_target(
        SYSTEM, world.school_b, name="Amtsbiblioteket (Syd)", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-751000",
    )  # fmt: skip
    other.partner_token_hash = exchange.digest("syd-token")
    other.save()
    refused = _answer(_post(client, _shaped(asked, "Unfilled"), token="syd-token"))
    assert not refused.ok and "requestingAgencyRequestId" in refused.error
    asked.refresh_from_db()
    assert asked.state == S.SENT
    # And Sydskolen's librarian does not see what partners ask of Nordskolen.
    request_xml = iso18626.request(
        iso18626.Header(supplying="nord", requesting="DK-751000", request_id="R-1"),
        title="Fjeldets dyr",
    )
    assert _answer(_post(client, request_xml.decode())).ok
    (theirs,) = PartnerRequest.objects.all()
    assert theirs.school == world.school_a
    with pytest.raises(PermissionDenied):
        exchange.answer_partner(world.librarian_b, theirs, P.UNFILLED)


@pytest.mark.django_db
def test_our_token_for_a_partner_is_sealed_at_rest_and_theirs_only_a_digest(world, county):  # type: ignore[no-untyped-def]
    from django.db import connection

    target, _asked = county
    target.outgoing_token = "our-secret-for-the-county"
    target.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outgoing_token, partner_token_hash FROM external_externaltarget WHERE id = %s",
            [target.pk],
        )
        stored, digest = cursor.fetchone()
    assert stored.startswith("sealed:") and "our-secret" not in stored
    assert digest == exchange.digest(THEIR_TOKEN) and THEIR_TOKEN not in digest
    target.refresh_from_db()
    assert target.outgoing_token == "our-secret-for-the-county"
