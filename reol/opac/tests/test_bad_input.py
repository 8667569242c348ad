"""Whatever a visitor types or puts in the address, the public pages answer sensibly (no 500)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from .test_pages import visitor

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    " ",
    "x" * 10_000,
    '"unbalanced',
    "title:",
    "AND OR NOT",
    "harry~2",
    "potter^3",
    "*",
    "(",
    "NEAR(harry potter",
    "'; DROP TABLE catalog_record; --",
    "1' OR '1'='1",
    "🦕🦖 dinosaur",
    "שלום עולם",
    "مرحبا",
    "\x00\x01nul",
    "<script>alert(1)</script>",
    'author:"',
    "-",
    "isbn:978-",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_never_500(shelf, text):
    client = visitor(shelf)
    response = client.get(reverse("opac-search"), {"q": text})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert client.get(reverse("opac-suggest"), {"q": text}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "10000"},
        {"page": "-5"},
        {"page": "abc"},
        {"page": "9" * 40},
        {"sort": "drop"},
        {"scope": "everything"},
        {"available": "maybe"},
        {"material_type": ["book"] * 100},
        {"age": "not-an-age"},
        {"age": "99+"},
        {"year": "-"},
        {"year": "3000-"},
        {"subject": "x" * 5000},
        {"school": "\x00"},
        {"language": "🦕"},
        {"reading_level": ["0-9", "45+", "nonsense"]},
    ],
)
def test_hostile_parameters_never_500(shelf, params):
    response = visitor(shelf).get(reverse("opac-search"), {"q": "harry", **params}, follow=True)
    assert response.status_code == 200


def test_hostile_paths_and_forms(shelf):
    client = visitor(shelf)
    assert client.get("/opac/records/99999999/").status_code == 404
    assert client.get("/opac/lists/99999999/").status_code == 404
    assert client.get("/opac/schools/ukendt/new/").status_code == 404
    assert client.post(reverse("opac-choose-school"), {"school": "drop"}).status_code == 200
    response = client.get(reverse("opac-choose-school"), {"next": "https://evil.example/"})
    assert 'name="next" value="/opac/"' in response.content.decode()
    response = Client().post(
        reverse("opac-choose-school"), {"school": shelf.world.school_a.pk, "next": "//evil.example"}
    )
    assert response.url == reverse("opac-home")
    # Anonymous hold: to the sign-in page, nothing placed.
    response = Client().post(reverse("opac-hold", args=[shelf.ids["hp1_da"]]))
    assert response.status_code == 302 and "/accounts/login/" in response.url
