"""Guides in three languages (the reader's, else da, nb, en), searched in any of them; and
two schools of one municipality: B reaches none of A's kits, sessions or guides, on pages or
in the API, unless A shared the guide with the municipality."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reol.core.tests.test_paging import assert_pages
from reol.workshop import selectors, services
from reol.workshop.models import Guide

from .conftest import TEXTS

pytestmark = pytest.mark.django_db


def _guide(world, texts=TEXTS, shared=False):  # type: ignore[no-untyped-def]
    return services.save_guide(
        world.librarian_a, world.school_a, kind=Guide.Kind.EQUIPMENT, texts=texts, shared=shared
    )


def test_a_guide_is_shown_in_the_readers_language_with_a_fallback(workshop):
    w = workshop.world
    guide = _guide(w)
    only_nb = _guide(w, {"nb": TEXTS["nb"]})
    rows = selectors.readable_guides(w.student_a1, w.school_a)
    first, second = rows.get(pk=guide.pk), rows.get(pk=only_nb.pk)
    assert selectors.text_in(first, "en").title == "How to film with the camera"
    assert selectors.text_in(first, "nb").title == "Slik filmer du med kameraet"
    assert selectors.text_in(second, "da").title == "Slik filmer du med kameraet"


def test_search_finds_words_in_any_language_and_any_case(workshop):
    w = workshop.world
    guide = _guide(w)
    _guide(w, {"da": ("Aflever en opgave", "Åbn forløbet og vælg Aflever.")})
    readable = selectors.readable_guides(w.student_a1, w.school_a)
    assert list(selectors.search_guides(readable, "STATIVET mikrofonen")) == [guide]
    assert list(selectors.search_guides(readable, "tripod")) == [guide]
    assert [g.pk for g in selectors.search_guides(readable, "åbn")] != [guide.pk]
    assert selectors.search_guides(readable, "åbn").count() == 1
    assert not selectors.search_guides(readable, "stativet podcast").exists()


def test_a_guide_needs_a_title_and_a_text(workshop):
    w = workshop.world
    with pytest.raises(ValidationError):
        _guide(w, {"da": ("Titel", "")})
    with pytest.raises(ValidationError):
        _guide(w, {})
    with pytest.raises(PermissionDenied):  # teachers read guides; the library writes them
        services.save_guide(w.teacher_a, w.school_a, kind="equipment", texts=TEXTS)


def test_school_b_reaches_none_of_school_a(workshop, client, token_for):
    w = workshop.world
    private = _guide(w)
    shared = _guide(w, {"da": ("Fælles vejledning", "For hele kommunen.")}, shared=True)
    session = services.book_session(w.teacher_a, w.school_a, topic="Filmværksted", day=workshop.day)
    # Services
    with pytest.raises(PermissionDenied):
        services.create_kit(w.librarian_b, w.school_a, name="Stjålet kit")
    with pytest.raises(PermissionDenied):
        services.move_session(w.librarian_b, session, "confirmed")
    with pytest.raises(PermissionDenied):
        services.save_guide(w.librarian_b, w.school_a, kind="equipment", texts=TEXTS, guide=shared)
    with pytest.raises(PermissionDenied):
        services.request_session(
            w.student_b1, w.school_a, teacher=w.teacher_a, topic="x", day=workshop.day
        )
    assert not selectors.sessions_for_library(w.librarian_b).exists()
    # Guides: B reads A's shared guide only
    assert list(selectors.readable_guides(w.student_b1, w.school_b)) == [shared]
    assert not selectors.readable_guides(w.student_b1, w.school_a).exists()
    # Pages
    client.force_login(w.librarian_b)
    assert client.get(f"/me/workshop/guides/{private.pk}/").status_code == 404
    assert client.get(f"/me/workshop/guides/{shared.pk}/").status_code == 200
    assert client.get(f"/staff/workshop/guides/{shared.pk}/edit/").status_code == 404
    assert client.post(f"/me/workshop/sessions/{session.pk}/confirmed/").status_code == 404
    page = client.get("/staff/workshop/").content.decode()
    assert "Filmværksted" not in page and "Kamerakit" not in page
    client.force_login(w.student_b1)
    assert client.get("/staff/workshop/teacher/").status_code == 403
    # API
    b = token_for(w.librarian_b)
    assert client.get("/api/v1/workshop/kits", **b).json()["count"] == 0
    assert client.get("/api/v1/workshop/sessions", **b).json()["count"] == 0
    assert client.get(f"/api/v1/workshop/guides/{private.pk}", **b).status_code == 404
    assert [g["id"] for g in client.get("/api/v1/workshop/guides", **b).json()["items"]] == [
        shared.pk
    ]
    answer = client.post(
        f"/api/v1/workshop/sessions/{session.pk}/state",
        {"state": "confirmed"},
        content_type="application/json",
        **b,
    )
    assert answer.status_code == 404
    session.refresh_from_db()
    assert session.state == "agreed"


def test_the_api_path_of_a_request_and_its_lists_page(workshop, client, token_for):
    w = workshop.world
    student = token_for(w.student_a1)
    answer = client.post(
        "/api/v1/workshop/sessions",
        {"topic": "Podcast", "day": workshop.day.isoformat(), "teacher": w.teacher_a.username},
        content_type="application/json",
        **student,
    )
    assert answer.status_code == 201 and answer.json()["state"] == "requested"
    pk = answer.json()["id"]
    teacher = token_for(w.teacher_a)
    moved = client.post(
        f"/api/v1/workshop/sessions/{pk}/state",
        {"state": "agreed"},
        content_type="application/json",
        **teacher,
    )
    assert moved.status_code == 200 and moved.json()["state"] == "agreed"
    for topic in ("Film", "Foto"):
        client.post(
            "/api/v1/workshop/sessions",
            {"topic": topic, "day": workshop.day.isoformat()},
            content_type="application/json",
            **teacher,
        )
    library = token_for(w.librarian_a)
    sessions = assert_pages(client, "/api/v1/workshop/sessions", library)
    assert [s["topic"] for s in sessions] == ["Podcast", "Film", "Foto"]
    for n in range(3):
        _guide(w, {"da": (f"Vejledning {n}", "Kamera og stativ")})
    guides = assert_pages(client, "/api/v1/workshop/guides", student, {"q": "KAMERA"})
    assert len(guides) == 3
    kits = client.get("/api/v1/workshop/kits", **teacher).json()["items"]
    assert kits[0]["resource"] == workshop.kit.resource_id


def test_the_librarian_edits_a_guide_in_every_language_and_keeps_what_was_typed(workshop, client):
    w = workshop.world
    guide = _guide(w)
    client.force_login(w.librarian_a)
    page = client.get(f"/staff/workshop/guides/{guide.pk}/edit/")
    assert page.status_code == 200
    html = page.content.decode()
    for code in ("da", "nb", "en"):
        assert TEXTS[code][0] in html  # each language's title in its own field
    answer = client.post(
        f"/staff/workshop/guides/{guide.pk}/edit/",
        {"kind": guide.kind, "title_da": "Ny titel", "body_da": "", "title_en": "Kept"},
    )
    assert answer.status_code == 200  # a title without its text: refused, and shown again
    assert "Ny titel" in answer.content.decode() and "Kept" in answer.content.decode()
