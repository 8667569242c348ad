"""On PostgreSQL the desk's statements go with their values bound by the server, not quoted
into the text by psycopg in Python at every scan (``settings.py``; the timings are in
bench/circulation.py)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

from reol.circulation.models import Loan

pytestmark = pytest.mark.django_db


def test_postgresql_binds_the_values_of_a_statement_itself():
    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is PostgreSQL's")
    list(Loan.objects.filter(patron_id=1, returned_at__isnull=True).values("pk"))
    with connection.cursor() as cursor:
        raw = cursor.cursor
        assert not isinstance(raw, psycopg.ClientCursor)
        # What the server was sent: the statement with $1, the value apart.
        cursor.execute("SELECT %s::int + 1", [41])
        assert cursor.fetchone() == (42,)
        assert "$1" in raw._query.query.decode()  # psycopg's record of the query it sent
