"""The few database reads a search request needs, cached per process.

A public search needs its municipality (from ``?municipality=``, ``REOL_PUBLIC_MUNICIPALITY`` or
the only one there is) and the names of the schools behind the facets' school codes. Both change
rarely (a school is added or renamed), yet reading them took two queries per request: a third
of the API's own time for a cheap query. So they are kept here per process:

* saving or deleting a ``Municipality`` or ``School`` in this process clears the cache at once,
  and again when that transaction commits (a rolled-back change is not remembered);
* every other process (gunicorn workers, the CLI) sees a change within ``CACHE_SECONDS``;
* ``clear()`` empties it (tests; ``search.forget_engines()`` calls it).

Apps above the catalogue keep their own per-request reads here too (``cached``), and name the
models whose saves must clear it (``forget_on_change``): SRU its schools' publication.

What is cached is plain data (ids, codes, names), never model instances that a caller could
change.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from reol.core.models import Municipality, School

CACHE_SECONDS = 60.0

_lock = threading.Lock()
_cache: dict[tuple[str, object], tuple[float, Any]] = {}
_NOT_FOUND = object()


@dataclass(frozen=True)
class PublicMunicipality:
    id: int
    code: str
    name: str


def clear(*_args: Any, **_kwargs: Any) -> None:
    """Forget everything cached (also a signal receiver)."""
    with _lock:
        _cache.clear()


def _changed(*_args: Any, **_kwargs: Any) -> None:
    clear()
    if transaction.get_autocommit():
        return
    transaction.on_commit(clear)  # a read between the save and the commit saw it uncommitted


def forget_on_change(model: type[Model]) -> None:
    """Clear the cache whenever a ``model`` is saved or deleted (in this process at once, in
    others within ``CACHE_SECONDS``)."""
    name = f"{model._meta.app_label}.{model.__name__}"
    post_save.connect(_changed, sender=model, dispatch_uid=f"reol-search-cache-{name}")
    post_delete.connect(_changed, sender=model, dispatch_uid=f"reol-search-cache-del-{name}")


forget_on_change(Municipality)
forget_on_change(School)


def cached(key: tuple[str, object], load: Any) -> Any:
    """``load()``'s value, kept under ``key`` for ``CACHE_SECONDS``: plain data only (ids,
    codes, names, tuples), which no caller changes."""
    now = time.monotonic()
    found = _cache.get(key)
    if found is not None and found[0] > now:
        return found[1]
    value = load()
    with _lock:
        _cache[key] = (now + CACHE_SECONDS, value)
    return value


def public_municipality(code: str | None) -> PublicMunicipality | None:
    """The municipality a public search is in: the one asked for, the configured one, or the
    only one there is (None when that is ambiguous or unknown)."""
    wanted = code or getattr(settings, "REOL_PUBLIC_MUNICIPALITY", None) or None

    def load() -> object:
        if wanted:
            rows = list(Municipality.objects.filter(code=wanted).values_list("id", "code", "name"))
        else:
            rows = list(Municipality.objects.values_list("id", "code", "name")[:2])
        return PublicMunicipality(*rows[0]) if len(rows) == 1 else _NOT_FOUND

    found = cached(("municipality", wanted), load)
    return None if found is _NOT_FOUND else found


def school_names(municipality_id: int) -> dict[str, str]:
    """School code → name for one municipality (do not change the dict: it is shared)."""

    def load() -> dict[str, str]:
        return dict(
            School.objects.filter(municipality_id=municipality_id).values_list("code", "name")
        )

    return cached(("schools", municipality_id), load)
