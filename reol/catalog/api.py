"""Public catalogue endpoints: a record with its copies (search and autocomplete are in
``search/api.py``).

Anyone may use them (no sign-in); they show whether a copy is on the shelf, never who has it.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from reol.core.models import Municipality

from . import selectors
from .relators import relator_codes, role_label
from .search.api import router as search_router

router = Router(tags=["catalogue"])
router.add_router("", search_router)  # GET /search and /autocomplete (search.api)


class ContributorOut(Schema):
    name: str
    relator: str = ""  # MARC relator codes, "aut" or "aut,ill", as in a search hit
    role: str = ""  # in the reader's language


class CopyOut(Schema):
    school: str
    school_name: str
    status: str
    status_label: str
    shelf_mark: str
    location: str
    circulation_type: str


class RecordOut(Schema):
    id: int
    title: str
    subtitle: str
    responsibility: str
    contributors: list[ContributorOut]
    publisher: str
    year: int | None
    languages: list[str]
    material_type: str
    audience: str
    age_min: int | None
    age_max: int | None
    reading_level: int | None
    subjects: list[str]
    series: str
    summary: str
    shelf_mark: str
    isbns: list[str]
    cover_url: str
    url: str
    copies: list[CopyOut]


def _municipality(code: str | None) -> Municipality:
    municipality = selectors.public_municipality(code)
    if municipality is None:
        raise Http404(_("Choose a municipality (?municipality=code)."))
    return municipality


@router.get("/records/{record_id}", auth=None, response=RecordOut)
def record_detail(
    request: HttpRequest, record_id: int, municipality: str | None = None
) -> dict[str, object]:
    """A record with its copies per school: status, shelf mark and location."""
    record, copies = selectors.public_record(_municipality(municipality), record_id)
    return {
        **{name: getattr(record, name) for name in RecordOut.model_fields if hasattr(record, name)},
        "contributors": [
            {"name": c.get("name", ""), "relator": relator_codes(c), "role": role_label(c)}
            for c in record.contributors or []
        ],
        "isbns": [i.isbn13 for i in record.isbns.all()],
        "copies": copies,
    }
