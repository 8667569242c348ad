"""Fixtures of the acquisitions tests: the `world` of /conftest.py with a vendor and two
funds at school A, one at school B."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from reol.acquisitions.actions import funds, orders
from reol.acquisitions.models import Fund, Vendor
from reol.core.permissions import SYSTEM


@dataclass
class Shop:
    world: Any
    vendor: Vendor
    books: Fund
    films: Fund
    fund_b: Fund


def make_shop(world: Any) -> Shop:
    a, b = world.school_a, world.school_b
    vendor = orders.save_vendor(SYSTEM, a, name="Bogleverandøren", email="ordre@bog.example")
    books = funds.create_fund(SYSTEM, a, code="books", name="Bøger", allocation=Decimal("10000.00"))
    films = funds.create_fund(SYSTEM, a, code="films", name="Film", allocation=Decimal("500.00"))
    fund_b = funds.create_fund(SYSTEM, b, code="books", name="Bøger B", allocation=Decimal("800"))
    return Shop(world, vendor, books, films, fund_b)


@pytest.fixture
def shop(world: Any) -> Shop:
    return make_shop(world)
