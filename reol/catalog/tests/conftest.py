"""Fixtures of the catalogue's tests: the `world` of /conftest.py plus shelves, a second
municipality with its own librarian, a record with copies, and a fake SRU server."""

from __future__ import annotations

import gettext
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils.translation import trans_real

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


class PseudoTranslation(gettext.NullTranslations):
    """A language in which every message reads ⟪message⟫: text shown without the brackets
    never went through gettext (and so would stay English in Danish and Norwegian)."""

    def gettext(self, message: str) -> str:
        return wrap(message.split(trans_real.CONTEXT_SEPARATOR)[-1])

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return wrap(singular if n == 1 else plural)

    def to_language(self) -> str:
        return "en"


def wrap(message: str) -> str:
    return f"⟪{message}⟫"


@pytest.fixture
def pseudo_language(monkeypatch, settings) -> Callable[[str], str]:
    """Every translation (in code, templates, and each request's language) is the pseudo
    language; gives the function that wraps a message id as it would appear."""
    pseudo = PseudoTranslation()
    settings.LANGUAGE_CODE = "en"  # (resets Django's translation caches first)
    monkeypatch.setattr(trans_real, "translation", lambda language: pseudo)
    monkeypatch.setattr(trans_real, "_default", pseudo)
    monkeypatch.setattr(trans_real._active, "value", pseudo, raising=False)
    return wrap
