"""Charges probed as an attacker would (two schools, a volunteer, a student, a token holder):
each test is an attack that worked, or answered a 500, before its fix.

* An amount of 1e30 (API or page) made ``Decimal.quantize`` raise: a 500, not a refusal.
* "NaN" as a device charge on the device page: a 500 (NaN compared with 0).
* A receipt reference or a waiver reason with NUL, ESC or a line break was stored as typed
  from the pages (the API refused it): one-line fields are one line at every front door.
* School B's librarian posting to school A's charge got a 404, but unaudited (the pages did
  not go through ``denials.get_or_404``, the API did).
* A volunteer at the desk (who may be a pupil) put a replacement charge of any sum on a
  borrower, though she may not take a krone of it.
* ``GET /patrons/{barcode}/charges`` answered 404 for a name nobody has and 200 for another
  school's pupil: any token holder could learn which usernames and card numbers exist.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from reol.core.models import AuditEvent
from reol.technology import returns
from reol.technology.models import ChargeSettlement, LoanCharge

pytestmark = pytest.mark.django_db


def _outstanding(charge: LoanCharge) -> Decimal:
    return LoanCharge.objects.get(pk=charge.pk).outstanding


@pytest.mark.parametrize("amount", [1e30, "1E+30", "9" * 40])
def test_a_huge_amount_through_the_api_is_refused_not_a_500(charged, client, token_for, amount):
    w, charge = charged.world, charged.charge
    answer = client.post(
        f"/api/v1/charges/{charge.pk}/payments",
        {"amount": amount, "method": "cash"},
        content_type="application/json",
        **token_for(w.librarian_a),
    )
    assert answer.status_code == 422, answer.content
    assert _outstanding(charge) == Decimal("99.99") and not ChargeSettlement.objects.exists()


def test_a_huge_amount_on_the_page_is_refused_with_a_message(charged, client):
    w, charge = charged.world, charged.charge
    client.force_login(w.librarian_a)
    answer = client.post(
        f"/staff/technology/charges/{charge.pk}/pay/",
        {"amount": "1e30", "method": "cash"},
        follow=True,
    )
    assert answer.status_code == 200
    assert "more than any charge" in answer.content.decode()
    assert _outstanding(charge) == Decimal("99.99")


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "1e30", "Infinity"])
def test_a_device_charge_that_is_no_number_is_refused_not_a_500(charged, client, amount):
    w, device = charged.world, charged.device
    client.force_login(w.librarian_a)
    answer = client.post(
        f"/staff/technology/devices/{device.pk}/charge/",
        {"note": "Cracked again", "amount": amount},
        follow=True,
    )
    assert answer.status_code == 200
    assert LoanCharge.objects.count() == 1  # only the fixture's


@pytest.mark.parametrize(
    ("form", "fields"),
    [
        ("pay", {"amount": "10", "method": "cash", "reference": "R-1\x00\x1b[31m"}),
        ("waive", {"reason": "Forgiven\x00"}),
    ],
)
def test_control_characters_in_a_reference_or_reason_are_refused_on_the_page(
    charged, client, form, fields
):
    w, charge = charged.world, charged.charge
    client.force_login(w.librarian_a)
    answer = client.post(f"/staff/technology/charges/{charge.pk}/{form}/", fields, follow=True)
    assert answer.status_code == 200
    assert "control characters" in answer.content.decode()
    assert not ChargeSettlement.objects.exists()
    assert _outstanding(charge) == Decimal("99.99")


def test_a_line_break_in_a_receipt_reference_becomes_a_space(charged, client):
    w, charge = charged.world, charged.charge
    client.force_login(w.librarian_a)
    client.post(
        f"/staff/technology/charges/{charge.pk}/pay/",
        {"amount": "10", "method": "cash", "reference": "R-1\r\nPaid in full"},
    )
    assert ChargeSettlement.objects.get().reference == "R-1 Paid in full"


def test_another_schools_charge_on_the_pages_is_a_404_and_audited_at_both(charged, client):
    w, charge = charged.world, charged.charge
    client.force_login(w.librarian_b)
    for form, fields in (("pay", {"amount": "1", "method": "cash"}), ("waive", {"reason": "x"})):
        answer = client.post(f"/staff/technology/charges/{charge.pk}/{form}/", fields)
        assert answer.status_code == 404
    refused = AuditEvent.objects.filter(action="access.denied", actor=w.librarian_b)
    assert {e.school for e in refused} == {w.school_a, w.school_b}
    assert _outstanding(charge) == Decimal("99.99")


def test_a_volunteer_notes_damage_but_puts_no_sum_on_a_borrower(charged):
    w, device = charged.world, charged.device
    with pytest.raises(PermissionDenied):
        returns.record_charge(w.volunteer_a, device, note="Dropped", amount=Decimal("5000"))
    assert LoanCharge.objects.count() == 1
    damage = returns.record_charge(w.volunteer_a, device, note="Scratched lid")
    assert damage.amount is None


def test_the_charges_api_answers_an_unknown_and_a_foreign_name_alike(
    charged, client, token_for, world
):
    headers = token_for(charged.students[1].user)  # any token holder: a pupil at A
    answers = [
        client.get(f"/api/v1/patrons/{name}/charges", **headers)
        for name in ("elev-b1", "B0001", "nobody-at-all", "Z9999")
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert {a.json()["count"] for a in answers} == {0}
