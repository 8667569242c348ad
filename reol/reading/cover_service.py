"""The municipality's cover service: covers by ISBN from the national service libraries use
(an address template with ``{isbn}`` or ``{isbn10}``), off by default.

Fetched by the task queue's worker, never in a web request: after records come into the
catalogue (``catalog.signals.records_added``: an import, a record made by hand or looked up)
and when the service is switched on. An upload is never replaced; a record the service had
nothing for is asked again after ``RETRY_AFTER``; a placeholder (a pixel) is not a cover.
"""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from reol.catalog.models import Record
from reol.core import audit
from reol.core import tasks as queue
from reol.core.models import School
from reol.core.permissions import Actor, Perm, require

from . import covers, selectors
from .models import Cover, CoverProvider, CoverSource
from .services import ReadingError, store

PROVIDER_TIMEOUT = 5.0  # seconds per request to the cover service
PROVIDER_MAX_BYTES = 2 * 1024 * 1024
RETRY_AFTER = dt.timedelta(days=30)  # a record the service had nothing for is asked again then


def set_cover_provider(
    actor: Actor, school: School, url_template: str, *, enabled: bool
) -> CoverProvider:
    """The municipality's cover service (set by an administrator of one of its schools)."""
    require(actor, Perm.STAFF_MANAGE, school)
    template = url_template.strip()
    if not template.startswith(("https://", "http://")) or "{isbn" not in template:
        raise ReadingError(
            _("The address must start with https:// and contain {isbn} or {isbn10}.")
        )
    with transaction.atomic():
        provider, _created = CoverProvider.objects.update_or_create(
            municipality=school.municipality,
            defaults={"url_template": template, "enabled": enabled},
        )
        audit.record(
            actor,
            "cover.provider",
            provider,
            school=school,
            details={"url_template": template, "enabled": enabled},
        )
        if enabled:  # the catalogue's covers, by the worker
            queue.enqueue_on_commit(fetch_missing_covers, school.municipality_id)
    return provider


def _isbn10(isbn13: str) -> str:
    if not isbn13.startswith("978"):
        return ""
    core = isbn13[3:12]
    total = sum((10 - i) * int(c) for i, c in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def _download(url: str) -> bytes | None:
    if not url.startswith(("https://", "http://")):
        return None
    request = urllib.request.Request(url, headers={"User-Agent": "Reol cover lookup"})  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=PROVIDER_TIMEOUT) as answer:  # noqa: S310
            if answer.status != 200:
                return None
            data: bytes = answer.read(PROVIDER_MAX_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError):
        return None
    return data if 0 < len(data) <= PROVIDER_MAX_BYTES else None


def fetch_cover(record: Record, *, force: bool = False) -> Cover | None:
    """Ask the municipality's cover service for ``record``'s cover by each of its ISBNs.

    A stored upload is never replaced; a record the service had nothing for is asked again
    after ``RETRY_AFTER``. Returns the cover row (found or "none"), or None when not asked.
    """
    provider = CoverProvider.objects.filter(
        municipality_id=record.municipality_id, enabled=True
    ).first()
    if provider is None:
        return None
    known = Cover.objects.filter(record=record).first()
    if known is not None and not force:
        if known.source != CoverSource.NONE:
            return known
        if timezone.now() - known.checked_at < RETRY_AFTER:
            return known
    if known is not None and known.source == CoverSource.UPLOAD:
        return known
    found: covers.Resized | None = None
    for isbn in record.isbns.values_list("isbn13", flat=True):
        url = provider.url_template.replace("{isbn10}", _isbn10(isbn)).replace("{isbn}", isbn)
        data = _download(url)
        if data is None:
            continue
        try:
            found = covers.resize(data)
        except covers.CoverError:
            continue
        # Services answer "no cover" with a 1×1 pixel or a tiny placeholder: resize refuses it.
        break
    with transaction.atomic():
        return store(record, CoverSource.PROVIDER if found else CoverSource.NONE, found)


BATCH = 100  # records per run; a run that fills its batch queues the next one


@task()
def fetch_missing_covers(municipality_id: int) -> int:
    """Ask the cover service for up to ``BATCH`` records that have no cover yet (or had none
    ``RETRY_AFTER`` ago); queue the next batch when there may be more. Returns how many."""
    if not selectors.cover_service_on(municipality_id):
        return 0
    wanted = list(selectors.records_wanting_covers(municipality_id, RETRY_AFTER)[:BATCH])
    for record in wanted:
        fetch_cover(record)
    if len(wanted) == BATCH:  # each record asked now has a row: the next run starts after it
        fetch_missing_covers.enqueue(municipality_id)
    return len(wanted)


def on_records_added(sender: Any, *, municipality_id: int, **kwargs: Any) -> None:
    """``catalog.signals.records_added``: queue the covers of new records, if the service is on."""
    if selectors.cover_service_on(municipality_id):
        queue.enqueue_on_commit(fetch_missing_covers, municipality_id)
