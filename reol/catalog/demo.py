"""The demo's catalogue: a few hundred synthetic records with copies at each demo school.

Loaded through the real MARC importer (so the demo exercises the same path as a school moving
from another system) and only once: when the municipality has no records yet.
"""

from __future__ import annotations

import io

import pymarc
from django.db import transaction

from reol.core.models import Municipality, School
from reol.core.permissions import SYSTEM

from . import sample
from .extract import extract
from .importer import import_marc
from .models import MaterialType, Record, SruTarget

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
    """Import the demo records at each school (the second school shares half of the first's)."""
    if Record.objects.filter(municipality=municipality).exists():
        return 0
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
