"""Copy-cataloguing sources: the SRU targets a municipality searches for records to copy, saved
and removed (audited writes), from the command line and the tests.
"""

from __future__ import annotations

from django.db import transaction

from reol.core import audit
from reol.core.models import Municipality
from reol.core.permissions import Actor

from .models import (
    SruTarget,
)
from .services import require_cataloguer


@transaction.atomic
def save_sru_target(
    actor: Actor,
    municipality: Municipality,
    *,
    name: str,
    base_url: str,
    version: str = "1.2",
    isbn_index: str = "bath.isbn",
    enabled: bool = True,
) -> SruTarget:
    """Add or change (by name) a catalogue to copy records from."""
    require_cataloguer(actor, municipality)
    target = SruTarget.objects.filter(municipality=municipality, name=name).first() or SruTarget(
        municipality=municipality, name=name
    )
    target.base_url, target.version, target.isbn_index, target.enabled = (
        base_url,
        version,
        isbn_index,
        enabled,
    )
    if target.pk is None:
        target.position = SruTarget.objects.filter(municipality=municipality).count()
    target.full_clean()
    target.save()
    audit.record(
        actor,
        "sru_target.save",
        target,
        municipality=municipality,
        details={"base_url": base_url, "version": version, "isbn_index": isbn_index},
    )
    return target


@transaction.atomic
def remove_sru_target(actor: Actor, target: SruTarget) -> None:
    require_cataloguer(actor, target.municipality)
    audit.record(
        actor,
        "sru_target.remove",
        target,
        municipality=target.municipality,
        details={"name": target.name},
    )
    target.delete()
