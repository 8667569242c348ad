"""The search outbox is written once per record, in one statement."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.importer import ImportReport
from reol.catalog.models import Item, Record, SearchOutbox
from reol.catalog.relators import role_label
from reol.core.models import AuditEvent
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, ISBN_C, book, iso, run_import, signed_in

pytestmark = pytest.mark.django_db

WRAPPED = re.compile(r"^⟪.*⟫$", re.S)

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    + b"1 0 obj << /Length 5 >> stream\x1dxx\x1d\nendstream\n" * 200
)
CSV = b"barcode;title;author\n12345;Pippi;Astrid Lindgren\n" + b"1\x1d2;x;y\n" * 196


def test_queue_for_search_writes_each_record_once_in_one_go(
    catalogue, record, django_assert_max_num_queries
):
    before = SearchOutbox.objects.count()
    with django_assert_max_num_queries(2):  # SQLite: one INSERT; PostgreSQL: ids, then COPY
        services.queue_for_search([record.pk] * 3 + list(range(10_000, 10_500)))
    assert SearchOutbox.objects.count() - before == 501
    assert SearchOutbox.objects.filter(record_id=record.pk).count() >= 1
