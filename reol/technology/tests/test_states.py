"""The work-order state machine, written out by hand (not copied from ``states``): every pair
of states is tried, through the service, and only the pairs listed here are allowed."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError

from reol.core.permissions import SYSTEM
from reol.technology import services
from reol.technology.models import WorkOrder, WorkOrderState
from reol.technology.states import can_change

R, T, H, S, P, F, X = (
    "reported",
    "triaged",
    "in_repair",
    "at_supplier",
    "waiting_parts",
    "fixed",
    "written_off",
)
ALLOWED = {
    (R, T), (R, H), (R, S), (R, F), (R, X),
    (T, H), (T, S), (T, P), (T, F), (T, X),
    (H, S), (H, P), (H, F), (H, X),
    (S, H), (S, P), (S, F), (S, X),
    (P, H), (P, S), (P, F), (P, X),
    (F, T),
}  # fmt: skip
ALL = [R, T, H, S, P, F, X]


def test_the_table_is_the_one_written_here():
    assert set(WorkOrderState.values) == set(ALL)
    for old, new in itertools.product(ALL, ALL):
        assert can_change(old, new) == ((old, new) in ALLOWED), (old, new)


@pytest.mark.django_db
@pytest.mark.parametrize(("old", "new"), list(itertools.product(ALL, ALL)))
def test_the_service_keeps_the_table(world, old, new):
    order = services.report_problem(SYSTEM, world.school_a, subject="Room 12", problem="Dark")
    WorkOrder.objects.filter(pk=order.pk).update(state=old)
    if (old, new) in ALLOWED:
        services.change_work_order(SYSTEM, order, new)
        order.refresh_from_db()
        assert order.state == new
        assert order.notes.last().to_state == new  # type: ignore[union-attr]
    else:
        with pytest.raises(ValidationError):
            services.change_work_order(SYSTEM, order, new)
        order.refresh_from_db()
        assert order.state == old


def test_a_warranty_or_insurance_claim_is_recorded_on_the_work_order(world, client):  # type: ignore[no-untyped-def]
    """Deliver 3: warranty and insurance claims, with the supplier's or insurer's case number,
    kept on one line whatever is typed, audited, and shown by the API."""
    from django.urls import reverse

    from reol.core.models import AuditEvent

    order = services.report_problem(SYSTEM, world.school_a, subject="PC-7", problem="Dropped")
    client.force_login(world.librarian_a)
    page = reverse("technology-order", args=[order.pk])
    assert "Insurance claim" in client.get(page).content.decode()
    client.post(page, {"insurance_claim": "on", "claim_reference": "TRYG-2026\r\n-4411\x00"})
    saved = WorkOrder.objects.get(pk=order.pk)
    assert (saved.insurance_claim, saved.warranty_claim) == (True, False)
    assert saved.claim_reference == "TRYG-2026 -4411"
    event = AuditEvent.objects.filter(action="work_order.update").latest("id")
    assert event.details["insurance"] is True and event.details["reference"] == "TRYG-2026 -4411"
    shown = client.get(f"/api/v1/work-orders/{order.pk}").json()  # the session works too
    assert (shown["insurance_claim"], shown["claim_reference"]) == (True, "TRYG-2026 -4411")
    client.force_login(world.librarian_b)  # another school's librarian cannot touch it
    assert client.post(page, {"insurance_claim": ""}).status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).insurance_claim
