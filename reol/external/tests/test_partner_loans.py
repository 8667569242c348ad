"""Our own copy lent to a partner library (ISO 18626), through circulation.

The county library asks Nordskolen for a title over ``/external/iso18626/``; Nordskolen's
librarian lends copy NORD-1 until a date: the copy is on loan to the county library (the desk,
the OPAC and SIP2 say so, with the date) and the desk refuses to lend it meanwhile. When the
county library says it shipped the copy back (``ShippedReturn``), the copy is checked in as at
the desk: to the hold shelf when a student waits for it. Our answers are kept in the outbox
(the queue does not run in these tests: delivery and retries are ``test_outbox``'s).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog import services as catalog
from reol.catalog.models import ItemStatus
from reol.catalog.selectors import public_record
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.errors import CirculationError
from reol.circulation.models import HoldState, LibraryLoan
from reol.core.permissions import SYSTEM
from reol.external import exchange, iso18626
from reol.external.models import OutgoingMessage, PartnerRequest
from reol.external.models import PartnerRequestState as P
from reol.external.services import save_target
from reol.protocols.sip2 import handlers
from reol.protocols.sip2.codec import Request, sip_date

TOKEN = "county-token"
ENDPOINT = "/external/iso18626/"


@pytest.fixture
def county(world):  # type: ignore[no-untyped-def]
    target = save_target(
        SYSTEM, world.school_a, name="Amtsbiblioteket", kind="public",
        base_url="http://127.0.0.1:9/sru", request_method="iso18626",
        iso18626_url="http://127.0.0.1:9/iso18626", lender_symbol="DK-751000", timeout_ms=500,
    )  # fmt: skip
    target.partner_token_hash = exchange.digest(TOKEN)
    target.save()
    record = catalog.create_record(
        SYSTEM, world.municipality, catalog.new_marc(title="Fjeldets dyr", isbn="9788711111111")
    )
    (copy,) = catalog.add_items(SYSTEM, record, world.school_a, barcodes=["NORD-1"])
    return target, record, copy


def _post(client, body: bytes):  # type: ignore[no-untyped-def]
    response = client.post(
        ENDPOINT, data=body, content_type="application/xml", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    return iso18626.parse(response.content)


def _asked(client) -> PartnerRequest:  # type: ignore[no-untyped-def]
    header = iso18626.Header(supplying="nord", requesting="DK-751000", request_id="AMT-77")
    assert _post(client, iso18626.request(header, title="Fjeldets dyr")).ok
    return PartnerRequest.objects.get(their_id="AMT-77")


def _returned(client) -> iso18626.Message:  # type: ignore[no-untyped-def]
    header = iso18626.Header(supplying="nord", requesting="DK-751000", request_id="AMT-77")
    return _post(client, iso18626.requesting_message(header, action="ShippedReturn"))


def _item_information(barcode: str) -> str:
    request = Request("17", {}, {"AB": [barcode]})
    return handlers.item_information(None, request).encode("utf-8", None).decode()  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_copy_lent_to_a_partner_is_out_everywhere_until_it_comes_back(client, world, county):  # type: ignore[no-untyped-def]
    _target, record, copy = county
    asked = _asked(client)
    due = timezone.localdate() + dt.timedelta(days=30)

    exchange.answer_partner(world.librarian_a, asked, P.LOANED, due=due, barcode="nord-1")

    copy.refresh_from_db()
    assert copy.status == ItemStatus.ON_LOAN
    lent = LibraryLoan.objects.get(item=copy, returned_at=None)
    assert (lent.library, lent.due_date, lent.reference) == ("Amtsbiblioteket", due, "AMT-77")
    asked.refresh_from_db()
    assert (asked.state, asked.item, asked.due) == (P.LOANED, copy, due)
    message = OutgoingMessage.objects.get(conversation="AMT-77", what="Loaned")
    assert message.state == "pending"  # kept until the partner accepts it
    assert f"<dueDate>{due.isoformat()}" in message.body
    # The desk refuses it, naming the library and the date.
    with pytest.raises(CirculationError, match="Amtsbiblioteket") as refused:
        loan_actions.checkout(world.librarian_a, world.school_a, world.student_a1, "NORD-1")
    assert refused.value.code == "already_on_loan"
    # SIP2: charged (04), with the due date and the library.
    answer = _item_information("NORD-1")
    assert answer.startswith("1804") and f"AH{sip_date(due)}" in answer
    assert "Amtsbiblioteket" in answer
    # The OPAC: borrowed, not on the shelf.
    _found, copies = public_record(world.municipality, record.pk)
    assert [c["status"] for c in copies] == [ItemStatus.ON_LOAN]
    # The desk's record panel names the library and the date.
    client.login(username="bib-a", password=PASSWORD)
    page = client.get(reverse("catalog-record", args=[record.pk])).content.decode()
    assert "Amtsbiblioteket" in page

    hold = hold_actions.place_hold(
        world.librarian_a, world.school_a, world.student_a2, record=record
    )
    assert _returned(client).ok
    copy.refresh_from_db()
    hold.refresh_from_db()
    assert copy.status == ItemStatus.ON_HOLD_SHELF  # routed as the desk routes a return
    assert hold.state == HoldState.READY
    assert LibraryLoan.objects.get(pk=lent.pk).returned_at is not None
    asked.refresh_from_db()
    assert asked.state == P.RETURNED
    assert _returned(client).ok  # a repeat changes nothing
    exchange.answer_partner(world.librarian_a, asked, P.COMPLETED)
    assert list(
        OutgoingMessage.objects.filter(conversation="AMT-77").values_list("what", flat=True)
    ) == ["Loaned", "LoanCompleted"]


@pytest.mark.django_db
def test_the_desk_checking_it_in_first_ends_the_loan_to_the_library(client, world, county):  # type: ignore[no-untyped-def]
    _target, _record, copy = county
    asked = _asked(client)
    due = timezone.localdate() + dt.timedelta(days=10)
    exchange.answer_partner(world.librarian_a, asked, P.LOANED, due=due, barcode="NORD-1")
    result = loan_actions.checkin(world.librarian_a, world.school_a, "NORD-1")
    assert result.library_loan is not None and result.library_loan.library == "Amtsbiblioteket"
    copy.refresh_from_db()
    assert copy.status == ItemStatus.AVAILABLE
    assert _returned(client).ok  # the partner's message after it: noted, nothing else
    asked.refresh_from_db()
    assert asked.state == P.RETURNED
    loan_actions.checkout(world.librarian_a, world.school_a, world.student_a1, "NORD-1")


@pytest.mark.django_db
def test_only_a_copy_on_our_shelf_can_be_lent_and_a_refusal_changes_nothing(client, world, county):  # type: ignore[no-untyped-def]
    _target, record, _copy = county
    asked = _asked(client)
    due = timezone.localdate() + dt.timedelta(days=10)
    (theirs,) = catalog.add_items(SYSTEM, record, world.school_b, barcodes=["SYD-1"])
    loan_actions.checkout(world.librarian_a, world.school_a, world.student_a1, "NORD-1")
    for barcode in ("SYD-1", "NORD-1"):  # Sydskolen's copy; our copy on loan to a student
        with pytest.raises(CirculationError):
            exchange.answer_partner(world.librarian_a, asked, P.LOANED, due=due, barcode=barcode)
    theirs.refresh_from_db()
    assert theirs.status == ItemStatus.AVAILABLE
    asked.refresh_from_db()
    assert asked.state == P.NEW
    assert not LibraryLoan.objects.exists()
    assert not OutgoingMessage.objects.filter(what="Loaned").exists()
