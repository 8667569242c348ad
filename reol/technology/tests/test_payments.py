"""Paying and waiving a replacement charge: part-payments to the øre, over-payment refused
with the amount still owed, a waiver only with a reason, the database refusing a negative
balance; the patron record, the desk, the school's list (and XLSX), the borrower's page and
the API; a teacher, a student or a volunteer pays nothing, and school B reaches none of it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reol.core.models import AuditEvent
from reol.patrons.models import Patron
from reol.technology import payments, returns
from reol.technology.models import ChargeSettlement, LoanCharge

pytestmark = pytest.mark.django_db


def _fresh(charge: LoanCharge) -> LoanCharge:
    return LoanCharge.objects.get(pk=charge.pk)


def test_three_part_payments_of_33_33_settle_99_99_exactly(charged):
    w, charge = charged.world, charged.charge
    assert charge.outstanding == Decimal("99.99")
    for method in ("cash", "invoice", "school_account"):
        payments.record_payment(w.librarian_a, charge, amount="33,33", method=method)
    charge = _fresh(charge)
    assert (charge.paid, charge.waived, charge.outstanding) == (
        Decimal("99.99"),
        Decimal("0"),
        Decimal("0"),
    )
    assert AuditEvent.objects.filter(action="charge.pay").count() == 3
    with pytest.raises(ValidationError, match="Nothing is owed"):
        payments.record_payment(w.librarian_a, charge, amount="0.01", method="cash")
    assert ChargeSettlement.objects.filter(charge=charge).count() == 3


def test_a_payment_over_what_is_owed_is_refused_and_writes_nothing(charged):
    w, charge = charged.world, charged.charge
    payments.record_payment(w.librarian_a, charge, amount=Decimal("50"), method="cash")
    with pytest.raises(ValidationError) as refused:
        payments.record_payment(w.librarian_a, charge, amount=Decimal("50.00"), method="cash")
    assert "49.99 still owed" in " ".join(refused.value.messages)
    charge = _fresh(charge)
    assert charge.paid == Decimal("50.00") and charge.outstanding == Decimal("49.99")
    assert AuditEvent.objects.filter(action="charge.pay").count() == 1


@pytest.mark.parametrize("amount", ["12.345", "0", "-5", "abc", "NaN", "Infinity", ""])
def test_an_amount_that_is_not_whole_positive_cents_is_refused(charged, amount):
    w, charge = charged.world, charged.charge
    with pytest.raises(ValidationError):
        payments.record_payment(w.librarian_a, charge, amount=amount, method="cash")
    assert _fresh(charge).outstanding == Decimal("99.99")


def test_a_payment_needs_a_known_method(charged):
    with pytest.raises(ValidationError, match="how it was paid"):
        payments.record_payment(
            charged.world.librarian_a, charged.charge, amount="1", method="bitcoin"
        )


def test_waiving_the_rest_needs_a_reason_and_settles_to_the_ore(charged):
    """33.34 paid and 66.65 waived: in floats that is more than 99.99; here it is exact."""
    w, charge = charged.world, charged.charge
    payments.record_payment(w.librarian_a, charge, amount="33.34", method="cash", reference="K-7")
    with pytest.raises(ValidationError, match="Say why"):
        payments.waive_charge(w.librarian_a, charge, reason="  ")
    entry = payments.waive_charge(w.librarian_a, charge, reason="Family in hardship")
    assert entry.amount == Decimal("66.65")
    charge = _fresh(charge)
    assert (charge.paid, charge.waived, charge.outstanding) == (
        Decimal("33.34"),
        Decimal("66.65"),
        Decimal("0"),
    )
    event = AuditEvent.objects.get(action="charge.waive")
    assert event.details["reason"] == "Family in hardship"
    with pytest.raises(ValidationError):
        payments.waive_charge(w.librarian_a, charge, reason="again")


def test_damage_without_an_amount_has_nothing_to_pay(charged):
    w = charged.world
    damage = returns.record_charge(w.librarian_a, charged.device, note="Dent")
    with pytest.raises(ValidationError, match="nothing to pay"):
        payments.record_payment(w.librarian_a, damage, amount="1", method="cash")


def test_the_database_refuses_a_negative_or_excess_balance(charged):
    charge = charged.charge
    rows = LoanCharge.objects.filter(pk=charge.pk)
    for bad in ({"outstanding": Decimal("-0.01")}, {"outstanding": Decimal("100.00")}):
        with transaction.atomic(), pytest.raises(IntegrityError):
            rows.update(**bad)
    for bad_entry in (
        {"kind": "payment", "amount": Decimal("0"), "method": "cash"},
        {"kind": "payment", "amount": Decimal("1"), "method": ""},
        {"kind": "waiver", "amount": Decimal("1"), "reason": ""},
    ):
        with transaction.atomic(), pytest.raises(IntegrityError):
            ChargeSettlement.objects.create(charge=charge, **bad_entry)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    amount=st.integers(min_value=1, max_value=10_000_00),
    parts=st.lists(st.integers(min_value=1, max_value=10_000_00), min_size=1, max_size=5),
    waive=st.booleans(),
)
def test_paid_plus_waived_plus_outstanding_is_always_the_charge(charged, amount, parts, waive):
    w = charged.world
    charge = returns.record_charge(
        w.librarian_a, charged.device, note="Lost", amount=Decimal(amount) / 100
    )
    for cents in parts:
        value = Decimal(cents) / 100
        owed = _fresh(charge).outstanding
        if value > owed:
            with pytest.raises(ValidationError):
                payments.record_payment(w.librarian_a, charge, amount=value, method="cash")
        elif owed > 0:
            payments.record_payment(w.librarian_a, charge, amount=value, method="card")
    if waive and _fresh(charge).outstanding > 0:
        payments.waive_charge(w.librarian_a, charge, reason="Goodwill")
    charge = _fresh(charge)
    assert charge.outstanding >= 0
    assert charge.paid + charge.waived + charge.outstanding == charge.amount
    ledger = sum((s.amount for s in charge.settlements.all()), Decimal("0"))
    assert ledger == charge.paid + charge.waived


def test_only_a_librarian_of_the_school_pays_or_waives(charged):
    w, charge = charged.world, charged.charge
    student = charged.students[0].user
    for who in (w.teacher_a, student, w.volunteer_a, w.librarian_b, w.consultant):
        with pytest.raises(PermissionDenied):
            payments.record_payment(who, charge, amount="1", method="cash")
        with pytest.raises(PermissionDenied):
            payments.waive_charge(who, charge, reason="x")
    assert _fresh(charge).outstanding == Decimal("99.99")
    assert not ChargeSettlement.objects.exists()


def test_the_patron_record_pays_and_the_borrower_sees_it(charged, client):
    w, charge = charged.world, charged.charge
    student = charged.students[0]
    record = f"/staff/patrons/{student.pk}/"
    client.force_login(w.librarian_a)
    page = client.get(record).content.decode()
    assert "Screen smashed" in page and f'id="pay-{charge.pk}"' in page
    answer = client.post(
        f"/staff/technology/charges/{charge.pk}/pay/",
        {"amount": "40", "method": "cash", "reference": "R-1", "next": record},
    )
    assert answer.status_code == 302 and answer["Location"] == record
    refused = client.post(
        f"/staff/technology/charges/{charge.pk}/pay/",
        {"amount": "60", "method": "cash", "next": record},
        follow=True,
    )
    assert "59.99 still owed" in refused.content.decode()
    client.post(
        f"/staff/technology/charges/{charge.pk}/waive/",
        {"reason": "Old device", "next": record},
    )
    assert _fresh(charge).outstanding == 0
    assert "Nothing is owed at this school." in client.get(record).content.decode()
    client.force_login(student.user)
    mine = client.get("/me/devices/reports/").content.decode()
    assert "Nothing is owed." in mine and "paid 40.00 (cash)" in mine
    assert "59.99 waived" in mine


def test_the_borrower_sees_what_is_owed(charged, client):
    client.force_login(charged.students[0].user)
    assert "You owe 99.99." in client.get("/me/devices/reports/").content.decode()


def test_the_desk_says_what_the_borrower_owes(charged, client):
    w = charged.world
    student = charged.students[0]
    client.force_login(w.librarian_a)
    page = client.get(f"/staff/desk/?patron={student.user.pk}").content.decode()
    assert "Owes 99.99 on 1 charge." in page
    assert f"/staff/patrons/{student.pk}/#charges" in page
    client.force_login(w.volunteer_a)  # at the desk, but takes no payments
    assert "Owes" not in client.get(f"/staff/desk/?patron={student.user.pk}").content.decode()


def test_the_school_list_totals_and_exports(charged, client):
    w = charged.world
    other = returns.record_charge(
        w.librarian_a, charged.device, note="Charger", amount=Decimal("0.02")
    )
    payments.record_payment(w.librarian_a, other, amount="0.01", method="cash")
    client.force_login(w.librarian_a)
    page = client.get("/staff/technology/charges/open/").content.decode()
    assert "2 open charges, 100.00 owed in all." in page
    answer = client.get("/staff/technology/charges/open.xlsx")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][-1] == "Outstanding"
    assert [r[-1] for r in rows[1:]] == [99.99, 0.01, 100]
    assert rows[-1][0] == "Total"


def test_school_b_neither_sees_nor_pays_school_a_charges(charged, client, token_for):
    w, charge = charged.world, charged.charge
    student = charged.students[0]
    client.force_login(w.librarian_b)
    answer = client.post(
        f"/staff/technology/charges/{charge.pk}/pay/", {"amount": "1", "method": "cash"}
    )
    assert answer.status_code == 404
    answer = client.post(f"/staff/technology/charges/{charge.pk}/waive/", {"reason": "x"})
    assert answer.status_code == 404
    assert "Screen smashed" not in client.get("/staff/technology/charges/open/").content.decode()
    assert client.get(f"/staff/patrons/{student.pk}/").status_code == 404
    headers = token_for(w.librarian_b)
    api = client.post(
        f"/api/v1/charges/{charge.pk}/payments",
        {"amount": "1.00", "method": "cash"},
        content_type="application/json",
        **headers,
    )
    assert api.status_code == 404
    listed = client.get(f"/api/v1/patrons/{student.user.username}/charges", **headers)
    assert listed.json()["count"] == 0
    assert _fresh(charge).outstanding == Decimal("99.99")


def test_the_api_lists_pays_and_waives(charged, client, token_for):
    w, charge = charged.world, charged.charge
    username = charged.students[0].user.username
    headers = token_for(w.librarian_a)
    listed = client.get(f"/api/v1/patrons/{username}/charges?open=true", **headers).json()
    assert listed["count"] == 1 and listed["items"][0]["outstanding"] == "99.99"
    url = f"/api/v1/charges/{charge.pk}/payments"
    paid = client.post(
        url,
        {"amount": "33.33", "method": "invoice", "reference": "F-12"},
        content_type="application/json",
        **headers,
    )
    assert paid.status_code == 201, paid.content
    assert paid.json()["outstanding"] == "66.66"
    over = client.post(
        url, {"amount": "70", "method": "cash"}, content_type="application/json", **headers
    )
    assert over.status_code == 422 and "66.66 still owed" in over.content.decode()
    waived = client.post(
        f"/api/v1/charges/{charge.pk}/waive",
        {"reason": "Insurance paid"},
        content_type="application/json",
        **headers,
    ).json()
    assert waived["waived"] == "66.66" and waived["outstanding"] == "0.00"
    assert [s["kind"] for s in waived["settlements"]] == ["payment", "waiver"]
    teacher = client.post(
        url,
        {"amount": "1", "method": "cash"},
        content_type="application/json",
        **token_for(w.teacher_a),
    )
    assert teacher.status_code == 404
    mine = client.get(
        f"/api/v1/patrons/{username}/charges", **token_for(charged.students[0].user)
    ).json()
    assert mine["count"] == 1 and mine["items"][0]["paid"] == "33.33"
    assert Patron.objects.filter(user__username=username).exists()


def test_the_charge_pages_and_api_read_in_few_queries(
    charged, client, token_for, django_assert_max_num_queries
):
    """However many charges: the school's list, its XLSX, the record's panel and the API."""
    w = charged.world
    for n in range(8):
        charge = returns.record_charge(
            w.librarian_a, charged.device, note=f"Part {n}", amount=Decimal("10")
        )
        payments.record_payment(w.librarian_a, charge, amount="1", method="cash")
    student = charged.students[0]
    client.force_login(w.librarian_a)
    for url in (
        "/staff/technology/charges/open/",
        "/staff/technology/charges/open.xlsx",
        f"/staff/patrons/{student.pk}/",
        f"/staff/desk/?patron={student.user.pk}",
    ):
        with django_assert_max_num_queries(30):
            assert client.get(url).status_code == 200, url
    auth = token_for(w.librarian_a)
    with django_assert_max_num_queries(10):
        body = client.get(f"/api/v1/patrons/{student.user.username}/charges", **auth).json()
    assert body["count"] == 9
    assert len(body["items"][1]["settlements"]) == 1
