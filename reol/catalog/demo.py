"""The demo's catalogue: a few hundred synthetic records with copies at each demo school.

Loaded through the real MARC importer (so the demo exercises the same path as a school moving
from another system) and only once: when the municipality has no records yet.
"""

from __future__ import annotations

import io

import pymarc
from django.db import transaction

from reol.core.models import Location, Municipality, School
from reol.core.permissions import SYSTEM

from . import sample, services
from .demo_titles import load_demo_titles
from .extract import extract
from .importer import import_marc
from .models import Item, MaterialType, Record, SruTarget

RECORDS_PER_SCHOOL = 300

# The demo schools' shelves (see reol.core.demo) by material type.
SHELF_FOR = {
    MaterialType.FILM: "film",
    MaterialType.BOARD_GAME: "film",
    MaterialType.DEVICE: "vaerksted",
    MaterialType.KIT: "klassesaet",
    MaterialType.MAP: "faglit",
}


def _place_copies(record: pymarc.Record, school: School, serial: int) -> int:
    """Give the record's 952 copies this school's barcodes and shelves."""
    columns = extract(record).columns
    shelf = SHELF_FOR.get(columns["material_type"], "skoenlit")
    if shelf == "skoenlit" and (columns["age_max"] or 99) <= 6:
        shelf = "billedbog"
    elif (
        shelf == "skoenlit" and columns["dk5"][:1].isdigit() and not columns["dk5"].startswith("99")
    ):
        shelf = "faglit"
    for field in record.get_fields("952"):
        serial += 1
        for code, value in (("p", f"{school.code[:4].upper()}{serial:06d}"), ("c", shelf)):
            if field.get(code) is not None:
                field[code] = value
            else:
                field.add_subfield(code, value)
    return serial


def load_demo_catalogue(municipality: Municipality) -> int:
    """Import the demo records at each school (the second school shares half of the first's),
    only into a municipality without records; then the class set (idempotent on its own)."""
    created = 0
    if not Record.objects.filter(municipality=municipality).exists():
        created = _load_sample(municipality)
    created += load_demo_titles(municipality)
    load_demo_class_set(municipality)
    with transaction.atomic():
        if not SruTarget.objects.filter(municipality=municipality).exists():
            SruTarget.objects.create(
                municipality=municipality,
                name="Library of Congress",
                base_url="http://lx2.loc.gov:210/LCDB",
                version="1.1",
                isbn_index="bath.isbn",
            )
    return created


def _load_sample(municipality: Municipality) -> int:
    schools = list(School.objects.filter(municipality=municipality).order_by("code"))
    created = 0
    for n, school in enumerate(schools):
        data = io.BytesIO()
        start = n * RECORDS_PER_SCHOOL // 2  # overlapping ranges: shared records, own copies
        serial = 0
        for record in sample.records(RECORDS_PER_SCHOOL, seed=2026, start=start):
            serial = _place_copies(record, school, serial)
            data.write(record.as_marc21())
        data.seek(0)
        report = import_marc(SYSTEM, school, data)
        created += report.created
    return created


# A class set: one Danish children's novel with enough copies for a whole class at each school.
CLASS_SET = {
    "title": "Ternet Ninja",
    "author": "Matthesen, Anders",
    "publisher": "Politikens Forlag",
    "year": "2016",
    "summary": "Aske på 12 år får en ternet ninjadukke, der vil have ham til at hævne et mord.",
    "shelf_mark": "sk Matthesen",
}
CLASS_SET_COPIES = 30


def class_set_record(municipality: Municipality) -> Record | None:
    return (
        Record.objects.filter(municipality=municipality, title=CLASS_SET["title"])
        .order_by("id")
        .first()
    )


@transaction.atomic
def load_demo_class_set(municipality: Municipality) -> int:
    """The class set's record (once per municipality) and its 30 copies at each demo school that
    has none yet; copies are matched on the record and school, so a second run adds nothing.
    Separate from the sampled catalogue, which is loaded only into an empty municipality."""
    record = class_set_record(municipality)
    if record is None:
        record = services.create_record_from_form(
            SYSTEM, municipality, allow_duplicate_isbn=True, age_min=10, age_max=13, **CLASS_SET
        )
    added = 0
    for school in School.objects.filter(municipality=municipality).order_by("code"):
        if Item.objects.filter(record=record, school=school).exists():
            continue
        added += len(
            services.add_items(
                SYSTEM,
                record,
                school,
                count=CLASS_SET_COPIES,
                location=Location.objects.filter(school=school, code="klassesaet").first(),
                shelf_mark=CLASS_SET["shelf_mark"],
            )
        )
    return added
