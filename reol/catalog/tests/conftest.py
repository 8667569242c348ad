"""Fixtures of the catalogue's tests: the `world` of /conftest.py plus shelves, a second
municipality with its own librarian, a record with copies, and a fake SRU server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conftest import PASSWORD
from reol.catalog import services
from reol.catalog.models import Record
from reol.core import services as core_services
from reol.core.models import Municipality
from reol.core.permissions import SYSTEM

from .helpers import ISBN_A, book
from .sru_server import sru_server  # noqa: F401  (a fixture, used by the tests of this folder)


@dataclass
class Catalogue:
    """The world, with shelves at both schools and a foreign municipality ("fjordby")."""

    world: Any
    skon: Any  # location "skon" at school A
    fag: Any  # location "fag" at school A
    skon_b: Any  # location "skon" at school B
    far_municipality: Any
    far_school: Any
    far_librarian: Any


@pytest.fixture
def catalogue(world) -> Catalogue:
    w = world
    far = Municipality.objects.get(code="fjordby")
    far_school = core_services.create_school(SYSTEM, municipality=far, code="fjord", name="Fjord")
    far_librarian = core_services.create_person(
        SYSTEM,
        far_school,
        username="bib-f",
        role="librarian",
        password=PASSWORD,
        first_name="Bib",
        last_name="Fjord",
    )
    return Catalogue(
        world=w,
        skon=core_services.create_location(SYSTEM, w.school_a, code="skon", name="Skønlitteratur"),
        fag=core_services.create_location(SYSTEM, w.school_a, code="fag", name="Faglitteratur"),
        skon_b=core_services.create_location(SYSTEM, w.school_b, code="skon", name="Skøn"),
        far_municipality=far,
        far_school=far_school,
        far_librarian=far_librarian,
    )


@pytest.fixture
def record(catalogue) -> Record:
    """A record of Solbjerg with an ISBN, two copies at school A and one at school B."""
    w = catalogue.world
    rec = services.create_record(
        SYSTEM, w.municipality, book("Rejsen til Saturn", isbn=ISBN_A, control="r1")
    )
    services.add_items(SYSTEM, rec, w.school_a, barcodes=["A100", "A101"], location=catalogue.skon)
    services.add_items(SYSTEM, rec, w.school_b, barcodes=["B100"])
    return rec
