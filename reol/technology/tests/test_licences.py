"""Licences: saved with their seats and classes, warned about before their renewal date, kept
to their school, listed in the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.technology.licences import licences_of, renewals_ahead, save_licence

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _licence(setup, name: str, ends: dt.date, **kw):  # type: ignore[no-untyped-def]
    return save_licence(
        setup.world.librarian_a,
        setup.school,
        name=name,
        starts=dt.date(2026, 8, 1),
        ends=ends,
        cost=Decimal("12500.00"),
        **kw,
    )


def test_renewals_ahead_warns_within_60_days(setup):
    soon = _licence(
        setup, "Matematikfessor", TODAY + dt.timedelta(days=30), groups=[setup.group.pk]
    )
    _licence(setup, "Ordbogen", TODAY + dt.timedelta(days=200))
    _licence(setup, "Gammel", TODAY - dt.timedelta(days=1))
    mine = licences_of(setup.world.librarian_a)
    assert list(renewals_ahead(mine, TODAY)) == [soon]
    assert [g.name for g in soon.groups.all()] == ["7.A"]


def test_bad_licences_are_refused_and_schools_kept_apart(setup, client, token_for):
    with pytest.raises(ValidationError):
        _licence(setup, "Baglæns", dt.date(2026, 7, 1))
    with pytest.raises(ValidationError):
        _licence(setup, "Fuld", dt.date(2027, 7, 31), seats=10, seats_in_use=11)
    with pytest.raises(PermissionDenied):
        save_licence(
            setup.world.librarian_b,
            setup.school,
            name="x",
            starts=dt.date(2026, 8, 1),
            ends=dt.date(2027, 7, 31),
        )
    _licence(setup, "Skoletube", dt.date(2027, 7, 31), seats=600, seats_in_use=540)
    assert not licences_of(setup.world.librarian_b).exists()
    body = client.get("/api/v1/licences", **token_for(setup.world.librarian_a)).json()
    assert [(r["name"], r["seats_in_use"], r["cost"]) for r in body["items"]] == [
        ("Skoletube", 540, "12500.00")
    ]
    assert client.get("/api/v1/licences", **token_for(setup.world.librarian_b)).json()["count"] == 0
    client.force_login(setup.world.librarian_a)
    assert "Skoletube" in client.get("/staff/technology/licences/").content.decode()
