"""A person's charges, payments and waivers are part of their data export (GDPR art. 15): in the
JSON download and on the readable page, and only for the schools the export may show."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from reol.core.models import School
from reol.patrons import privacy
from reol.technology import payments
from reol.technology.selectors import charges_export

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_charge_and_what_was_paid_and_waived(charged, client):
    w, charge, student = charged.world, charged.charge, charged.students[0]
    payments.record_payment(w.librarian_a, charge, amount="40", method="cash", reference="K-17")
    payments.waive_charge(w.librarian_a, charge, reason="Family hardship")

    data = privacy.export_patron(student.user, student.user)  # the person's own export
    assert data["charges"] == [
        {
            "school": w.school_a.name,
            "device": "CB0001",
            "kind": "replacement",
            "note": "Screen smashed",
            "amount": "99.99",
            "paid": "40.00",
            "waived": "59.99",
            "outstanding": "0.00",
            "created": data["charges"][0]["created"],
        }
    ]
    assert [
        (e["kind"], e["amount"], e["method"], e["reference"], e["why"])
        for e in data["charge_payments"]
    ] == [("payment", "40.00", "cash", "K-17", ""), ("waiver", "59.99", "", "", "Family hardship")]

    client.force_login(w.librarian_a)
    download = client.get(reverse("patrons-export-json", args=[student.pk]))
    assert json.loads(download.content)["charges"][0]["outstanding"] == "0.00"
    page = client.get(reverse("patrons-export", args=[student.pk])).content.decode()
    assert "Payments and waivers" in page and "Family hardship" in page and "K-17" in page
    assert "replacement charge" in page  # the kind as a reader reads it, not its code


def test_another_schools_export_leaves_the_charges_out(charged):
    student = charged.students[0]
    assert charges_export(student.user, School.objects.filter(pk=charged.world.school_b.pk)) == []
    assert len(charges_export(student.user, School.objects.all())) == 1
