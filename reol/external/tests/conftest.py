"""A public library in another installation (Fjordby, served by Reol's own SRU endpoint under
the live test server) and helpers to set it up as an external catalogue of Nordskolen."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from reol.catalog import services as catalog
from reol.catalog.models import Record
from reol.catalog.tests.sru_server import sru_server  # noqa: F401 - a fixture for the tests here
from reol.core import services as core
from reol.core.permissions import SYSTEM
from reol.external import services
from reol.external.models import ExternalTarget

VOLCANO_ISBN = "9788702284294"  # only at the public library
SHARED_ISBN = "9780306406157"  # at the public library and at Nordskolen


@dataclass
class Library:
    volcanoes: Record
    shared_there: Record
    shared_here: Record
    path: str  # the SRU path of the public library


@pytest.fixture
def public_library(world) -> Library:  # type: ignore[no-untyped-def]
    return build_public_library(world)


def build_public_library(world) -> Library:  # type: ignore[no-untyped-def]
    fjordby = core.create_municipality(SYSTEM, code="fjordbib", name="Fjordby Bibliotekerne")
    branch = core.create_school(SYSTEM, municipality=fjordby, code="hoved", name="Hovedbiblioteket")
    volcanoes = catalog.create_record(
        SYSTEM,
        fjordby,
        catalog.new_marc(
            title="Vulkaner i Island", author="Lava, Lise", isbn=VOLCANO_ISBN, year=2021
        ),
    )
    shared_there = catalog.create_record(
        SYSTEM,
        fjordby,
        catalog.new_marc(
            title="Vulkaner og jordskælv", author="Ild, Ib", isbn=SHARED_ISBN, year=2019
        ),
    )
    catalog.add_items(SYSTEM, volcanoes, branch, count=1)
    catalog.add_items(SYSTEM, shared_there, branch, count=1)
    shared_here = catalog.create_record(
        SYSTEM,
        world.municipality,
        catalog.new_marc(
            title="Vulkaner og jordskælv", author="Ild, Ib", isbn=SHARED_ISBN, year=2019
        ),
    )
    catalog.add_items(SYSTEM, shared_here, world.school_a, barcodes=["HERE1"])
    return Library(volcanoes, shared_there, shared_here, "/sru/fjordbib/hoved/")


def add_target(world, url: str, **values) -> ExternalTarget:  # type: ignore[no-untyped-def]
    values.setdefault("name", "Fjordby Bibliotek")
    values.setdefault("kind", "public")
    values.setdefault("request_method", "email")
    values.setdefault("request_email", "fjernlaan@fjordby.example")
    values.setdefault("timeout_ms", 5000)
    return services.save_target(SYSTEM, world.school_a, base_url=url, **values)
