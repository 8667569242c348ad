"""Privacy by default: anonymising returned loans, export, erasure, the searchable audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from reol.catalog.models import ItemStatus
from reol.circulation.actions import holds as hold_actions
from reol.circulation.actions import loans as loan_actions
from reol.circulation.actions import privacy as circulation_privacy
from reol.circulation.models import Hold, Loan, LoanState, LoanStatistic
from reol.circulation.tests.conftest import TODAY
from reol.core import services as core
from reol.core.models import AuditEvent, Membership, User
from reol.core.permissions import SYSTEM
from reol.patrons import privacy, services
from reol.patrons.models import GroupMember, Patron


def _lend_and_return(w, code: str, item: str) -> Loan:
    loan_actions.checkout(w.librarian_a, w.school_a, code, item, today=TODAY)
    loan_actions.checkin(w.librarian_a, w.school_a, item, today=TODAY)
    return Loan.objects.get(item__barcode=item)


def test_returned_loans_are_anonymised_after_the_schools_period(patrons):
    w = patrons.world
    services.set_privacy_settings(w.librarian_a, w.school_a, anonymise_after_days=7)
    loan = _lend_and_return(w, "A0001", "S1")
    assert loan.patron == w.student_a1  # kept for a week
    now = timezone.now()
    assert circulation_privacy.anonymise_loans(SYSTEM, now=now + dt.timedelta(days=3)) == 0
    assert circulation_privacy.anonymise_loans(SYSTEM, now=now + dt.timedelta(days=8)) == 1
    loan.refresh_from_db()
    assert loan.patron is None and loan.loan_date and loan.item.barcode == "S1"
    assert LoanStatistic.objects.get(loan=loan).group_name == "5.A"
    event = AuditEvent.objects.get(action="loans.anonymise")
    assert event.details == {"loans": 1} and event.school == w.school_a


def test_students_who_keep_their_history_are_not_anonymised_and_teachers_are_not_touched(patrons):
    w = patrons.world
    core.update_school(w.admin_a, w.school_a, keep_loan_history=True)
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)  # guardian's yes
    kept = _lend_and_return(w, "A0001", "S1")
    teacher = _lend_and_return(w, "laerer-a", "S2")
    assert (
        circulation_privacy.anonymise_loans(SYSTEM, now=timezone.now() + dt.timedelta(days=400))
        == 0
    )
    kept.refresh_from_db()
    teacher.refresh_from_db()
    assert kept.patron == w.student_a1 and teacher.patron == w.teacher_a


def test_the_daily_command_anonymises(patrons, capsys):
    w = patrons.world
    services.set_privacy_settings(w.librarian_a, w.school_a, anonymise_after_days=1)
    loan = _lend_and_return(w, "A0001", "S1")
    earlier = timezone.now() - dt.timedelta(days=2)
    Loan.objects.filter(pk=loan.pk).update(checked_out_at=earlier, returned_at=earlier)
    call_command("anonymise-loans")
    loan.refresh_from_db()
    assert loan.patron is None
    assert "1 returned loans anonymised" in capsys.readouterr().out
    assert AuditEvent.objects.get(action="loans.anonymise").via == "cli"


def test_export_holds_everything_about_the_patron_and_is_audited(patrons):
    w = patrons.world
    core.update_school(w.admin_a, w.school_a, keep_loan_history=True)
    services.update_patron(w.librarian_a, patrons.a1, guardian_emails="mor@example.org")
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)
    services.add_block(w.librarian_a, patrons.a1, reason="overdue", note="note")
    core.record_person_view(w.librarian_a, w.student_a1, w.school_a)
    _lend_and_return(w, "A0002", "S3")  # someone else's loan
    Patron.objects.filter(pk=patrons.a1.pk).update()
    services.lift_block(w.librarian_a, patrons.a1.blocks.get())
    _lend_and_return(w, "A0001", "S1")
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S2", today=TODAY)
    data = privacy.export_patron(w.librarian_a, w.student_a1)
    json.dumps(data)  # it is all JSON
    assert data["person"]["card_barcode"] == "A0001"
    assert data["patrons"][0]["guardian_emails"] == ["mor@example.org"]
    assert data["patrons"][0]["groups"] == [
        {"name": "5.A", "school_year": "2026/27", "role": "student"}
    ]
    assert data["patrons"][0]["blocks"][0]["reason"] == "overdue"
    assert sorted(loan["barcode"] for loan in data["loans"]) == ["S1", "S2"]
    assert any(e["action"] == "person.view" and e["by"] == "bib-a" for e in data["audit"])
    assert AuditEvent.objects.filter(action="patron.export", object_id=str(patrons.a1.pk)).exists()
    with pytest.raises(PermissionDenied):
        privacy.export_patron(w.librarian_b, w.student_a1)
    with pytest.raises(PermissionDenied):
        privacy.export_patron(w.student_a2, w.student_a1)
    assert privacy.export_patron(w.student_a1, w.student_a1)["person"]["username"] == "elev-a1"


def test_export_pages_give_json_and_readable_html(client, patrons):
    client.force_login(patrons.world.librarian_a)
    response = client.get(reverse("patrons-export-json", args=[patrons.a1.pk]))
    assert response["Content-Disposition"].startswith("attachment")
    assert json.loads(response.content)["person"]["username"] == "elev-a1"
    page = client.get(reverse("patrons-export", args=[patrons.a1.pk])).content.decode()
    assert "Everything Reol holds about" in page and "5.A" in page
    client.force_login(patrons.world.librarian_b)
    assert client.get(reverse("patrons-export-json", args=[patrons.a1.pk])).status_code == 404


def test_erasure_is_refused_while_loans_are_out(patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    with pytest.raises(ValidationError) as caught:
        privacy.erase_patron(w.librarian_a, patrons.a1)
    assert caught.value.code == "loans_outstanding"
    assert "Rejsen til Saturn" in caught.value.messages[0]
    assert Patron.objects.filter(pk=patrons.a1.pk).exists()
    with pytest.raises(PermissionDenied):
        privacy.erase_patron(w.librarian_b, patrons.a1, mark_lost=True)


def test_erasure_marks_loans_lost_and_leaves_nothing_about_the_person(patrons):
    w = patrons.world
    core.update_school(w.admin_a, w.school_a, keep_loan_history=True)
    services.set_loan_history_consent(w.librarian_a, patrons.a1, True)  # guardian's yes
    returned = _lend_and_return(w, "A0001", "S1")
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S2", today=TODAY)
    hold_actions.place_hold(w.librarian_a, w.school_a, "A0001", record=patrons.library.atlas)
    user_pk = w.student_a1.pk
    result = privacy.erase_patron(w.librarian_a, patrons.a1, mark_lost=True)
    assert (result.loans_marked_lost, result.loans_anonymised, result.holds_cancelled) == (1, 1, 1)
    assert result.person_removed
    assert not User.objects.filter(pk=user_pk).exists()
    assert not Patron.objects.filter(user_id=user_pk).exists()
    assert not Membership.objects.filter(user_id=user_pk).exists()
    assert not Loan.objects.filter(patron_id=user_pk).exists()
    assert not Hold.objects.filter(patron_id=user_pk).exists()
    assert not GroupMember.objects.filter(patron_id=patrons.a1.pk).exists()
    lost = Loan.objects.get(item__barcode="S2")
    assert lost.item.status == ItemStatus.LOST and lost.returned_at is not None
    # Written off through the loan state machine, not passed off as returned.
    assert lost.state == LoanState.WRITTEN_OFF
    returned.refresh_from_db()
    assert returned.patron is None
    assert LoanStatistic.objects.filter(loan__in=[lost, returned], grade=5).count() == 2
    event = AuditEvent.objects.get(action="patron.erase")
    assert "Elev" not in event.object_repr and event.details["loans_marked_lost"] == 1


def test_erasing_a_person_with_roles_elsewhere_keeps_the_person(patrons):
    w = patrons.world
    core.grant_role(SYSTEM, w.student_a1, w.school_b, "student")
    result = privacy.erase_patron(w.librarian_a, patrons.a1)
    assert not result.person_removed
    assert User.objects.filter(pk=w.student_a1.pk).exists()
    assert not Membership.objects.filter(user=w.student_a1, school=w.school_a).exists()


def test_the_erase_page_asks_to_mark_loans_lost(client, patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    client.force_login(w.librarian_a)
    url = reverse("patrons-erase", args=[patrons.a1.pk])
    assert "Rejsen til Saturn" in client.get(url).content.decode()
    refused = client.post(url, {}).content.decode()
    assert "Have them returned" in refused, refused[refused.find("<main") :]
    assert client.post(url, {"mark_lost": "on"}).status_code == 302
    assert not Patron.objects.filter(pk=patrons.a1.pk).exists()


def test_an_administrator_searches_the_audit_log_by_person(client, patrons):
    w = patrons.world
    loan_actions.checkout(w.librarian_a, w.school_a, "A0001", "S1", today=TODAY)
    client.force_login(w.librarian_a)
    client.get(reverse("patrons-detail", args=[patrons.a1.pk]))
    assert client.get(reverse("audit-log"), {"object": "elev-a1"}).status_code == 403
    client.force_login(w.admin_a)
    by_username = client.get(reverse("audit-log"), {"object": "elev-a1"}).content.decode()
    assert "S1" in by_username  # the loan names the username
    by_name = client.get(reverse("audit-log"), {"object": "Elev-A1 Test"}).content.decode()
    assert "bib-a" in by_name  # who looked at the record
