"""PostgreSQL prepares a statement the desk runs again and again, and nothing inside
``planned_for_their_values`` (``reol/core/plans.py``; the timings are in bench/circulation.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from reol.core.models import School
from reol.core.plans import planned_for_their_values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's here (SQLite plans each one anyway)")


def prepared() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def run(times: int, marker: str) -> None:
    for _ in range(times):
        list(School.objects.filter(code=marker).values_list("pk", flat=True))


def test_a_statement_run_again_and_again_is_prepared() -> None:
    run(1, "first")
    assert connection.connection.prepare_threshold == 5
    assert not any("core_school" in s and '"code" = $1' in s for s in prepared())
    run(7, "often")
    assert any("core_school" in s and '"code" = $1' in s for s in prepared())


def test_nothing_is_prepared_in_a_block_planned_for_its_values() -> None:
    before = prepared()
    with planned_for_their_values():
        run(8, "report")
        with planned_for_their_values():  # nested blocks restore what they found
            run(2, "report")
        run(2, "report")
    assert prepared() == before
    assert connection.connection.prepare_threshold == 5
    run(8, "desk")
    assert prepared() != before


def test_turned_off_for_connection_poolers(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import reol.settings

    monkeypatch.setenv("REOL_DATABASE_URL", "postgres://u:p@localhost/x")
    monkeypatch.setenv("REOL_DATABASE_PREPARE", "0")
    try:
        assert (
            importlib.reload(reol.settings).DATABASES["default"]["OPTIONS"]["prepare_threshold"]
            is None
        )
        monkeypatch.delenv("REOL_DATABASE_PREPARE")
        assert (
            importlib.reload(reol.settings).DATABASES["default"]["OPTIONS"]["prepare_threshold"]
            == 5
        )
    finally:
        monkeypatch.undo()
        importlib.reload(reol.settings)
