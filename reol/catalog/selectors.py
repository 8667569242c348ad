"""Reads of the public catalogue worth a name (the search itself is ``reol.catalog.search``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from reol.core.models import Municipality, School

from .models import Item, MaterialType, Record

# MARC language codes the public catalogue names (others are shown as their code).
LANGUAGE_NAMES = {
    "dan": "dansk / Danish",
    "nor": "norsk / Norwegian",
    "nob": "norsk bokmål / Norwegian Bokmål",
    "nno": "nynorsk / Norwegian Nynorsk",
    "eng": "English",
    "swe": "svenska / Swedish",
    "deu": "Deutsch / German",
    "ger": "Deutsch / German",
    "fra": "français / French",
    "fre": "français / French",
    "spa": "español / Spanish",
    "ara": "العربية / Arabic",
}


def public_municipality(code: str | None) -> Municipality | None:
    """The municipality a public search is in: the one asked for, the configured one, or the
    only one there is (None when that is ambiguous or unknown)."""
    code = code or getattr(settings, "REOL_PUBLIC_MUNICIPALITY", None)
    if code:
        return Municipality.objects.filter(code=code).first()
    found = list(Municipality.objects.all()[:2])
    return found[0] if len(found) == 1 else None


def schools_of(municipality: Municipality) -> QuerySet[School]:
    return School.objects.filter(municipality=municipality)


def facet_labels(municipality: Municipality) -> dict[str, dict[str, str]]:
    """Display names for facet values that are codes."""
    schools = {s.code: s.name for s in schools_of(municipality)}
    return {
        "material_type": {str(k): str(v) for k, v in MaterialType.choices},
        "school": schools,
        "available": schools,
        "language": LANGUAGE_NAMES,
    }


def public_record(municipality: Municipality, pk: int) -> tuple[Record, list[dict[str, Any]]]:
    """A record and its copies per school, as anyone may see them (never who has a loan)."""
    record = get_object_or_404(
        Record.objects.prefetch_related("isbns"), pk=pk, municipality=municipality
    )
    copies = [
        {
            "school": item.school.code,
            "school_name": item.school.name,
            "status": item.status,
            "status_label": item.get_status_display(),
            "shelf_mark": item.effective_shelf_mark,
            "location": item.location.name if item.location else "",
            "circulation_type": item.circulation_type,
        }
        for item in Item.objects.filter(record=record)
        .exclude(status__in=("withdrawn",))
        .select_related("school", "location", "record")
        .order_by("school__name", "barcode")
    ]
    return record, copies
