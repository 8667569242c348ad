"""An interlibrary loan through its whole life with the services and circulation's actions:
a teacher asks for week 45, the librarian approves and sends (a well-formed e-mail that names
nobody), receives a temporary copy, the desk lends it until the lender's date and takes it
back, and it goes back to the lender and leaves the collection. Refusals and tenancy."""

from __future__ import annotations

import datetime as dt

import pytest
from defusedxml import ElementTree as ET
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reol.catalog.models import Item, ItemStatus
from reol.circulation.actions import loans
from reol.circulation.errors import CirculationError
from reol.circulation.models import Loan
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM
from reol.external import ill, messages
from reol.external.models import IllRequest
from reol.external.states import IllState

from .conftest import VOLCANO_ISBN

pytestmark = pytest.mark.django_db
S = IllState


@pytest.fixture
def target(world):  # type: ignore[no-untyped-def]
    from .conftest import add_target

    return add_target(world, "http://127.0.0.1:9/sru", lender_symbol="DK-751000")


def _asked(world, target) -> IllRequest:  # type: ignore[no-untyped-def]
    return ill.request_loan(
        world.teacher_a,
        world.school_a,
        target=target,
        title="Vulkaner i Island",
        author="Lava, Lise",
        isbn=VOLCANO_ISBN,
        year=2021,
        week=45,
        note="Til 7.b's vulkanforløb, elever: Ida og Ole",
    )


def test_the_whole_life_of_a_loan(world, target, settings, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "reol@nord.example"
    asked = _asked(world, target)
    assert asked.state == S.REQUESTED
    assert (asked.week_year, asked.week) == ill.next_week(45, timezone.localdate())

    ill.approve(world.librarian_a, asked)
    with pytest.raises(ValidationError):
        ill.receive(world.librarian_a, asked, lender_due=timezone.localdate())  # not sent yet
    with django_capture_on_commit_callbacks(execute=True):
        ill.send(world.librarian_a, asked)
    (sent,) = mail.outbox
    assert sent.to == ["fjernlaan@fjordby.example"]
    assert sent.subject == "Interlibrary loan request: Vulkaner i Island"
    assert f"ISBN: {VOLCANO_ISBN}" in sent.body
    assert f"Our reference: nord-{asked.pk}" in sent.body
    for private in ("Ida", "Ole", "Laerer", "laerer-a", "7.b"):  # who asked, and the note
        assert private not in sent.body
    assert "\n" not in sent.subject

    ill.lender_answered(world.librarian_a, asked, accepted=True, reference="F-77")
    ill.shipped(world.librarian_a, asked)
    lender_due = timezone.localdate() + dt.timedelta(days=10)
    asked = ill.receive(world.librarian_a, asked, lender_due=lender_due, barcode="ILL-1")
    copy = Item.objects.get(barcode="ILL-1")
    assert asked.item == copy and copy.school == world.school_a
    assert copy.record.title == "Vulkaner i Island"

    # At the desk, like any copy; the teacher's rule would lend it longer than the lender lets.
    result = loans.checkout(world.librarian_a, world.school_a, world.teacher_a, "ILL-1")
    assert result.loan.due_date == lender_due
    asked.refresh_from_db()
    assert asked.state == S.LENT
    with pytest.raises(ValidationError):
        ill.send_back(world.librarian_a, asked)  # still out

    loans.checkin(world.librarian_a, world.school_a, "ILL-1")
    asked.refresh_from_db()
    assert asked.state == S.RETURNED

    ill.send_back(world.librarian_a, asked)
    asked.refresh_from_db()
    copy.refresh_from_db()
    assert asked.state == S.SENT_BACK
    assert copy.status == ItemStatus.WITHDRAWN
    with pytest.raises(CirculationError):
        loans.checkout(world.librarian_a, world.school_a, world.teacher_a, "ILL-1")
    actions = list(
        AuditEvent.objects.filter(action__startswith="ill.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "ill.request", "ill.approved", "ill.sent", "ill.accepted", "ill.shipped", "ill.received",
        "ill.lent", "ill.returned", "ill.sent_back",
    ]  # fmt: skip


def test_a_shorter_rule_keeps_its_own_date(world, target):
    asked = _asked(world, target)
    for step in (ill.approve, ill.send):
        step(world.librarian_a, asked)
    far = timezone.localdate() + dt.timedelta(days=365)
    ill.receive(world.librarian_a, asked, lender_due=far, barcode="ILL-2")
    result = loans.checkout(world.librarian_a, world.school_a, world.student_a1, "ILL-2")
    assert result.loan.due_date < far


def test_illegal_steps_are_refused_and_nothing_changes(world, target):
    asked = _asked(world, target)
    for step in (ill.send, ill.shipped, ill.send_back):
        with pytest.raises(ValidationError, match="cannot become"):
            step(world.librarian_a, asked)
    asked.refresh_from_db()
    assert asked.state == S.REQUESTED
    assert not Item.objects.exists()


def test_only_teachers_plan_for_a_week_and_students_ask_for_titles(world, target):
    with pytest.raises(ValidationError):
        ill.request_loan(world.student_a1, world.school_a, target=target, title="X", week=45)
    mine = ill.request_loan(world.student_a1, world.school_a, target=target, title="Vulkaner")
    assert mine.requester == world.student_a1 and mine.week is None
    with pytest.raises(ValidationError):
        ill.request_loan(world.teacher_a, world.school_a, target=target, week=99, title="X")


def test_the_database_refuses_a_copy_here_without_a_copy(world, target):
    from django.db import IntegrityError, transaction

    asked = _asked(world, target)
    with pytest.raises(IntegrityError), transaction.atomic():
        IllRequest.objects.filter(pk=asked.pk).update(state=S.RECEIVED)


def test_iso18626_message_is_well_formed_and_names_nobody(world, target):
    asked = _asked(world, target)
    root = ET.fromstring(messages.iso18626_request(asked))
    ns = "{http://illtransactions.org/2013/iso18626}"
    assert root.tag == f"{ns}ISO18626Message"
    assert root.findtext(f".//{ns}supplyingAgencyId/{ns}agencyIdValue") == "DK-751000"
    assert root.findtext(f".//{ns}bibliographicItemIdentifier") == VOLCANO_ISBN
    assert root.findtext(f".//{ns}requestingAgencyRequestId") == f"nord-{asked.pk}"
    assert root.findtext(f".//{ns}needBeforeDate", "").startswith(str(asked.week_year))
    assert b"Ida" not in messages.iso18626_request(asked)
    assert messages.form_pdf(asked).startswith(b"%PDF")


def test_another_schools_librarian_cannot_touch_the_request(world, target):
    asked = _asked(world, target)
    for step in (ill.approve, ill.send, ill.cancel):
        with pytest.raises(PermissionDenied):
            step(world.librarian_b, asked)
    with pytest.raises(PermissionDenied):
        ill.request_loan(world.student_b1, world.school_a, target=target, title="X")
    with pytest.raises(ValidationError):  # a target of school A asked through school B
        ill.request_loan(world.student_b1, world.school_b, target=target, title="X")


def test_the_request_pages_of_another_school_are_not_found(world, target):
    from reol.catalog.tests.helpers import signed_in

    asked = _asked(world, target)
    b = signed_in(world.librarian_b)
    assert b.get(f"/staff/external/loans/{asked.pk}/").status_code == 404
    assert b.post(f"/staff/external/loans/{asked.pk}/approve/").status_code == 404
    assert b.get(f"/staff/external/loans/{asked.pk}/form.pdf").status_code == 404
    a = signed_in(world.librarian_a)
    page = a.get(f"/staff/external/loans/{asked.pk}/")
    assert page.status_code == 200
    assert "Vulkaner i Island" in page.content.decode()
    assert signed_in(world.student_a1).get("/staff/external/loans/").status_code == 403
    assert not Loan.objects.exists() and SYSTEM


def test_the_api_lists_and_steps_only_the_callers_schools(world, target, token_for):
    from django.test import Client

    asked = _asked(world, target)
    a, b = token_for(world.librarian_a), token_for(world.librarian_b)
    client = Client()
    listed = client.get("/api/v1/interlibrary-loans", **a).json()
    assert [row["id"] for row in listed["items"]] == [asked.pk]
    assert client.get("/api/v1/interlibrary-loans", **b).json()["items"] == []
    url = f"/api/v1/interlibrary-loans/{asked.pk}/steps"
    refused = client.post(url, {"step": "approve"}, content_type="application/json", **b)
    assert refused.status_code == 404
    wrong = client.post(url, {"step": "shipped"}, content_type="application/json", **a)
    assert wrong.status_code == 422
    done = client.post(url, {"step": "approve"}, content_type="application/json", **a)
    assert done.status_code == 200 and done.json()["state"] == "approved"
