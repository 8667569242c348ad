"""The search outbox is written once per record, in one statement."""

from __future__ import annotations

import pytest

from reol.catalog import services
from reol.catalog.models import SearchOutbox

pytestmark = pytest.mark.django_db


def test_queue_for_search_writes_each_record_once_in_one_go(
    catalogue, record, django_assert_max_num_queries
):
    before = SearchOutbox.objects.count()
    with django_assert_max_num_queries(2):  # SQLite: one INSERT; PostgreSQL: ids, then COPY
        services.queue_for_search([record.pk] * 3 + list(range(10_000, 10_500)))
    assert SearchOutbox.objects.count() - before == 501
    assert SearchOutbox.objects.filter(record_id=record.pk).count() >= 1
