"""The author's role is stored as a relator code and shown in the reader's language (pages, API)."""

from __future__ import annotations

import pytest

from reol.catalog import marc as marcio
from reol.catalog import services
from reol.catalog.relators import role_label
from reol.core.permissions import SYSTEM

from .helpers import signed_in

pytestmark = pytest.mark.django_db


def test_a_new_records_author_is_stored_as_a_relator_code(catalogue):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    (f100,) = marcio.from_json(created.marc).get_fields("100")
    assert f100.get_subfields("4") == ["aut"] and f100.get_subfields("e") == []
    assert created.contributors == [{"name": "Jensen, Ida", "role": "", "relator": "aut"}]


def test_the_role_is_shown_in_the_readers_language(catalogue, pseudo_language):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    page = signed_in(catalogue.world.librarian_a).get(created.get_absolute_url())
    assert f"Jensen, Ida ({pseudo_language('author')})" in page.content.decode()


@pytest.mark.parametrize(
    ("contributor", "shown"),
    [
        ({"name": "A", "role": "forfatter", "relator": "aut"}, "author"),
        ({"name": "A", "role": "author"}, "author"),  # stored before codes were
        ({"name": "A", "role": "forfatter, aut"}, "author"),
        ({"name": "A", "role": "Forfatter."}, "author"),
        ({"name": "A", "role": "", "relator": "ill,trl"}, "illustrator, translator"),
        ({"name": "A", "role": "indlæser", "relator": "xyz"}, "indlæser"),
        ({"name": "A", "role": "", "relator": "xyz"}, "xyz"),
        ({"name": "A", "role": ""}, ""),
    ],
)
def test_role_label(contributor, shown):
    assert role_label(contributor) == shown


def test_api_gives_the_role_as_a_term(catalogue, client):
    created = services.create_record_from_form(
        SYSTEM, catalogue.world.municipality, title="Ny bog", author="Jensen, Ida"
    )
    data = client.get(f"/api/v1/records/{created.pk}", {"municipality": "solbjerg"}).json()
    # The code as a search hit gives it, and the term in the reader's language.
    assert data["contributors"] == [{"name": "Jensen, Ida", "relator": "aut", "role": "author"}]
