"""The demo's acquisitions at each demo school: a vendor, two funds of this school year, a
sent order of three titles, and a selection policy (idempotent: only at a school without
funds)."""

from __future__ import annotations

from decimal import Decimal

from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from .actions import funds, orders, selection
from .models import Fund

POLICY = (
    "Vi køber materialer, der støtter undervisningen og elevernes lyst til at læse, i mange "
    "former og på flere sprog, og som viser forskellige syn på verden."
)


def load_demo_acquisitions(municipality: Municipality) -> None:
    for school in municipality.schools.all():
        if Fund.objects.filter(school=school).exists():
            continue
        vendor = orders.save_vendor(
            SYSTEM, school, name="Skolebogleverandøren", email="ordre@example.org"
        )
        books = funds.create_fund(
            SYSTEM, school, code="boeger", name="Bøger", allocation=Decimal("40000.00")
        )
        funds.create_fund(SYSTEM, school, code="film", name="Film", allocation=Decimal("5000"))
        order = orders.create_order(SYSTEM, school, vendor)
        for title, price in (("Vulkaner", "149.95"), ("Vikingerne", "199.00"), ("Rummet", "99.50")):
            orders.add_line(
                SYSTEM, order, fund=books, title=title, quantity=2, unit_price=Decimal(price)
            )
        orders.send_order(SYSTEM, order, by_email=False)
        selection.save_policy(SYSTEM, school, text=POLICY, tags=["mangfoldighed", "læselyst"])
