"""The desk, hold shelf and loan-rule pages through Django's test client: what each scan
answers, who may open them, and how many queries a scan costs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD
from reol.catalog.models import ItemStatus
from reol.circulation.actions import holds
from reol.circulation.actions import loans as loan_actions
from reol.circulation.models import Loan, LoanRule
from reol.core.models import AuditEvent

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def scan(client: Client, code: str, patron: object = "", action: str = "", **headers):  # type: ignore[no-untyped-def]
    data = {"scan": code, "patron": getattr(patron, "pk", patron), "action": action}
    return client.post("/staff/desk/", data, **{**HX, **headers})


def test_a_card_selects_the_patron_then_copies_are_lent_then_returned(library):
    w = library.world
    client = signed_in(w.librarian_a)
    page = client.get("/staff/desk/")
    assert page.status_code == 200 and b'id="scan"' in page.content
    r = scan(client, "A0001")
    html = r.content.decode()
    assert "Lending to Elev-A1 Test." in html and 'role="status"' in html
    assert f'id="desk-patron" value="{w.student_a1.pk}" hx-swap-oob="true"' in html
    assert AuditEvent.objects.filter(action="person.view", object_id=str(w.student_a1.pk)).exists()
    html = scan(client, "S1", w.student_a1).content.decode()
    assert "Lent “Rejsen til Saturn”, due" in html and "S1" in html
    html = scan(client, "REF1", w.student_a1).content.decode()
    assert 'role="alert"' in html and "reference only" in html
    html = scan(client, "", action="done").content.decode()
    assert "Ready for the next patron." in html and 'id="desk-patron" value=""' in html
    html = scan(client, "S1").content.decode()  # no patron: a copy is returned
    assert "Returned “Rejsen til Saturn”." in html
    assert not Loan.objects.filter(returned_at__isnull=True).exists()


def test_refusals_offer_what_to_do_next(library):
    w = library.world
    client = signed_in(w.librarian_a)
    scan(client, "S1", w.student_a1)
    html = scan(client, "S1", w.student_a2).content.decode()
    assert "already on loan to Elev-A1 Test" in html and "Check it in" in html
    html = scan(client, "S1", w.student_a2, action="checkin").content.decode()
    assert "Returned" in html
    html = scan(client, "nobody-here").content.decode()
    assert "No card and no copy has the code nobody-here." in html


def test_renew_button_and_override(library):
    w = library.world
    client = signed_in(w.librarian_a)
    ten_days_ago = timezone.localdate() - dt.timedelta(days=10)
    loan_actions.checkout(w.librarian_a, library.school, w.teacher_a, "S1", today=ten_days_ago)
    html = scan(client, "S1", w.teacher_a, action="renew").content.decode()
    assert "Renewed “Rejsen til Saturn” until" in html
    holds.place_hold(w.librarian_a, library.school, "A0002", item="S2")
    html = scan(client, "S2", w.student_a1).content.decode()
    assert "on hold for Elev-A2 Test" in html and "Lend it anyway" in html
    html = scan(client, "S2", w.student_a1, action="override").content.decode()
    assert "Lent “Rejsen til Saturn”" in html


def test_without_javascript_the_desk_is_a_plain_form(library):
    client = signed_in(library.world.librarian_a)
    r = client.post("/staff/desk/", {"scan": "A0001"})
    html = r.content.decode()
    assert "<html" in html and "Lending to Elev-A1 Test." in html
    assert f'name="patron" id="desk-patron" value="{library.world.student_a1.pk}"' in html


def test_a_scan_costs_a_bounded_number_of_queries(library, django_assert_max_num_queries):
    w = library.world
    client = signed_in(w.librarian_a)
    for barcode in ("S1", "S2", "AT1"):
        scan(client, barcode, w.teacher_a)
    with django_assert_max_num_queries(40):
        scan(client, "S3", w.teacher_a)
    with django_assert_max_num_queries(30):
        client.get(f"/staff/desk/?patron={w.teacher_a.pk}")


def test_the_desk_costs_the_same_queries_whatever_the_patron_has_on_loan(library):
    """An N+1 (a query per loan on the patron's list) shows as a count that grows with the
    loans; the bounds above are loose enough to hide one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reol.catalog import services as catalog
    from reol.core.permissions import SYSTEM

    w = library.world
    client = signed_in(w.librarian_a)

    def cost() -> int:
        with CaptureQueriesContext(connection) as page:
            client.get(f"/staff/desk/?patron={w.teacher_a.pk}")
        return len(page)

    scan(client, "S1", w.teacher_a)
    one = cost()
    catalog.add_items(SYSTEM, library.saturn, w.school_a, barcodes=["N1", "N2", "N3", "N4"])
    for barcode in ("S2", "N1", "N2", "N3", "N4"):
        scan(client, barcode, w.teacher_a)
    assert Loan.objects.filter(patron=w.teacher_a, returned_at__isnull=True).count() == 6
    assert cost() == one


def test_who_may_open_the_pages(library):
    w = library.world
    assert signed_in(w.teacher_a).get("/staff/desk/").status_code == 403
    assert signed_in(w.volunteer_a).get("/staff/desk/").status_code == 200
    assert signed_in(w.volunteer_a).get("/staff/desk/rules/").status_code == 403
    assert signed_in(w.student_a1).get("/staff/desk/").status_code in (302, 403)
    # A patron of another school cannot be selected at this desk.
    html = scan(signed_in(w.librarian_a), "B0001").content.decode()
    assert "No card and no copy has the code B0001." in html and "Elev-B1" not in html


def test_hold_shelf_lists_and_cancels(library):
    w = library.world
    loan_actions.checkout(w.librarian_a, library.school, "laerer-a", "AT1")
    hold = holds.place_hold(w.librarian_a, library.school, "A0001", record=library.atlas)
    loan_actions.checkin(w.librarian_a, library.school, "AT1")
    client = signed_in(w.librarian_a)
    html = client.get("/staff/desk/hold-shelf/").content.decode()
    assert "Atlas" in html and "Elev-A1 Test" in html
    client.post("/staff/desk/hold-shelf/", {"hold": hold.pk})
    assert library.item("AT1").status == ItemStatus.AVAILABLE


def test_rules_page_preview_and_edit(library):
    w = library.world
    client = signed_in(w.librarian_a)
    html = client.get(
        "/staff/desk/rules/",
        {"patron_category": "student", "grade": "5", "circulation_type": "normal",
         "day": "2027-06-01"},
    ).content.decode()  # fmt: skip
    assert "A student in grade 5 borrowing a normal loan copy on 1 Jun 2027 gets due date" in html
    assert "25 Jun 2027" in html and "before the summer holiday" in html
    reference = {"patron_category": "student", "circulation_type": "reference", "day": "2027-06-01"}
    html = client.get("/staff/desk/rules/", reference).content.decode()
    assert "cannot borrow" in html
    client.post("/staff/desk/rules/adopt/")
    assert LoanRule.objects.filter(school=library.school).count() == 10
    rule = LoanRule.objects.get(school=library.school, patron_category="student",
                                circulation_type="normal")  # fmt: skip
    form = {"patron_category": "student", "circulation_type": "normal", "period": "days",
            "loan_days": "", "max_loans": "5", "max_renewals": "1",
            "holds_allowed": "on"}  # fmt: skip
    r = client.post(f"/staff/desk/rules/{rule.pk}/", form)
    assert r.status_code == 200 and "Give the number of days" in r.content.decode()
    r = client.post(f"/staff/desk/rules/{rule.pk}/", {**form, "loan_days": "21"})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.loan_days == 21 and rule.max_loans == 5
    # Another school's rule is not found here.
    other = signed_in(w.librarian_b)
    assert other.get(f"/staff/desk/rules/{rule.pk}/").status_code == 404


def test_overrides_add_up_on_the_desk(library):
    """A copy on hold for someone else, of a title the student already has: the librarian
    passes both refusals, one button at a time, and the second button keeps the first."""
    w = library.world
    client = signed_in(w.librarian_a)
    scan(client, "S1", w.student_a1)
    holds.place_hold(w.librarian_a, library.school, "A0002", item="S2")
    html = scan(client, "S2", w.student_a1).content.decode()
    assert "already has a copy of “Rejsen til Saturn” (S1)" in html
    assert 'value="override:already_has_title"' in html
    html = scan(client, "S2", w.student_a1, action="override:already_has_title").content.decode()
    assert "on hold for Elev-A2 Test" in html
    assert 'value="override:already_has_title,on_hold_for_other"' in html
    action = "override:already_has_title,on_hold_for_other"
    html = scan(client, "S2", w.student_a1, action=action).content.decode()
    assert "Lent “Rejsen til Saturn”" in html
    assert AuditEvent.objects.filter(action="loan.override_title").count() == 1
    assert AuditEvent.objects.filter(action="loan.override_hold").count() == 1


def test_date_inputs_hold_iso_dates_in_every_language(library):
    """A date input only takes 2026-11-22; a localized 22.11.2026 would leave it empty."""
    client = signed_in(library.world.librarian_a)
    client.cookies["django_language"] = "da"
    html = client.get("/staff/desk/rules/").content.decode()  # the preview's day is today
    assert f'type="date" name="day" value="{timezone.localdate().isoformat()}"' in html
    client.post("/staff/desk/rules/adopt/")
    rule = LoanRule.objects.filter(school=library.school).first()
    assert rule is not None
    rule.period, rule.fixed_due_date = "date", dt.date(2027, 6, 18)
    rule.save()
    html = client.get(f"/staff/desk/rules/{rule.pk}/").content.decode()
    assert 'value="2027-06-18"' in html


def test_receipts_print_and_e_mail_todays_loans(library, mailoutbox):
    w = library.world
    client = signed_in(w.librarian_a)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    loan_actions.checkout(w.librarian_a, library.school, w.student_a1, "AT1", today=yesterday)
    scan(client, "S1", w.student_a1)
    html = scan(client, "A0001").content.decode()
    assert "Print receipt" in html and "E-mail receipt" in html
    page = client.get(f"/staff/desk/receipt/?patron={w.student_a1.pk}").content.decode()
    assert "Rejsen til Saturn" in page and "S1" in page
    assert "Atlas" not in page  # lent yesterday: not on today's receipt
    assert "2 loans in all." in page and "receipt.js" in page and "<script>" not in page
    assert client.get("/staff/desk/receipt/?patron=999999").status_code == 404
    # No address: the desk says so. With one, the receipt goes in the patron's language.
    html = scan(client, "", w.student_a1, action="email_receipt").content.decode()
    assert 'role="alert"' in html and "has no e-mail address" in html
    w.student_a1.email = "elev@example.org"
    w.student_a1.preferred_language = "en"
    w.student_a1.save()
    html = scan(client, "", w.student_a1, action="email_receipt").content.decode()
    assert "The receipt is on its way to elev@example.org." in html
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["elev@example.org"]
    assert "Rejsen til Saturn (S1): due" in mailoutbox[0].body and "Atlas" not in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="loan.receipt").count() == 1
